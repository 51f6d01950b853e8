"""Supervision (督导) over the API: the ledger of every overdue item, the
groups, their visits and findings, rectifications, accountability."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.models import TaskForceKind
from zhanyi.command import actions, queries
from zhanyi.command.models import (
    Accountability,
    Finding,
    GroupKind,
    Measure,
    SupervisionGroup,
    Visit,
)
from zhanyi.core.api import ActionView
from zhanyi.places.api import area_by_code


class LedgerItemSerializer(serializers.Serializer):
    deadline = serializers.CharField(source="item.deadline")
    kind = serializers.CharField()
    what = serializers.CharField(source="item.what")
    whose = serializers.CharField(source="item.whose")
    owner = serializers.CharField()
    owner_label = serializers.CharField()
    area = serializers.CharField(source="item.area.code")
    area_name = serializers.CharField(source="item.area.name")
    due_at = serializers.DateTimeField(source="item.due_at")
    closed_at = serializers.DateTimeField(source="item.closed_at", allow_null=True)
    late_hours = serializers.FloatField()
    link = serializers.CharField(source="item.link")


class LedgerSerializer(serializers.Serializer):
    open = LedgerItemSerializer(many=True)
    closed_late = LedgerItemSerializer(many=True)


class LedgerView(APIView):
    """Every overdue item of every task force in the caller's jurisdiction,
    the latest first, and those closed late in the last 7 days."""

    @extend_schema(
        parameters=[
            OpenApiParameter("owner", str, enum=TaskForceKind.values),
            OpenApiParameter("area", str, description="an area code within your jurisdiction"),
        ],
        responses={200: LedgerSerializer},
    )
    def get(self, request: Request) -> Response:
        owner = request.query_params.get("owner", "")
        if owner and owner not in TaskForceKind.values:
            raise ValidationError(
                {"owner": [_("%(owner)s is not a task force.") % {"owner": owner}]}
            )
        area = queries.ledger_area(request.user, request.query_params.get("area", ""))
        result = queries.ledger(area, owner=owner)
        return Response(LedgerSerializer(result).data)


class GroupSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    kind = serializers.CharField(help_text=f"one of {', '.join(GroupKind.values)}")

    class Meta:
        model = SupervisionGroup
        fields = ["id", "name", "kind", "area", "leader", "members"]
        read_only_fields = ["id"]


class GroupsView(ActionView):
    """The supervision and inspection groups; POST sets one up (``approve``)."""

    input = GroupSerializer
    output = GroupSerializer

    @extend_schema(responses={200: GroupSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(GroupSerializer(queries.groups_for_user(request.user), many=True).data)

    def perform(self, request: Request, target, data: dict) -> SupervisionGroup:
        area = area_by_code(data.pop("area")["code"])
        return actions.do_create_group(acting_user=request.user, area=area, request=request, **data)


class FindingSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(
        required=False, allow_blank=True, help_text="the task force that rectifies (its kind)"
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "visit",
            "text",
            "owner",
            "rectify_by",
            "rectified_at",
            "rectified_by_name",
            "rectification",
        ]
        read_only_fields = ["id", "visit", "rectified_at", "rectified_by_name", "rectification"]


class VisitSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "group",
            "area",
            "visited_at",
            "place",
            "notes",
            "recorded_by_name",
            "findings",
        ]
        read_only_fields = ["id", "group", "recorded_by_name", "findings"]


class GroupVisitsView(ActionView):
    """A group's visits; POST records one (``edit_operations``, in the area)."""

    input = VisitSerializer
    output = VisitSerializer

    @extend_schema(responses={200: VisitSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        group = queries.get_group_for_user(request.user, pk)
        visits = queries.visits_for_user(request.user).filter(group=group)
        return Response(VisitSerializer(visits, many=True).data)

    def get_target(self, request: Request, pk: int) -> SupervisionGroup:
        return queries.get_group_for_user(request.user, pk)

    def perform(self, request: Request, group: SupervisionGroup, data: dict) -> Visit:
        area = area_by_code(data.pop("area")["code"])
        return actions.do_record_visit(
            group, acting_user=request.user, area=area, request=request, **data
        )


class VisitFindingsView(ActionView):
    """POST: a finding of a visit, with its rectification deadline."""

    input = FindingSerializer
    output = FindingSerializer
    do = actions.do_add_finding

    def get_target(self, request: Request, pk: int) -> Visit:
        return queries.get_visit_for_user(request.user, pk)


class RectifySerializer(serializers.Serializer):
    rectification = serializers.CharField(allow_blank=True)


class RectifyView(ActionView):
    """POST: the finding is rectified (what was done)."""

    input = RectifySerializer
    output = FindingSerializer
    do = actions.do_rectify
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, pk: int) -> Finding:
        return queries.get_finding_for_user(request.user, pk)


class AccountabilitySerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    measure = serializers.CharField(help_text=f"one of {', '.join(Measure.values)}")

    class Meta:
        model = Accountability
        fields = [
            "id",
            "area",
            "held",
            "measure",
            "reason",
            "finding",
            "directive",
            "decided_at",
            "recorded_by_name",
        ]
        read_only_fields = ["id", "finding", "directive", "decided_at", "recorded_by_name"]


class AccountabilityView(ActionView):
    """Accountability records (问责); POST records one (``approve``)."""

    input = AccountabilitySerializer
    output = AccountabilitySerializer

    @extend_schema(responses={200: AccountabilitySerializer(many=True)})
    def get(self, request: Request) -> Response:
        records = queries.accountability_for_user(request.user)[:500]
        return Response(AccountabilitySerializer(records, many=True).data)

    def perform(self, request: Request, target, data: dict) -> Accountability:
        area = area_by_code(data.pop("area")["code"])
        return actions.do_record_accountability(
            acting_user=request.user, area=area, request=request, **data
        )


urlpatterns = [
    path("supervision/ledger/", LedgerView.as_view(), name="api-supervision-ledger"),
    path("supervision/groups/", GroupsView.as_view(), name="api-supervision-groups"),
    path(
        "supervision/groups/<int:pk>/visits/",
        GroupVisitsView.as_view(),
        name="api-supervision-visits",
    ),
    path(
        "supervision/visits/<int:pk>/findings/",
        VisitFindingsView.as_view(),
        name="api-supervision-findings",
    ),
    path(
        "supervision/findings/<int:pk>/rectify/",
        RectifyView.as_view(),
        name="api-supervision-rectify",
    ),
    path(
        "supervision/accountability/",
        AccountabilityView.as_view(),
        name="api-supervision-accountability",
    ),
]
