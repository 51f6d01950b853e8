"""Directives (指令) over the API: the list, issuing one, and its steps
(acknowledge, done with evidence, verify)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.models import TaskForce
from zhanyi.command import actions, queries
from zhanyi.command.models import Directive
from zhanyi.core.api import ActionView, as_drf_error
from zhanyi.places.api import area_by_code


class DirectiveSerializer(serializers.ModelSerializer):
    # Longer than the column: the action says how long it is and the limit.
    title = serializers.CharField(max_length=400)
    area = serializers.CharField(source="area.code")
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    owner_label = serializers.CharField(read_only=True)
    task_force = serializers.PrimaryKeyRelatedField(
        queryset=TaskForce.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Directive
        fields = [
            "id",
            "title",
            "body",
            "area",
            "task_force",
            "owner_label",
            "due_at",
            "state",
            "state_label",
            "issued_by_name",
            "issued_at",
            "acknowledged_at",
            "acknowledged_by_name",
            "done_at",
            "done_by_name",
            "evidence",
            "verified_at",
            "verified_by_name",
            "escalated_at",
        ]
        read_only_fields = [
            f for f in fields if f not in {"title", "body", "area", "task_force", "due_at"}
        ]


class DirectivesView(ActionView):
    """The directives of the caller's jurisdiction; POST issues one (``approve``)."""

    input = DirectiveSerializer
    output = DirectiveSerializer

    @extend_schema(responses={200: DirectiveSerializer(many=True)})
    def get(self, request: Request) -> Response:
        directives = queries.directives_for_user(request.user).order_by("-issued_at")[:500]
        return Response(DirectiveSerializer(directives, many=True).data)

    def perform(self, request: Request, target, data: dict) -> Directive:
        area = area_by_code(data.pop("area")["code"])
        return actions.do_issue_directive(
            acting_user=request.user, area=area, request=request, **data
        )


class DirectiveView(APIView):
    @extend_schema(responses={200: DirectiveSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(DirectiveSerializer(queries.get_directive_for_user(request.user, pk)).data)


class EvidenceSerializer(serializers.Serializer):
    evidence = serializers.CharField(allow_blank=True, required=False, default="")
    evidence_file = serializers.FileField(required=False)


STEPS = {
    "acknowledge": actions.do_acknowledge_directive,
    "verify": actions.do_verify_directive,
}


class DirectiveStepView(APIView):
    """A step of a directive: ``acknowledge`` (its owner), ``done`` (its
    owner, with evidence: text and an optional file), ``verify`` (``approve``)."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        operation_id="command_directives_step",
        request=EvidenceSerializer,
        responses={200: DirectiveSerializer},
    )
    def post(self, request: Request, pk: int, step: str) -> Response:
        if step not in {*STEPS, "done"}:
            raise NotFound()
        directive = queries.get_directive_for_user(request.user, pk)
        try:
            if step == "done":
                form = EvidenceSerializer(data=request.data)
                form.is_valid(raise_exception=True)
                directive = actions.do_report_directive_done(
                    directive,
                    acting_user=request.user,
                    evidence=form.validated_data["evidence"],
                    evidence_file=form.validated_data.get("evidence_file"),
                    request=request,
                )
            else:
                directive = STEPS[step](directive, acting_user=request.user, request=request)
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(DirectiveSerializer(directive).data)


urlpatterns = [
    path("directives/", DirectivesView.as_view(), name="api-directives"),
    path("directives/<int:pk>/", DirectiveView.as_view(), name="api-directive"),
    path("directives/<int:pk>/<str:step>/", DirectiveStepView.as_view(), name="api-directive-step"),
]
