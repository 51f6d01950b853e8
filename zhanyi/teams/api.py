"""REST API of the teams (工作队), at ``/api/v1/teams/``.

Reading needs ``view_person``; setting up teams ``edit_operations``; closing a
control task ``edit_person``. Every object is checked against the caller's
jurisdiction (outside it: 404). A refusal answers 400 with the action's
messages by field.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.models import User
from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, jurisdiction
from zhanyi.core.api import ActionView
from zhanyi.people import display
from zhanyi.places.api import area_by_code

from . import actions, queries, work
from .models import (
    ControlMeasure,
    ControlRecord,
    MemberRole,
    Shift,
    Team,
    TeamKind,
    TeamMember,
    Training,
)


class TeamsCapability(BasePermission):
    """Reading needs ``view_person``; writing ``edit_operations`` (the views
    ask ``edit_person`` of a control task's close)."""

    def has_permission(self, request, view) -> bool:
        needed = getattr(view, "write_capability", "edit_operations")
        if request.method in ("GET", "HEAD", "OPTIONS"):
            needed = "view_person"
        return (
            has_capability(request.user, needed)
            and jurisdiction.root_path(request.user) is not None
        )


PERMISSIONS = [IsAuthenticated, TeamsCapability]


class WorkloadSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    overdue = serializers.IntegerField()


class TeamSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    area = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")

    class Meta:
        model = Team
        fields = ["id", "name", "kind", "kind_label", "area", "area_name", "shift", "active"]
        read_only_fields = fields


class TeamLoadSerializer(TeamSerializer):
    """A team with its workload (``context["loads"]``: team id → ``work.Workload``)."""

    workload = serializers.SerializerMethodField()

    class Meta(TeamSerializer.Meta):
        fields = [*TeamSerializer.Meta.fields, "workload"]
        read_only_fields = fields

    @extend_schema_field(WorkloadSerializer)
    def get_workload(self, team: Team):
        return WorkloadSerializer(self.context["loads"][team.pk]).data


class TrainingSerializer(serializers.ModelSerializer):
    date = serializers.DateField(source="taken_on")

    class Meta:
        model = Training
        fields = ["course", "date", "passed"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    """A member; the phone as the caller may see it (``context["request"]``)."""

    role_label = serializers.CharField(source="get_role_display")
    leader = serializers.BooleanField(source="is_leader")
    username = serializers.CharField(source="user.username", allow_null=True)
    phone = serializers.SerializerMethodField()
    trainings = TrainingSerializer(many=True)

    class Meta:
        model = TeamMember
        fields = ["id", "name", "role", "role_label", "leader", "username", "phone", "trainings"]
        read_only_fields = fields

    def get_phone(self, member: TeamMember) -> str:
        return display.phone_for(self.context["request"].user, member.phone)


class WorkItemSerializer(serializers.Serializer):
    label = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField()


class WorkKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    items = WorkItemSerializer(many=True)


class TeamDetailSerializer(TeamLoadSerializer):
    """A team with its workload, members (``context["members"]``) and open work."""

    members = serializers.SerializerMethodField()
    work = serializers.SerializerMethodField()

    class Meta(TeamLoadSerializer.Meta):
        fields = [*TeamLoadSerializer.Meta.fields, "members", "work"]
        read_only_fields = fields

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, team: Team):
        return MemberSerializer(self.context["members"], many=True, context=self.context).data

    @extend_schema_field(WorkKindSerializer(many=True))
    def get_work(self, team: Team):
        rows = [{"kind": kind.name, "items": items} for kind, items in work.items_of(team)]
        return WorkKindSerializer(rows, many=True).data


class TeamInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=TeamKind.choices)
    area = serializers.CharField(max_length=32, help_text="the area's code")
    shift = serializers.ChoiceField(choices=Shift.choices, default=Shift.ROUND_THE_CLOCK)


class TeamsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = TeamInput
    output = TeamSerializer

    @extend_schema(
        operation_id="teams_list",
        responses=inline_serializer("TeamList", {"results": TeamLoadSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        teams = list(
            queries.teams_for(request.user, kind=request.query_params.get("kind", ""))[:500]
        )
        rows = TeamLoadSerializer(teams, many=True, context={"loads": work.workloads(teams)})
        return Response({"results": rows.data})

    def perform(self, request: Request, target, data: dict) -> Team:
        area = area_by_code(data.pop("area"))
        return actions.do_create_team(acting_user=request.user, area=area, request=request, **data)


class TeamView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="teams_detail", responses=TeamDetailSerializer)
    def get(self, request: Request, team_id: int) -> Response:
        team = queries.get_team_for_user(request.user, team_id)
        members = list(queries.members_of(team))
        audit.record(
            actor=request.user,
            action="teams.team.api_view",
            obj=team,
            area=team.area,
            detail={"members": [m.pk for m in members]},
            request=request,
        )
        context = {"request": request, "loads": work.workloads([team]), "members": members}
        return Response(TeamDetailSerializer(team, context=context).data)


class MemberInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=MemberRole.choices)
    username = serializers.CharField(max_length=150, required=False, default="")
    name = serializers.CharField(max_length=100, required=False, default="")
    phone = serializers.CharField(max_length=32, required=False, default="")
    leader = serializers.BooleanField(default=False)


class MembersView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = MemberInput
    output = MemberSerializer

    def get_target(self, request: Request, team_id: int) -> Team:
        return queries.get_team_for_user(request.user, team_id)

    def perform(self, request: Request, team: Team, data: dict) -> TeamMember:
        username = data.pop("username")
        user = None
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise serializers.ValidationError(
                    {"username": [f"no active account named {username}"]}
                )
        return actions.do_add_member(
            team, acting_user=request.user, user=user, request=request, **data
        )


class TrainingInput(serializers.Serializer):
    course = serializers.CharField(max_length=100)
    date = serializers.DateField(source="taken_on")
    passed = serializers.BooleanField(default=False)


class TrainingRecordedSerializer(serializers.ModelSerializer):
    date = serializers.DateField(source="taken_on")

    class Meta:
        model = Training
        fields = ["id", "course", "date"]
        read_only_fields = fields


class TrainingsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = TrainingInput
    output = TrainingRecordedSerializer
    do = actions.do_record_training

    def get_target(self, request: Request, member_id: int) -> TeamMember:
        return queries.get_member_for_user(request.user, member_id, capability="edit_operations")


class ControlSerializer(serializers.Serializer):
    """A control task (the name unmasked: the village team acts on it); the
    phone as the caller may see it (``context["request"]``)."""

    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    phone = serializers.SerializerMethodField()
    area = serializers.CharField(source="area.code")
    due_at = serializers.DateTimeField(allow_null=True)
    escalated = serializers.SerializerMethodField()

    def get_phone(self, h) -> str:
        return display.phone_for(self.context["request"].user, h.person.phone)

    def get_escalated(self, h) -> bool:
        return bool(getattr(getattr(h, "control_record", None), "escalated_at", None))


class ControlsView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="teams_controls",
        responses=inline_serializer("ControlList", {"results": ControlSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        controls = list(queries.controls_for(request.user)[:500])
        audit.record(
            actor=request.user,
            action="teams.control.api_list",
            object_type="handoffs.handoff",
            detail={"persons": [h.person_id for h in controls]},
            request=request,
        )
        rows = ControlSerializer(controls, many=True, context={"request": request})
        return Response({"results": rows.data})


class CloseInput(serializers.Serializer):
    measure = serializers.CharField(
        max_length=32, allow_blank=True, default="", help_text=", ".join(ControlMeasure.values)
    )
    measured_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=1000, allow_blank=True, default="")


class ControlClosedSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="handoff_id")
    measure = serializers.CharField(help_text=", ".join(ControlMeasure.values))
    measure_label = serializers.CharField(source="get_measure_display")

    class Meta:
        model = ControlRecord
        fields = ["id", "measure", "measure_label", "measured_at"]
        read_only_fields = fields


class CloseControlView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    write_capability = "edit_person"
    input = CloseInput
    output = ControlClosedSerializer
    do = actions.do_close_control
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, handoff_id: int):
        return queries.get_control_for_user(request.user, handoff_id, capability="edit_person")


urlpatterns = [
    path("", TeamsView.as_view(), name="api-teams"),
    path("<int:team_id>/", TeamView.as_view(), name="api-team"),
    path("<int:team_id>/members/", MembersView.as_view(), name="api-team-members"),
    path("members/<int:member_id>/trainings/", TrainingsView.as_view(), name="api-trainings"),
    path("control/", ControlsView.as_view(), name="api-controls"),
    path("control/<int:handoff_id>/close/", CloseControlView.as_view(), name="api-control-close"),
]
