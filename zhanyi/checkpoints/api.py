"""REST API of the checkpoints app (交通管控), at ``/api/v1/checkpoints/``.

Reading needs ``view_person``, writing ``edit_operations``; every object is
checked against the caller's jurisdiction (outside it: 404). A refusal answers
400 with the action's messages by field, in the caller's language.

``POST checks/`` is idempotent on ``client_id``: the first answer is 201 with
the check, a repeat 200 with the check stored the first time. The phone page's
offline queue relies on it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.fields import SkipField
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core.api import ActionView, InJurisdictionField, run_action
from zhanyi.people.models import Person
from zhanyi.people.queries import persons_for
from zhanyi.places.models import Area

from . import actions, queries
from .fastpath import check as fastpath_check
from .metrics import TALLY, tally
from .models import Check, CodeColour, CrewCheck, Movement, Patrol, Station, StationKind, Vessel
from .wording import reason_text

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def _area(code: str, field: str) -> Area | None:
    if not code:
        return None
    word = code.strip()
    found = list(Area.objects.filter(code=word)[:1]) or list(Area.objects.filter(name=word)[:2])
    if len(found) != 1:
        raise serializers.ValidationError(
            {field: [_("No single area has the code or name %(word)s.") % {"word": word}]}
        )
    return found[0]


class CheckpointStationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    area = serializers.CharField(source="area.code")

    class Meta:
        model = Station
        fields = ["id", "name", "kind", "kind_label", "area", "location", "lon", "lat", "active"]
        read_only_fields = fields


def check_dict(c: Check) -> dict:
    reasons = [reason_text(r) for r in c.reasons]
    return {
        "id": c.pk,
        "client_id": str(c.client_id),
        "station": c.station_id,
        "checked_at": c.checked_at,
        "plate": c.plate,
        "new_energy": c.new_energy,
        "people": c.people,
        "origin_area": c.origin_area.code if c.origin_area else None,
        "origin_city": c.origin_city,
        "destination_area": c.destination_area.code if c.destination_area else None,
        "destination": c.destination,
        "code_colour": c.code_colour,
        "test_age_hours": c.test_age_hours,
        "origin_tier": c.origin_tier or None,
        "destination_tier": c.destination_tier or None,
        "outcome": c.outcome,
        "outcome_label": c.get_outcome_display(),
        "reason": reasons[0] if reasons else "",
        "reasons": reasons,
        "waits_for_person": c.waits_for_person,
        "handed_off": bool(c.handoff_key),
    }


class CheckpointStationInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=StationKind.choices)
    area = serializers.CharField(max_length=32)
    location = serializers.CharField(max_length=255, required=False, default="")
    lon = serializers.FloatField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)


class StationsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = CheckpointStationInput
    output = CheckpointStationSerializer

    @extend_schema(
        operation_id="checkpoints_stations_list",
        responses=inline_serializer(
            "CheckpointStationList", {"results": CheckpointStationSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        stations = queries.stations_for(request.user)[:500]
        return Response({"results": CheckpointStationSerializer(stations, many=True).data})

    def perform(self, request: Request, target, data: dict) -> Station:
        area = _area(data.pop("area"), "area")  # by its code or its name
        return actions.do_create_station(
            acting_user=request.user, area=area, request=request, **data
        )


class StationView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="checkpoints_station", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, station_id: int) -> Response:
        station = queries.get_station_for_user(request.user, station_id)
        totals = tally(Check.objects.filter(station=station))
        return Response({**CheckpointStationSerializer(station).data, "totals": totals})


class VehicleCheckInput(serializers.Serializer):
    client_id = serializers.UUIDField()
    station = serializers.IntegerField()
    plate = serializers.CharField(max_length=32, allow_blank=True)
    people = serializers.IntegerField()
    code_colour = serializers.ChoiceField(choices=CodeColour.choices)
    test_age_hours = serializers.IntegerField(required=False, allow_null=True, default=None)
    origin_area = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    origin_city = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    destination_area = serializers.CharField(
        max_length=32, required=False, default="", allow_blank=True
    )
    destination = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    checked_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    person = serializers.IntegerField(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    identity_number = serializers.CharField(
        max_length=32, required=False, default="", allow_blank=True
    )
    phone = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)

    @classmethod
    def validated(cls, data: Any) -> dict:
        """``validated_data`` as ``is_valid(raise_exception=True)`` gives it.

        A new serializer deep-copies and binds its fifteen fields, which cost
        a fifth of a check's CPU; a body every field accepts is validated by
        fields bound once per process (a field keeps no state of one call,
        as a list serializer's child serves every item). Anything refused is
        validated again by a new serializer, so the 400 names every problem
        in the serializer's words, as before."""
        if isinstance(data, Mapping):
            out = {}
            try:
                for name, field in _bound_fields().items():
                    with contextlib.suppress(SkipField):  # absent, no default
                        out[name] = field.run_validation(field.get_value(data))
            except (serializers.ValidationError, DjangoValidationError):
                pass
            else:
                return out
        full = cls(data=data)
        full.is_valid(raise_exception=True)
        return dict(full.validated_data)


@functools.cache
def _bound_fields() -> dict[str, serializers.Field]:
    """``VehicleCheckInput``'s fields, bound once per process."""
    return dict(VehicleCheckInput().fields)


def _person(user, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    found = persons_for(user).filter(pk=person_id).first()
    if found is None:
        raise serializers.ValidationError({"person": [f"no person {person_id}"]})
    return found


def _identity(v: dict) -> actions.Identity | None:
    if not (v["name"].strip() or v["identity_number"].strip()):
        return None
    return actions.Identity(name=v["name"], identity_number=v["identity_number"], phone=v["phone"])


class ChecksView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="checkpoints_checks_list",
        parameters=[
            OpenApiParameter("station", int, description="one station's checks"),
            OpenApiParameter("day", dt.date, description="one local day"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        checks = queries.checks_for(request.user)
        station = request.query_params.get("station")
        if station:
            if not station.isdigit():
                raise serializers.ValidationError({"station": ["a station id"]})
            checks = checks.filter(station=queries.get_station_for_user(request.user, int(station)))
        day = request.query_params.get("day")
        if day:
            try:
                checks = checks.filter(day=dt.date.fromisoformat(day))
            except ValueError:
                raise serializers.ValidationError({"day": ["a date, YYYY-MM-DD"]}) from None
        return Response({"results": [check_dict(c) for c in checks[:500]]})

    @extend_schema(
        request=VehicleCheckInput, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request) -> Response:
        v = VehicleCheckInput.validated(request.data)
        # The station (inside the jurisdiction) and the areas by code in one
        # prepared statement; an area named otherwise is looked up by ``_area``.
        origin_code, destination_code = v["origin_area"].strip(), v["destination_area"].strip()
        station, origin, destination = fastpath_check.station_and_areas(
            request.user, v["station"], origin_code, destination_code
        )
        if station is None:
            raise Http404("no such checkpoint")
        check_input = actions.CheckInput(
            client_id=v["client_id"],
            plate=v["plate"],
            people=v["people"],
            code_colour=v["code_colour"],
            test_age_hours=v["test_age_hours"],
            origin_area=origin or _area(origin_code, "origin_area"),
            origin_city=v["origin_city"],
            destination_area=destination or _area(destination_code, "destination_area"),
            destination=v["destination"],
            checked_at=v["checked_at"],
            person=_person(request.user, v["person"]),
            identity=_identity(v),
        )
        check, created = run_action(
            lambda: actions.do_record_check(
                station, check_input, acting_user=request.user, request=request
            )
        )
        return Response(
            check_dict(check), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class CheckView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="checkpoints_check", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, check_id: int) -> Response:
        return Response(check_dict(queries.get_check_for_user(request.user, check_id)))


class CheckPersonInput(serializers.Serializer):
    person = serializers.IntegerField(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    identity_number = serializers.CharField(
        max_length=32, required=False, default="", allow_blank=True
    )
    phone = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)


class CheckPersonView(APIView):
    """Name the person of a check handed to quarantine or testing (the hand-off follows)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=CheckPersonInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, check_id: int) -> Response:
        check = queries.get_check_for_user(request.user, check_id)
        data = CheckPersonInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        check = run_action(
            lambda: actions.do_name_person(
                check,
                person=_person(request.user, v["person"]),
                identity=_identity(v),
                acting_user=request.user,
                request=request,
            )
        )
        return Response(check_dict(check))


class FiguresView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="checkpoints_figures",
        parameters=[
            OpenApiParameter("since", dt.date),
            OpenApiParameter("until", dt.date),
            OpenApiParameter("by", str, enum=["station", "kind"]),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        try:
            since, until = (
                dt.date.fromisoformat(request.query_params[k])
                if request.query_params.get(k)
                else None
                for k in ("since", "until")
            )
        except ValueError:
            raise serializers.ValidationError({"since": ["a date, YYYY-MM-DD"]}) from None
        by = request.query_params.get("by") or "station"
        if by not in ("station", "kind"):
            raise serializers.ValidationError({"by": ["station or kind"]})
        rows = queries.day_table(request.user, since=since, until=until, by=by)
        return Response(
            {
                "by": by,
                "totals": tally(queries.checks_for(request.user)),
                "results": [
                    {
                        "day": r["day"],
                        **(
                            {"station": r["station_id"], "station_name": r["station__name"]}
                            if by == "station"
                            else {"kind": r["station__kind"], "kind_label": r["kind_label"]}
                        ),
                        **{k: r[k] for k in TALLY},
                    }
                    for r in rows
                ],
            }
        )


def _station(request: Request, pk: int) -> Station:
    return queries.get_station_for_user(request.user, pk)


class VesselSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")

    class Meta:
        model = Vessel
        fields = [
            "id",
            "registration",
            "name",
            "home_port",
            "skipper",
            "state",
            "state_label",
            "due_back_at",
            "overdue_since",
        ]
        read_only_fields = fields


class FishingVesselInput(serializers.Serializer):
    registration = serializers.CharField(max_length=64)
    home_port = InJurisdictionField(_station)
    name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    skipper = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class VesselsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = FishingVesselInput
    output = VesselSerializer
    do = actions.do_register_vessel

    @extend_schema(
        operation_id="checkpoints_vessels_list",
        parameters=[OpenApiParameter("overdue", bool)],
        responses=inline_serializer("VesselList", {"results": VesselSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        vessels = queries.vessels_for(request.user)
        if request.query_params.get("overdue") in ("1", "true", "yes"):
            vessels = vessels.filter(overdue_since__isnull=False)
        return Response({"results": VesselSerializer(vessels[:500], many=True).data})


class VesselActionView(ActionView):
    """A POST on one vessel of the caller's jurisdiction (another county: 404)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    def get_target(self, request: Request, vessel_id: int) -> Vessel:
        return queries.get_vessel_for_user(request.user, vessel_id)


class PortReportInput(serializers.Serializer):
    port = InJurisdictionField(_station)
    movement = serializers.ChoiceField(choices=Movement.choices)
    crew = serializers.IntegerField()
    crew_names = serializers.CharField(required=False, default="", allow_blank=True)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    due_back_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class VesselReportsView(VesselActionView):
    """A vessel's exit or entry report (进出港报告)."""

    input = PortReportInput
    output = VesselSerializer
    do = actions.do_report_movement

    def perform(self, request: Request, vessel: Vessel, data: dict) -> Vessel:
        super().perform(request, vessel, data)
        vessel.refresh_from_db()
        return vessel


class CrewCheckSerializer(serializers.ModelSerializer):
    vessel_registration = serializers.CharField(source="vessel.registration")
    port_name = serializers.CharField(source="port.name")
    recorded_by = serializers.CharField(source="recorded_by_name")

    class Meta:
        model = CrewCheck
        fields = [
            "id",
            "vessel",
            "vessel_registration",
            "port",
            "port_name",
            "at",
            "crew_checked",
            "fever",
            "sampled",
            "foreign_contact",
            "notes",
            "recorded_by",
        ]
        read_only_fields = fields


class CrewCheckInput(serializers.Serializer):
    port = InJurisdictionField(_station)
    crew_checked = serializers.IntegerField()
    fever = serializers.IntegerField(required=False, default=0)
    sampled = serializers.IntegerField(required=False, default=0)
    foreign_contact = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(required=False, default="", allow_blank=True)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class VesselCrewChecksView(VesselActionView):
    """A vessel's crew health checks on landing (上岸渔民卫生防疫)."""

    input = CrewCheckInput
    output = CrewCheckSerializer
    do = actions.do_record_crew_check

    @extend_schema(
        operation_id="checkpoints_vessel_crew_checks_list",
        responses=inline_serializer("CrewCheckList", {"results": CrewCheckSerializer(many=True)}),
    )
    def get(self, request: Request, vessel_id: int) -> Response:
        vessel = queries.get_vessel_for_user(request.user, vessel_id)
        checks = queries.crew_checks_for(request.user).filter(vessel=vessel)[:500]
        return Response({"results": CrewCheckSerializer(checks, many=True).data})


class PatrolSerializer(serializers.ModelSerializer):
    port_name = serializers.CharField(source="port.name")
    recorded_by = serializers.CharField(source="recorded_by_name")

    class Meta:
        model = Patrol
        fields = [
            "id",
            "port",
            "port_name",
            "started_at",
            "ended_at",
            "route",
            "vessels_checked",
            "findings",
            "recorded_by",
        ]
        read_only_fields = fields


class PatrolInput(serializers.Serializer):
    port = InJurisdictionField(_station)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    route = serializers.CharField(max_length=255)
    vessels_checked = serializers.IntegerField(required=False, default=0, min_value=0)
    findings = serializers.CharField(required=False, default="", allow_blank=True)


class PatrolsView(ActionView):
    """Patrols of the coast and the sea from the ports (执法巡查)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = PatrolInput
    output = PatrolSerializer

    @extend_schema(
        operation_id="checkpoints_patrols_list",
        parameters=[OpenApiParameter("port", int)],
        responses=inline_serializer("PatrolList", {"results": PatrolSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        patrols = queries.patrols_for(request.user)
        port = request.query_params.get("port", "")
        if port:
            if not port.isdigit():
                raise serializers.ValidationError({"port": ["a port's id"]})
            patrols = patrols.filter(port_id=int(port))
        return Response({"results": PatrolSerializer(patrols[:500], many=True).data})

    def perform(self, request: Request, target, data: dict) -> Patrol:
        return actions.do_record_patrol(
            data.pop("port"), acting_user=request.user, request=request, **data
        )


urlpatterns = [
    path("stations/", StationsView.as_view(), name="checkpoints-stations"),
    path("stations/<int:station_id>/", StationView.as_view(), name="checkpoints-station"),
    path("checks/", ChecksView.as_view(), name="checkpoints-checks"),
    path("checks/<int:check_id>/", CheckView.as_view(), name="checkpoints-check"),
    path("checks/<int:check_id>/person/", CheckPersonView.as_view(), name="checkpoints-person"),
    path("figures/", FiguresView.as_view(), name="checkpoints-figures"),
    path("vessels/", VesselsView.as_view(), name="checkpoints-vessels"),
    path(
        "vessels/<int:vessel_id>/reports/",
        VesselReportsView.as_view(),
        name="checkpoints-vessel-reports",
    ),
    path(
        "vessels/<int:vessel_id>/crew-checks/",
        VesselCrewChecksView.as_view(),
        name="checkpoints-vessel-crew-checks",
    ),
    path("patrols/", PatrolsView.as_view(), name="checkpoints-patrols"),
]
