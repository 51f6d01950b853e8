"""REST API of the quarantine app (隔离转运), at ``/api/v1/quarantine/``.

Reading needs ``view_person``, writing ``edit_operations`` (activating a
reserve site ``approve``); every object is checked against the caller's
jurisdiction (outside it: 404). A refusal answers 400 with the action's
messages by field.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core import audit
from zhanyi.core.api import ActionView, InJurisdictionField, MaskedNameField
from zhanyi.handoffs.models import Handoff
from zhanyi.people.models import Person
from zhanyi.places.api import AreaCodeField

from . import actions, queries
from .models import ContactKind, HealthCheck, Placement, PlacementState, Room, Site, SiteKind

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def _handoff(request: Request, pk: int) -> Handoff:
    return queries.get_handoff_for_user(request.user, pk)


def _room(request: Request, pk: int) -> Room:
    return queries.get_room_for_user(request.user, pk)


def _placement(request: Request, pk: int) -> Placement:
    return queries.get_placement_for_user(request.user, pk)


class QuarantineSiteSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    occupancy = serializers.SerializerMethodField()

    class Meta:
        model = Site
        fields = ["id", "name", "area", "kind", "state", "lon", "lat", "occupancy"]
        fields += ["zones_checklist"]
        read_only_fields = fields

    def get_occupancy(self, site: Site) -> float:
        return queries.occupancy(site)


class QuarantinePlacementSerializer(serializers.ModelSerializer):
    """A placement as lists and answers show it (the name masked)."""

    name = MaskedNameField(source="person.name")
    room = serializers.CharField(source="room.number")
    room_id = serializers.IntegerField()

    class Meta:
        model = Placement
        fields = ["id", "person", "name", "site", "room", "room_id", "state", "kind", "days"]
        fields += ["due_at", "starts_at", "placed_at", "ended_at"]
        read_only_fields = fields


class QuarantineRoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "number", "capacity", "state"]
        read_only_fields = fields


class QuarantineWaitingSerializer(serializers.ModelSerializer):
    """Someone in the queue, waiting to be placed (the name masked)."""

    handoff = serializers.IntegerField(source="pk")
    name = MaskedNameField(source="person.name")
    area = serializers.CharField(source="area.code")

    class Meta:
        model = Handoff
        fields = ["handoff", "person", "name", "area", "due_at"]
        read_only_fields = fields


class QuarantineQueuedSerializer(serializers.ModelSerializer):
    handoff = serializers.IntegerField(source="pk")

    class Meta:
        model = Handoff
        fields = ["handoff", "due_at"]
        read_only_fields = fields


class QuarantineSiteInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    area = AreaCodeField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    kind = serializers.ChoiceField(choices=SiteKind.choices, default=SiteKind.HOTEL)
    reserve = serializers.BooleanField(default=False)
    address = serializers.CharField(max_length=255, required=False, default="")


class SitesView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = QuarantineSiteInput
    output = QuarantineSiteSerializer

    @extend_schema(
        operation_id="quarantine_sites_list",
        responses=inline_serializer(
            "QuarantineSiteList", {"results": QuarantineSiteSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        sites = queries.sites_for(request.user)[:500]
        return Response({"results": QuarantineSiteSerializer(sites, many=True).data})

    def perform(self, request: Request, target, data: dict) -> Site:
        state = "reserve" if data.pop("reserve") else "active"
        return actions.do_create_site(
            acting_user=request.user, state=state, request=request, **data
        )


class SiteActionView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    def get_target(self, request: Request, site_id: int) -> Site:
        return queries.get_site_for_user(request.user, site_id)


class QuarantineRoomsInput(serializers.Serializer):
    numbers = serializers.ListField(child=serializers.CharField(max_length=16), min_length=1)
    capacity = serializers.IntegerField(default=1)


class QuarantineRoomsAddedSerializer(serializers.Serializer):
    added = serializers.SerializerMethodField()

    def get_added(self, rooms: list[Room]) -> int:
        return len(rooms)


class SiteRoomsView(SiteActionView):
    input = QuarantineRoomsInput
    output = QuarantineRoomsAddedSerializer
    do = actions.do_add_rooms

    @extend_schema(
        operation_id="quarantine_site_rooms",
        responses=inline_serializer(
            "QuarantineSiteRooms",
            {"site": QuarantineSiteSerializer(), "rooms": QuarantineRoomSerializer(many=True)},
        ),
    )
    def get(self, request: Request, site_id: int) -> Response:
        site = self.get_target(request, site_id)
        rooms = site.rooms.order_by("number")
        return Response(
            {
                "site": QuarantineSiteSerializer(site).data,
                "rooms": QuarantineRoomSerializer(rooms, many=True).data,
            }
        )


class ActivateView(SiteActionView):
    input = None
    output = QuarantineSiteSerializer
    do = actions.do_activate_site
    status_code = status.HTTP_200_OK


class QuarantineQueueInput(serializers.Serializer):
    person = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ContactKind.choices, default=ContactKind.CLOSE)

    def validate_person(self, pk: int) -> Person:
        person = Person.objects.filter(pk=pk).first()
        if person is None:
            raise serializers.ValidationError(_("no such person"))
        return person


class QueueView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = QuarantineQueueInput
    output = QuarantineQueuedSerializer
    do = actions.do_add_to_queue

    @extend_schema(
        operation_id="quarantine_queue",
        responses=inline_serializer(
            "QuarantineQueue", {"results": QuarantineWaitingSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        waiting = list(queries.queue(request.user)[:500])
        audit.record(
            actor=request.user,
            action="quarantine.queue.api_view",
            object_type="quarantine.queue",
            detail={"persons": [h.person_id for h in waiting]},
            request=request,
        )
        return Response({"results": QuarantineWaitingSerializer(waiting, many=True).data})


class QuarantinePlanSerializer(serializers.Serializer):
    """A placement plan: its figures and the placements it proposes."""

    proposed = serializers.IntegerField()
    waiting_households = serializers.IntegerField()
    travel_km = serializers.FloatField()
    gap_pct = serializers.FloatField(allow_null=True)
    method = serializers.CharField()
    proposals = QuarantinePlacementSerializer(many=True)


class PlanView(ActionView):
    permission_classes = PERMISSIONS
    input = None
    output = QuarantinePlanSerializer
    status_code = status.HTTP_200_OK

    def perform(self, request: Request, target, data: dict) -> dict:
        proposals, figures = actions.do_plan_placements(acting_user=request.user, request=request)
        return {**figures, "proposals": proposals}


class PlacementsView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="quarantine_placements",
        responses=inline_serializer(
            "QuarantinePlacementList", {"results": QuarantinePlacementSerializer(many=True)}
        ),
    )
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
        return Response({"results": QuarantinePlacementSerializer(rows, many=True).data})


class QuarantinePlaceInput(serializers.Serializer):
    handoff = InJurisdictionField(_handoff)
    room = InJurisdictionField(_room)


class PlaceView(ActionView):
    """One person waiting placed by hand in a room at once."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = QuarantinePlaceInput
    output = QuarantinePlacementSerializer
    do = actions.do_place


