"""Supervision (督导) over the API: the ledger of every overdue item, the
groups, their visits and findings, rectifications, accountability."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
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
from zhanyi.core.api import as_drf_error
from zhanyi.places.models import Area


def area_by_code(code: str, field: str = "area") -> Area:
    """The area a request names by its code (a 400 naming the code when none has it)."""
    area = Area.objects.filter(code=str(code).strip()).first()
    if area is None:
        raise ValidationError({field: [_("No area has the code %(code)s.") % {"code": code}]})
    return area


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


class GroupsView(APIView):
    """The supervision and inspection groups; POST sets one up (``approve``)."""

    @extend_schema(responses={200: GroupSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(GroupSerializer(queries.groups_for_user(request.user), many=True).data)

    @extend_schema(request=GroupSerializer, responses={201: GroupSerializer})
    def post(self, request: Request) -> Response:
        form = GroupSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            group = actions.do_create_group(
                acting_user=request.user,
                name=data["name"],
                kind=data["kind"],
                area=area_by_code(data["area"]["code"]),
                leader=data.get("leader", ""),
                members=data.get("members", ""),
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(GroupSerializer(group).data, status=status.HTTP_201_CREATED)


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


class GroupVisitsView(APIView):
    """A group's visits; POST records one (``edit_operations``, in the area)."""

    @extend_schema(responses={200: VisitSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        group = queries.get_group_for_user(request.user, pk)
        visits = queries.visits_for_user(request.user).filter(group=group)
        return Response(VisitSerializer(visits, many=True).data)

    @extend_schema(request=VisitSerializer, responses={201: VisitSerializer})
    def post(self, request: Request, pk: int) -> Response:
        group = queries.get_group_for_user(request.user, pk)
        form = VisitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            visit = actions.do_record_visit(
                group,
                acting_user=request.user,
                area=area_by_code(data["area"]["code"]),
                visited_at=data["visited_at"],
                place=data.get("place", ""),
                notes=data.get("notes", ""),
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class VisitFindingsView(APIView):
    """POST: a finding of a visit, with its rectification deadline."""

    @extend_schema(request=FindingSerializer, responses={201: FindingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        visit = queries.get_visit_for_user(request.user, pk)
        form = FindingSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            finding = actions.do_add_finding(
                visit,
                acting_user=request.user,
                text=data["text"],
                rectify_by=data["rectify_by"],
                owner=data.get("owner", ""),
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)


class RectifySerializer(serializers.Serializer):
    rectification = serializers.CharField(allow_blank=True)


class RectifyView(APIView):
    """POST: the finding is rectified (what was done)."""

    @extend_schema(request=RectifySerializer, responses={200: FindingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        finding = queries.get_finding_for_user(request.user, pk)
        form = RectifySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            finding = actions.do_rectify(
                finding,
                acting_user=request.user,
                rectification=form.validated_data["rectification"],
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(FindingSerializer(finding).data)


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


class AccountabilityView(APIView):
    """Accountability records (问责); POST records one (``approve``)."""

    @extend_schema(responses={200: AccountabilitySerializer(many=True)})
    def get(self, request: Request) -> Response:
        records = queries.accountability_for_user(request.user)[:500]
        return Response(AccountabilitySerializer(records, many=True).data)

    @extend_schema(request=AccountabilitySerializer, responses={201: AccountabilitySerializer})
    def post(self, request: Request) -> Response:
        form = AccountabilitySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            record = actions.do_record_accountability(
                acting_user=request.user,
                area=area_by_code(data["area"]["code"]),
                held=data["held"],
                measure=data["measure"],
                reason=data["reason"],
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(AccountabilitySerializer(record).data, status=status.HTTP_201_CREATED)


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
