"""REST API of the quarantine app (隔离转运), at ``/api/v1/quarantine/``.

Reading needs ``view_person``, writing ``edit_operations`` (activating a
reserve site ``approve``); every object is checked against the caller's
jurisdiction (outside it: 404). A refusal answers 400 with the action's
messages by field.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core import audit
from zhanyi.core.api import run_action
from zhanyi.core.masking import mask_name
from zhanyi.people.models import Person
from zhanyi.places.models import Area

from . import actions, queries
from .models import ContactKind, Placement, PlacementState, Site, SiteKind

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def site_dict(s: Site) -> dict:
    return {
        "id": s.pk,
        "name": s.name,
        "area": s.area.code,
        "kind": s.kind,
        "state": s.state,
        "lon": s.lon,
        "lat": s.lat,
        "occupancy": queries.occupancy(s),
        "zones_checklist": s.zones_checklist,
    }


def placement_dict(p: Placement) -> dict:
    return {
        "id": p.pk,
        "person": p.person_id,
        "name": mask_name(p.person.name),
        "site": p.site_id,
        "room": p.room.number,
        "room_id": p.room_id,
        "state": p.state,
        "kind": p.kind,
        "days": p.days,
        "due_at": p.due_at,
        "starts_at": p.starts_at,
        "placed_at": p.placed_at,
        "ended_at": p.ended_at,
    }


class SiteInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    area = serializers.CharField(max_length=32)
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    kind = serializers.ChoiceField(choices=SiteKind.choices, default=SiteKind.HOTEL)
    reserve = serializers.BooleanField(default=False)
    address = serializers.CharField(max_length=255, required=False, default="")


class SitesView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="quarantine_sites_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response({"results": [site_dict(s) for s in queries.sites_for(request.user)[:500]]})

    @extend_schema(request=SiteInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = SiteInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        area = Area.objects.filter(code=v["area"]).first()
        if area is None:
            raise serializers.ValidationError({"area": ["no such area"]})
        site = run_action(
            lambda: actions.do_create_site(
                acting_user=request.user,
                name=v["name"],
                area=area,
                lon=v["lon"],
                lat=v["lat"],
                kind=v["kind"],
                address=v["address"],
                state="reserve" if v["reserve"] else "active",
                request=request,
            )
        )
        return Response(site_dict(site), status=status.HTTP_201_CREATED)


class RoomsInput(serializers.Serializer):
    numbers = serializers.ListField(child=serializers.CharField(max_length=16), min_length=1)
    capacity = serializers.IntegerField(default=1)


class SiteRoomsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="quarantine_site_rooms", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, site_id: int) -> Response:
        site = queries.get_site_for_user(request.user, site_id)
        rooms = site.rooms.order_by("number").values("id", "number", "capacity", "state")
        return Response({"site": site_dict(site), "rooms": list(rooms)})

    @extend_schema(request=RoomsInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, site_id: int) -> Response:
        site = queries.get_site_for_user(request.user, site_id)
        data = RoomsInput(data=request.data)
        data.is_valid(raise_exception=True)
        rooms = run_action(
            lambda: actions.do_add_rooms(
                site,
                data.validated_data["numbers"],
                capacity=data.validated_data["capacity"],
                acting_user=request.user,
                request=request,
            )
        )
        return Response({"added": len(rooms)}, status=status.HTTP_201_CREATED)


class ActivateView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, site_id: int) -> Response:
        site = queries.get_site_for_user(request.user, site_id)
        site = run_action(
            lambda: actions.do_activate_site(site, acting_user=request.user, request=request)
        )
        return Response(site_dict(site))


class QueueInput(serializers.Serializer):
    person = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ContactKind.choices, default=ContactKind.CLOSE)


class QueueView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="quarantine_queue", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        waiting = list(queries.queue(request.user)[:500])
        audit.record(
            actor=request.user,
            action="quarantine.queue.api_view",
            object_type="quarantine.queue",
            detail={"persons": [h.person_id for h in waiting]},
            request=request,
        )
        return Response(
            {
                "results": [
                    {
                        "handoff": h.pk,
                        "person": h.person_id,
                        "name": mask_name(h.person.name),
                        "area": h.area.code,
                        "due_at": h.due_at,
                    }
                    for h in waiting
                ]
            }
        )

    @extend_schema(request=QueueInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = QueueInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = Person.objects.filter(pk=data.validated_data["person"]).first()
        if person is None:
            raise serializers.ValidationError({"person": ["no such person"]})
        handoff = run_action(
            lambda: actions.do_add_to_queue(
                person, kind=data.validated_data["kind"], acting_user=request.user, request=request
            )
        )
        return Response(
            {"handoff": handoff.pk, "due_at": handoff.due_at}, status=status.HTTP_201_CREATED
        )


class PlanView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        proposals, figures = run_action(
            lambda: actions.do_plan_placements(acting_user=request.user, request=request)
        )
        return Response({**figures, "proposals": [placement_dict(p) for p in proposals]})


class ConfirmInput(serializers.Serializer):
    placements = serializers.ListField(child=serializers.IntegerField(), min_length=1)


class PlacementsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="quarantine_placements", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        state = request.query_params.get("state") or PlacementState.PLACED
        rows = list(queries.placements_for(request.user).filter(state=state)[:500])
        audit.record(
            actor=request.user,
            action="quarantine.placement.api_view",
            object_type="quarantine.placement",
            detail={"persons": [p.person_id for p in rows]},
            request=request,
        )
        return Response({"results": [placement_dict(p) for p in rows]})


class PlaceInput(serializers.Serializer):
    handoff = serializers.IntegerField()
    room = serializers.IntegerField()


class PlaceView(APIView):
    """One person waiting placed by hand in a room at once."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=PlaceInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = PlaceInput(data=request.data)
        data.is_valid(raise_exception=True)
        handoff = queries.get_handoff_for_user(request.user, data.validated_data["handoff"])
        room = queries.get_room_for_user(request.user, data.validated_data["room"])
        placed = run_action(
            lambda: actions.do_place(handoff, room, acting_user=request.user, request=request)
        )
        return Response(placement_dict(placed), status=status.HTTP_201_CREATED)