class QuarantineConfirmInput(serializers.Serializer):
    placements = serializers.ListField(child=InJurisdictionField(_placement), min_length=1)


class QuarantinePlacedSerializer(serializers.Serializer):
    placed = QuarantinePlacementSerializer(many=True, source="*")


class ConfirmView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = QuarantineConfirmInput
    output = QuarantinePlacedSerializer
    do = actions.do_confirm_placements
    status_code = status.HTTP_200_OK


class PlacementActionView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    def get_target(self, request: Request, placement_id: int) -> Placement:
        return queries.get_placement_for_user(request.user, placement_id)


class QuarantineMoveInput(serializers.Serializer):
    room = InJurisdictionField(_room)


class MoveView(PlacementActionView):
    input = QuarantineMoveInput
    output = QuarantinePlacementSerializer
    do = actions.do_move_placement
    status_code = status.HTTP_200_OK


class QuarantineCheckInput(serializers.Serializer):
    temperature = serializers.DecimalField(max_digits=3, decimal_places=1)
    symptoms = serializers.CharField(max_length=255, required=False, default="")


class QuarantineHealthCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = HealthCheck
        fields = ["id", "temperature"]
        read_only_fields = fields


class CheckView(PlacementActionView):
    input = QuarantineCheckInput
    output = QuarantineHealthCheckSerializer
    do = actions.do_record_health_check


class ReleaseView(PlacementActionView):
    input = None
    output = QuarantinePlacementSerializer
    do = actions.do_release
    status_code = status.HTTP_200_OK


class QuarantineCapacitySerializer(serializers.Serializer):
    area = serializers.CharField(source="area.code")
    rooms = serializers.IntegerField()
    reserve_rooms = serializers.IntegerField()
    cases = serializers.IntegerField()
    population = serializers.IntegerField()
    target = serializers.IntegerField()
    shortfall = serializers.IntegerField()


class CapacityView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="quarantine_capacity",
        responses=inline_serializer(
            "QuarantineCapacityList", {"results": QuarantineCapacitySerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        capacities = queries.capacities_for(request.user)
        return Response({"results": QuarantineCapacitySerializer(capacities, many=True).data})


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
