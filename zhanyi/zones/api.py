"""REST API of the risk zones (分区分级), at ``/api/v1/zones/``.

Reading needs ``view_person``; proposing ``edit_operations``; approving,
rejecting, stepping down and lifting ``approve``. A zone outside the caller's
reach is a 404; a refusal answers 400 with the action's messages by field.
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.core.api import ActionView
from zhanyi.places.api import AreaCodeListField
from zhanyi.places.models import Area, Place
from zhanyi.places.risk import Tier, risk_of_area

from . import actions, queries
from .actions.proposals import Proposals
from .lifting import waiting_reasons
from .models import Zone, ZoneEvent


class ZonesCapability(BasePermission):
    def has_permission(self, request, view) -> bool:
        needed = (
            "view_person"
            if request.method in ("GET", "HEAD", "OPTIONS")
            else getattr(view, "write_capability", "edit_operations")
        )
        return (
            has_capability(request.user, needed)
            and jurisdiction.root_path(request.user) is not None
        )


PERMISSIONS = [IsAuthenticated, ZonesCapability]


def _row(zone: Zone) -> queries.ZoneRow:
    """The zone as the lists show it, read afresh (with its people and countdown)."""
    return queries.rows([Zone.objects.get(pk=zone.pk)], timezone.now())[0]


class ZoneSerializer(serializers.Serializer):
    """A zone as the lists and answers show it (a ``queries.ZoneRow``)."""

    id = serializers.IntegerField(source="zone.pk")
    name = serializers.CharField(source="zone.name")
    tier = serializers.CharField(source="zone.tier")
    tier_label = serializers.CharField(source="zone.get_tier_display")
    state = serializers.CharField(source="zone.state")
    state_label = serializers.CharField(source="zone.get_state_display")
    reason = serializers.CharField(source="zone.reason")
    area = serializers.CharField(source="zone.area.code")
    areas = serializers.SerializerMethodField()
    places = serializers.SerializerMethodField()
    polygon = serializers.JSONField(source="zone.polygon")
    proposed_at = serializers.DateTimeField(source="zone.proposed_at")
    proposed_by = serializers.CharField(source="zone.proposed_by_name")
    approved_at = serializers.DateTimeField(source="zone.approved_at")
    approved_by = serializers.CharField(source="zone.approved_by_name")
    starts_at = serializers.DateTimeField(source="zone.starts_at")
    lifted_at = serializers.DateTimeField(source="zone.lifted_at")
    people = serializers.IntegerField()
    days_to_lifting = serializers.SerializerMethodField()
    # What still stands in the way (the residents' round is weighed on the zone's page).
    waiting_for = serializers.SerializerMethodField()
    ready_since = serializers.DateTimeField(source="zone.ready_since")

    def get_areas(self, row: queries.ZoneRow) -> list[str]:
        return [a.code for a in row.zone.areas.all()]

    def get_places(self, row: queries.ZoneRow) -> list[int]:
        return [p.pk for p in row.zone.places.all()]

    def get_days_to_lifting(self, row: queries.ZoneRow) -> int | None:
        return row.check.days_left if row.check else None

    def get_waiting_for(self, row: queries.ZoneRow) -> list[str]:
        return waiting_reasons(row.check) if row.check else []


class ZoneEventSerializer(serializers.ModelSerializer):
    kind = serializers.CharField()
    from_tier = serializers.CharField()
    to_tier = serializers.CharField()
    label = serializers.CharField(source="get_kind_display")
    by = serializers.CharField(source="by_name")

    class Meta:
        model = ZoneEvent
        fields = ["kind", "label", "at", "by", "from_tier", "to_tier", "note", "notice"]
        read_only_fields = fields


class ZoneDetailSerializer(ZoneSerializer):
    history = ZoneEventSerializer(source="zone.events.all", many=True)


class ZoneInput(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    name = serializers.CharField(max_length=200)
    reason = serializers.CharField()
    areas = AreaCodeListField(default=list)
    places = serializers.ListField(child=serializers.IntegerField(), default=list)
    polygon = serializers.JSONField(required=False, allow_null=True, default=None)

    def validate_places(self, ids: list[int]) -> list[Place]:
        places = list(Place.objects.filter(pk__in=ids).select_related("area"))
        if len(places) != len(set(ids)):
            raise serializers.ValidationError(_("no such place"))
        return places


class ZonesView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = ZoneInput
    output = ZoneSerializer
    do = actions.do_propose_zone

    @extend_schema(
        operation_id="zones_list",
        responses=inline_serializer("ZoneList", {"results": ZoneSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        zones = queries.zones_for(request.user)[:500]
        return Response(
            {"results": ZoneSerializer(queries.rows(zones, timezone.now()), many=True).data}
        )

    def perform(self, request: Request, target, data: dict) -> queries.ZoneRow:
        return _row(super().perform(request, target, data))


class ZoneView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="zones_detail", responses=ZoneDetailSerializer)
    def get(self, request: Request, zone_id: int) -> Response:
        zone = queries.get_zone_for_user(request.user, zone_id)
        return Response(ZoneDetailSerializer(queries.rows([zone], timezone.now())[0]).data)


class AreaRiskView(APIView):
    """The strongest zone in force over an area (``zhanyi.places.risk``), for
    the tools outside that ask a tier: ``?area=CODE`` (default: the caller's
    own area)."""

    permission_classes = PERMISSIONS

    @extend_schema(operation_id="zones_area_risk", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        code = request.query_params.get("area", "")
        root = jurisdiction.root_path(request.user) or ""
        area = Area.objects.filter(code=code).first() if code else None
        if code and (area is None or not area.path.startswith(root)):
            raise NotFound("no such area in your jurisdiction")
        area = area or Area.objects.filter(path=root).first()
        if area is None:
            raise NotFound("no area")
        risk = risk_of_area(area, timezone.now())
        return Response(
            {
                "area": area.code,
                "tier": risk.tier if risk else None,
                "tier_label": risk.label if risk else None,
                "zone": risk.zone_id if risk else None,
                "zone_name": risk.zone_name if risk else None,
                "since": risk.since if risk else None,
            }
        )


class ZoneProposalsSerializer(serializers.Serializer):
    proposed = serializers.SerializerMethodField()
    existing = serializers.SerializerMethodField()
    skipped = serializers.ListField(child=serializers.CharField())

    def get_proposed(self, made: Proposals) -> list[int]:
        return [z.pk for z in made.zones]

    def get_existing(self, made: Proposals) -> list[int]:
        return [z.pk for z in made.existing]


class ProposeFromCasesView(ActionView):
    permission_classes = PERMISSIONS
    input = None
    output = ZoneProposalsSerializer
    do = actions.do_propose_from_cases


class ZoneDecisionInput(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class DecisionView(ActionView):
    """approve, reject, step-down, lift: decisions needing ``approve``, each a
    step of the zone's life answered with the zone as it stands after it."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    write_capability = "approve"
    input = ZoneDecisionInput
    output = ZoneSerializer
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, zone_id: int) -> Zone:
        return queries.get_zone_for_user(request.user, zone_id)

    def perform(self, request: Request, target, data: dict) -> queries.ZoneRow:
        return _row(super().perform(request, target, data))


