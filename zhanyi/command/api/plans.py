"""The emergency plan over the API (应急预案): its versions, drafting and
editing a draft, approving it; each version's flowcharts with the count of
the workflow's items in each state and where chart and code disagree."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.command import actions, queries
from zhanyi.command.models import PlanVersion
from zhanyi.command.workflows import WORKFLOWS, conformance, state_counts
from zhanyi.core.api import as_drf_error


class TransitionSerializer(serializers.Serializer):
    # "from" is a Python keyword: stored as from/to, named source/target here.
    source = serializers.CharField(source="from")
    target = serializers.CharField(source="to")
    by = serializers.CharField(allow_blank=True, required=False, default="")
    within_hours = serializers.FloatField(allow_null=True, required=False, default=None)


class FlowchartSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    states = serializers.ListField(child=serializers.CharField())
    initial = serializers.CharField()
    transitions = TransitionSerializer(many=True)


class FlowchartStatusSerializer(FlowchartSerializer):
    counts = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    problems = serializers.ListField(child=serializers.CharField(), read_only=True)


class PlanVersionSerializer(serializers.ModelSerializer):
    title = serializers.CharField(max_length=400)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    flowcharts = FlowchartSerializer(many=True, required=False)

    class Meta:
        model = PlanVersion
        fields = [
            "id",
            "number",
            "title",
            "effective_on",
            "text",
            "flowcharts",
            "state",
            "state_label",
            "created_by_name",
            "created_at",
            "approved_by_name",
            "approved_at",
            "superseded_at",
        ]
        read_only_fields = [
            f for f in fields if f not in {"number", "title", "effective_on", "text", "flowcharts"}
        ]


def _charts(data: dict) -> list[dict] | None:
    if "flowcharts" not in data:
        return None
    return [dict(c) for c in data["flowcharts"]]


class PlansView(APIView):
    """The plan's versions, newest first (headquarters only); POST drafts one
    (``edit_operations`` over the city; flowcharts left out: those in force,
    or the standard ones)."""

    @extend_schema(responses={200: PlanVersionSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(PlanVersionSerializer(queries.plans_for_user(request.user), many=True).data)

    @extend_schema(request=PlanVersionSerializer, responses={201: PlanVersionSerializer})
    def post(self, request: Request) -> Response:
        queries.require_headquarters_reader(request.user)
        form = PlanVersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            plan = actions.do_draft_plan_version(
                acting_user=request.user,
                number=data["number"],
                title=data["title"],
                effective_on=data["effective_on"],
                text=data.get("text", ""),
                charts=_charts(data),
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(PlanVersionSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanView(APIView):
    @extend_schema(responses={200: PlanVersionSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(PlanVersionSerializer(queries.get_plan_for_user(request.user, pk)).data)

    @extend_schema(request=PlanVersionSerializer, responses={200: PlanVersionSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        """Change a draft (``edit_operations`` over the city)."""
        plan = queries.get_plan_for_user(request.user, pk)
        form = PlanVersionSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            plan = actions.do_edit_plan_version(
                plan,
                acting_user=request.user,
                number=data.get("number"),
                title=data.get("title"),
                effective_on=data.get("effective_on"),
                text=data.get("text"),
                charts=_charts(data),
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(PlanVersionSerializer(plan).data)


class PlanApproveView(APIView):
    """Put a draft in force (``approve`` over the city); the version in force
    until then is superseded."""

    @extend_schema(request=None, responses={200: PlanVersionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        plan = queries.get_plan_for_user(request.user, pk)
        try:
            plan = actions.do_approve_plan_version(plan, acting_user=request.user, request=request)
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(PlanVersionSerializer(plan).data)


class PlanFlowchartsView(APIView):
    """A version's flowcharts with, for each workflow zhanyi runs, how many
    items are in each state within the caller's jurisdiction, and where the
    chart and the code disagree."""

    @extend_schema(responses={200: FlowchartStatusSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        plan = queries.get_plan_for_user(request.user, pk)
        out = []
        for chart in plan.charts():
            workflow = WORKFLOWS.get(chart.key)
            out.append(
                {
                    **chart.as_dict(),
                    "counts": state_counts(workflow, request.user) if workflow else {},
                    "problems": [f"{d.kind}: {d.detail}" for d in conformance(chart)],
                }
            )
        return Response(FlowchartStatusSerializer(out, many=True).data)


urlpatterns = [
    path("plans/", PlansView.as_view(), name="api-plans"),
    path("plans/<int:pk>/", PlanView.as_view(), name="api-plan"),
    path("plans/<int:pk>/approve/", PlanApproveView.as_view(), name="api-plan-approve"),
    path("plans/<int:pk>/flowcharts/", PlanFlowchartsView.as_view(), name="api-plan-flowcharts"),
]
