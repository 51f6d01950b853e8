"""REST API of the risk zones (分区分级), at ``/api/v1/zones/``.

Reading needs ``view_person``; proposing ``edit_operations``; approving,
rejecting, stepping down and lifting ``approve``. A zone outside the caller's
reach is a 404; a refusal answers 400 with the action's messages by field.
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.core.api import run_action
from zhanyi.places.models import Area, Place
from zhanyi.places.risk import Tier, risk_of_area

from . import actions, queries
from .lifting import waiting_reasons
from .models import Zone


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


def zone_dict(row: queries.ZoneRow) -> dict:
    z = row.zone
    return {
        "id": z.pk,
        "name": z.name,
        "tier": z.tier,
        "tier_label": z.get_tier_display(),
        "state": z.state,
        "state_label": z.get_state_display(),
        "reason": z.reason,
        "area": z.area.code,
        "areas": [a.code for a in z.areas.all()],
        "places": [p.pk for p in z.places.all()],
        "polygon": z.polygon,
        "proposed_at": z.proposed_at,
        "proposed_by": z.proposed_by_name,
        "approved_at": z.approved_at,
        "approved_by": z.approved_by_name,
        "starts_at": z.starts_at,
        "lifted_at": z.lifted_at,
        "people": row.people,
        "days_to_lifting": row.check.days_left if row.check else None,
        # What still stands in the way (the residents' round is weighed on the zone's page).
        "waiting_for": waiting_reasons(row.check) if row.check else [],
        "ready_since": z.ready_since,
    }


class ZoneInput(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    name = serializers.CharField(max_length=200)
    reason = serializers.CharField()
    areas = serializers.ListField(child=serializers.CharField(max_length=32), default=list)
    places = serializers.ListField(child=serializers.IntegerField(), default=list)
    polygon = serializers.JSONField(required=False, allow_null=True, default=None)


class ZonesView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="zones_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        zones = queries.zones_for(request.user)[:500]
        return Response({"results": [zone_dict(r) for r in queries.rows(zones, timezone.now())]})

    @extend_schema(request=ZoneInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = ZoneInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        areas = list(Area.objects.filter(code__in=v["areas"]))
        unknown = sorted(set(v["areas"]) - {a.code for a in areas})
        if unknown:
            raise serializers.ValidationError({"areas": [f"no such area: {c}" for c in unknown]})
        places = list(Place.objects.filter(pk__in=v["places"]).select_related("area"))
        if len(places) != len(set(v["places"])):
            raise serializers.ValidationError({"places": ["no such place"]})
        zone = run_action(
            lambda: actions.do_propose_zone(
                tier=v["tier"],
                name=v["name"],
                reason=v["reason"],
                areas=areas,
                places=places,
                polygon=v["polygon"],
                acting_user=request.user,
                request=request,
            )
        )
        row = queries.rows([zone], timezone.now())[0]
        return Response(zone_dict(row), status=status.HTTP_201_CREATED)


class ZoneView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="zones_detail", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, zone_id: int) -> Response:
        zone = queries.get_zone_for_user(request.user, zone_id)
        out = zone_dict(queries.rows([zone], timezone.now())[0])
        out["history"] = [
            {
                "kind": e.kind,
                "label": e.get_kind_display(),
                "at": e.at,
                "by": e.by_name,
                "from_tier": e.from_tier,
                "to_tier": e.to_tier,
                "note": e.note,
                "notice": e.notice,
            }
            for e in zone.events.all()
        ]
        return Response(out)


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


class ProposeFromCasesView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        made = run_action(
            lambda: actions.do_propose_from_cases(acting_user=request.user, request=request)
        )
        return Response(
            {
                "proposed": [z.pk for z in made.zones],
                "existing": [z.pk for z in made.existing],
                "skipped": made.skipped,
            },
            status=status.HTTP_201_CREATED,
        )


class DecisionInput(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class DecisionView(APIView):
    """approve, reject, step-down, lift: decisions needing ``approve``."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    write_capability = "approve"
    decision = ""

    @extend_schema(request=DecisionInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, zone_id: int) -> Response:
        zone = queries.get_zone_for_user(request.user, zone_id)
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"]
        user = request.user
        calls = {
            "approve": lambda: actions.do_approve_zone(zone, acting_user=user, request=request),
            "reject": lambda: actions.do_reject_zone(
                zone, acting_user=user, reason=reason, request=request
            ),
            "step-down": lambda: actions.do_step_down_zone(
                zone, acting_user=user, reason=reason, request=request
            ),
            "lift": lambda: actions.do_lift_zone(
                zone, acting_user=user, reason=reason, request=request
            ),
        }
        zone = run_action(calls[self.decision])
        return Response(zone_dict(queries.rows([Zone.objects.get(pk=zone.pk)], timezone.now())[0]))


def _decision(name: str):
    """A view per decision, each with its own operation in the schema."""

    class View(DecisionView):
        decision = name

        @extend_schema(
            operation_id=f"zones_{name.replace('-', '_')}",
            request=DecisionInput,
            responses=OpenApiTypes.OBJECT,
        )
        def post(self, request: Request, zone_id: int) -> Response:
            return super().post(request, zone_id)

    return View.as_view()


urlpatterns = [
    path("", ZonesView.as_view(), name="zones-list"),
    path("risk/", AreaRiskView.as_view(), name="zones-area-risk"),
    path("propose-from-cases/", ProposeFromCasesView.as_view(), name="zones-propose-from-cases"),
    path("<int:zone_id>/", ZoneView.as_view(), name="zones-detail"),
    path("<int:zone_id>/approve/", _decision("approve"), name="zones-approve"),
    path("<int:zone_id>/reject/", _decision("reject"), name="zones-reject"),
    path("<int:zone_id>/step-down/", _decision("step-down"), name="zones-step-down"),
    path("<int:zone_id>/lift/", _decision("lift"), name="zones-lift"),
]