class ApproveView(DecisionView):
    operation_id = "zones_approve"
    do = actions.do_approve_zone

    def perform(self, request: Request, target, data: dict) -> queries.ZoneRow:
        data.pop("reason")  # an approval gives none
        return super().perform(request, target, data)


class RejectView(DecisionView):
    operation_id = "zones_reject"
    do = actions.do_reject_zone


class StepDownView(DecisionView):
    operation_id = "zones_step_down"
    do = actions.do_step_down_zone


class LiftView(DecisionView):
    operation_id = "zones_lift"
    do = actions.do_lift_zone


urlpatterns = [
    path("", ZonesView.as_view(), name="zones-list"),
    path("risk/", AreaRiskView.as_view(), name="zones-area-risk"),
    path("propose-from-cases/", ProposeFromCasesView.as_view(), name="zones-propose-from-cases"),
    path("<int:zone_id>/", ZoneView.as_view(), name="zones-detail"),
    path("<int:zone_id>/approve/", ApproveView.as_view(), name="zones-approve"),
    path("<int:zone_id>/reject/", RejectView.as_view(), name="zones-reject"),
    path("<int:zone_id>/step-down/", StepDownView.as_view(), name="zones-step-down"),
    path("<int:zone_id>/lift/", LiftView.as_view(), name="zones-lift"),
]