class ConfirmView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=ConfirmInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = ConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        chosen = [
            queries.get_placement_for_user(request.user, pk)
            for pk in data.validated_data["placements"]
        ]
        done = run_action(
            lambda: actions.do_confirm_placements(chosen, acting_user=request.user, request=request)
        )
        return Response({"placed": [placement_dict(p) for p in done]})


class MoveInput(serializers.Serializer):
    room = serializers.IntegerField()


class MoveView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=MoveInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, placement_id: int) -> Response:
        placement = queries.get_placement_for_user(request.user, placement_id)
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        room = queries.get_room_for_user(request.user, data.validated_data["room"])
        moved = run_action(
            lambda: actions.do_move_placement(
                placement, room, acting_user=request.user, request=request
            )
        )
        return Response(placement_dict(moved))


class CheckInput(serializers.Serializer):
    temperature = serializers.DecimalField(max_digits=3, decimal_places=1)
    symptoms = serializers.CharField(max_length=255, required=False, default="")


class CheckView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=CheckInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, placement_id: int) -> Response:
        placement = queries.get_placement_for_user(request.user, placement_id)
        data = CheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        check = run_action(
            lambda: actions.do_record_health_check(
                placement,
                temperature=data.validated_data["temperature"],
                symptoms=data.validated_data["symptoms"],
                acting_user=request.user,
                request=request,
            )
        )
        return Response(
            {"id": check.pk, "temperature": str(check.temperature)}, status=status.HTTP_201_CREATED
        )


class ReleaseView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, placement_id: int) -> Response:
        placement = queries.get_placement_for_user(request.user, placement_id)
        released = run_action(
            lambda: actions.do_release(placement, acting_user=request.user, request=request)
        )
        return Response(placement_dict(released))


class CapacityView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="quarantine_capacity", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(
            {
                "results": [
                    {
                        "area": c.area.code,
                        "rooms": c.rooms,
                        "reserve_rooms": c.reserve_rooms,
                        "cases": c.cases,
                        "population": c.population,
                        "target": c.target,
                        "shortfall": c.shortfall,
                    }
                    for c in queries.capacities_for(request.user)
                ]
            }
        )


urlpatterns = [
    path("sites/", SitesView.as_view(), name="quarantine-sites"),
    path("sites/<int:site_id>/rooms/", SiteRoomsView.as_view(), name="quarantine-site-rooms"),
    path("sites/<int:site_id>/activate/", ActivateView.as_view(), name="quarantine-site-activate"),
    path("queue/", QueueView.as_view(), name="quarantine-queue"),
    path("plan/", PlanView.as_view(), name="quarantine-plan"),
    path("placements/", PlacementsView.as_view(), name="quarantine-placements"),
    path("placements/place/", PlaceView.as_view(), name="quarantine-place"),
    path("placements/confirm/", ConfirmView.as_view(), name="quarantine-confirm"),
    path("placements/<int:placement_id>/move/", MoveView.as_view(), name="quarantine-move"),
    path("placements/<int:placement_id>/checks/", CheckView.as_view(), name="quarantine-checks"),
    path(
        "placements/<int:placement_id>/release/", ReleaseView.as_view(), name="quarantine-release"
    ),
    path("capacity/", CapacityView.as_view(), name="quarantine-capacity"),
]
