"""REST API of health codes (健康码), under ``/api/v1/people/``.

- ``GET <id>/health-code/``: what is this person's code and why: colour,
  rule, reason, until, the facts behind it and what the rules decide from them
  now, with the recent history. Needs ``view_person`` and the person in the
  caller's jurisdiction (404 outside it); every read is audited.
- ``POST <id>/health-code/overrides/``: ask for a manual override
  (``edit_person``); ``POST health-code/overrides/<id>/approve/`` and
  ``…/reject/``: a second person with ``approve`` decides.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import capability_permission
from zhanyi.core.api import ActionView
from zhanyi.people import actions, queries
from zhanyi.people.models import Colour, HealthCodeChange, HealthCodeOverride, Person

from .common import PERMISSIONS


class HealthCodeChangeSerializer(serializers.ModelSerializer):
    previous_colour = serializers.CharField(help_text="red, yellow or green")

    class Meta:
        model = HealthCodeChange
        fields = [
            "changed_at",
            "previous_colour",
            "colour",
            "rule",
            "reason",
            "until",
            "decided_by",
            "override",
            "trigger",
            "changed_by_name",
        ]


class DecisionSerializer(serializers.Serializer):
    colour = serializers.CharField()
    rule = serializers.CharField()
    reason = serializers.CharField()
    until = serializers.DateTimeField(allow_null=True)
    review_at = serializers.DateTimeField(allow_null=True)


class HealthCodeSerializer(serializers.Serializer):
    """The answer to "what is this person's code and why"."""

    person = serializers.IntegerField()
    colour = serializers.ChoiceField(Colour.choices)
    rule = serializers.CharField(help_text="stable id of the rule (or 'override')")
    reason = serializers.CharField()
    until = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.CharField(help_text="rule or override")
    override = serializers.IntegerField(allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True)
    rules_now = DecisionSerializer(help_text="what the rules decide from the facts as of now")
    facts = serializers.DictField(help_text="cases, contacts, quarantines, tests, arrivals")
    as_of = serializers.DateTimeField()
    history = HealthCodeChangeSerializer(many=True)


class OverrideSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = HealthCodeOverride
        fields = [
            "id",
            "person",
            "colour",
            "reason",
            "expires_at",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "closed_at",
        ]
        read_only_fields = fields


class OverrideRequestSerializer(serializers.Serializer):
    colour = serializers.ChoiceField(Colour.choices)
    reason = serializers.CharField(max_length=500)
    expires_at = serializers.DateTimeField()


class DecisionNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


@extend_schema(tags=["people"])
class PersonHealthCode(APIView):
    """A person's health code and why (every read is audited)."""

    permission_classes = PERMISSIONS

    @extend_schema(summary="Read a person's health code", responses={200: HealthCodeSerializer})
    def get(self, request: Request, pk: int) -> Response:
        person = queries.get_person_for_user(request.user, pk)
        actions.record_code_view(acting_user=request.user, person=person, request=request)
        answer = queries.explain_code(person)
        answer["history"] = queries.code_history(person, limit=20)
        return Response(HealthCodeSerializer(answer).data)


class CodedPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    village = serializers.CharField(source="village.code", allow_null=True, default=None)
    colour = serializers.CharField(source="health_code.colour")
    rule = serializers.CharField(source="health_code.rule")
    reason = serializers.CharField(source="health_code.reason")
    until = serializers.DateTimeField(source="health_code.until", allow_null=True)
    changed_at = serializers.DateTimeField(source="health_code.changed_at")


@extend_schema(tags=["people"])
class CodedPersons(generics.ListAPIView):
    """Persons with a red or yellow code in the caller's jurisdiction (read audited)."""

    permission_classes = PERMISSIONS
    serializer_class = CodedPersonSerializer

    def get_queryset(self):
        colour = self.request.query_params.get("colour", "")
        if colour not in ("", "red", "yellow"):
            raise serializers.ValidationError(
                {"colour": _("Ask for red or yellow codes, or leave the colour out.")}
            )
        return queries.coded_persons_for(self.request.user, colour)

    @extend_schema(
        summary="List red and yellow codes",
        parameters=[OpenApiParameter("colour", str, enum=["red", "yellow"], required=False)],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        response = super().get(request, *args, **kwargs)
        actions.record_code_list(
            acting_user=request.user,
            colour=request.query_params.get("colour", ""),
            results=response.data.get("count", 0),
            request=request,
            via="api",
        )
        return response


@extend_schema_view(post=extend_schema(summary="Ask for a health-code override"))
@extend_schema(tags=["people"])
class PersonOverrides(ActionView):
    """Ask for a manual override of a person's code (a second person approves)."""

    permission_classes = [IsAuthenticated, capability_permission("edit_person")]
    input = OverrideRequestSerializer
    output = OverrideSerializer
    do = actions.do_request_override
    target_keyword = "person"

    def get_target(self, request: Request, pk: int) -> Person:
        return queries.get_person_for_user(request.user, pk, capability="edit_person")


class _Decide(ActionView):
    permission_classes = [IsAuthenticated, capability_permission("approve")]
    input = DecisionNoteSerializer
    output = OverrideSerializer
    target_keyword = "override"
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, pk: int) -> HealthCodeOverride:
        return queries.get_override_for_user(request.user, pk)


@extend_schema_view(
    post=extend_schema(summary="Approve a health-code override (not your own request)")
)
@extend_schema(tags=["people"])
class OverrideApprove(_Decide):
    do = actions.do_approve_override


@extend_schema_view(post=extend_schema(summary="Reject a health-code override, saying why"))
@extend_schema(tags=["people"])
class OverrideReject(_Decide):
    do = actions.do_reject_override


urlpatterns = [
    path("health-codes/", CodedPersons.as_view(), name="api-health-codes"),
    path("<int:pk>/health-code/", PersonHealthCode.as_view(), name="api-person-health-code"),
    path(
        "<int:pk>/health-code/overrides/",
        PersonOverrides.as_view(),
        name="api-person-health-code-overrides",
    ),
    path(
        "health-code/overrides/<int:pk>/approve/",
        OverrideApprove.as_view(),
        name="api-health-code-override-approve",
    ),
    path(
        "health-code/overrides/<int:pk>/reject/",
        OverrideReject.as_view(),
        name="api-health-code-override-reject",
    ),
]
