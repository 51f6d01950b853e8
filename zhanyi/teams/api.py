"""REST API of the teams (工作队), at ``/api/v1/teams/``.

Reading needs ``view_person``; setting up teams ``edit_operations``; closing a
control task ``edit_person``. Every object is checked against the caller's
jurisdiction (outside it: 404). A refusal answers 400 with the action's
messages by field.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.models import User
from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, jurisdiction
from zhanyi.core.api import run_action
from zhanyi.people import display
from zhanyi.places.models import Area

from . import actions, queries, work
from .models import ControlMeasure, MemberRole, Shift, Team, TeamKind, TeamMember


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


def _load(load: work.Workload) -> dict:
    return {"open": load.open, "due_soon": load.due_soon, "overdue": load.overdue}


def team_dict(team: Team, load: work.Workload | None = None) -> dict:
    data = {
        "id": team.pk,
        "name": team.name,
        "kind": team.kind,
        "kind_label": team.get_kind_display(),
        "area": team.area.code,
        "area_name": team.area.name,
        "shift": team.shift,
        "active": team.active,
    }
    if load is not None:
        data["workload"] = _load(load)
    return data


def member_dict(member: TeamMember, user) -> dict:
    return {
        "id": member.pk,
        "name": member.name,
        "role": member.role,
        "role_label": member.get_role_display(),
        "leader": member.is_leader,
        "username": member.user.username if member.user else None,
        "phone": display.phone_for(user, member.phone),
        "trainings": [
            {"course": t.course, "date": t.taken_on, "passed": t.passed}
            for t in member.trainings.all()
        ],
    }


class TeamInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=TeamKind.choices)
    area = serializers.CharField(max_length=32, help_text="the area's code")
    shift = serializers.ChoiceField(choices=Shift.choices, default=Shift.ROUND_THE_CLOCK)


class TeamsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="teams_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        teams = list(
            queries.teams_for(request.user, kind=request.query_params.get("kind", ""))[:500]
        )
        loads = work.workloads(teams)
        return Response({"results": [team_dict(t, loads[t.pk]) for t in teams]})

    @extend_schema(request=TeamInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = TeamInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        area = Area.objects.filter(code=v["area"]).first()
        if area is None:
            raise serializers.ValidationError({"area": [f"no area with code {v['area']}"]})
        team = run_action(
            lambda: actions.do_create_team(
                acting_user=request.user,
                name=v["name"],
                kind=v["kind"],
                area=area,
                shift=v["shift"],
                request=request,
            )
        )
        return Response(team_dict(team), status=status.HTTP_201_CREATED)


class TeamView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="teams_detail", responses=OpenApiTypes.OBJECT)
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
        return Response(
            {
                **team_dict(team, work.workloads([team])[team.pk]),
                "members": [member_dict(m, request.user) for m in members],
                "work": [
                    {
                        "kind": kind.name,
                        "items": [
                            {"label": i.label, "due_at": i.due_at, "url": i.url} for i in items
                        ],
                    }
                    for kind, items in work.items_of(team)
                ],
            }
        )


class MemberInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=MemberRole.choices)
    username = serializers.CharField(max_length=150, required=False, default="")
    name = serializers.CharField(max_length=100, required=False, default="")
    phone = serializers.CharField(max_length=32, required=False, default="")
    leader = serializers.BooleanField(default=False)


class MembersView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=MemberInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, team_id: int) -> Response:
        team = queries.get_team_for_user(request.user, team_id)
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = None
        if v["username"]:
            user = User.objects.filter(username=v["username"], is_active=True).first()
            if user is None:
                raise serializers.ValidationError(
                    {"username": [f"no active account named {v['username']}"]}
                )
        member = run_action(
            lambda: actions.do_add_member(
                team,
                acting_user=request.user,
                role=v["role"],
                user=user,
                name=v["name"],
                phone=v["phone"],
                leader=v["leader"],
                request=request,
            )
        )
        return Response(member_dict(member, request.user), status=status.HTTP_201_CREATED)


class TrainingInput(serializers.Serializer):
    course = serializers.CharField(max_length=100)
    date = serializers.DateField()
    passed = serializers.BooleanField(default=False)


class TrainingsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=TrainingInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, member_id: int) -> Response:
        member = queries.get_member_for_user(request.user, member_id, capability="edit_operations")
        data = TrainingInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        training = run_action(
            lambda: actions.do_record_training(
                member,
                acting_user=request.user,
                course=v["course"],
                taken_on=v["date"],
                passed=v["passed"],
                request=request,
            )
        )
        return Response(
            {"id": training.pk, "course": training.course, "date": training.taken_on},
            status=status.HTTP_201_CREATED,
        )


class ControlsView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="teams_controls", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        controls = list(queries.controls_for(request.user)[:500])
        audit.record(
            actor=request.user,
            action="teams.control.api_list",
            object_type="handoffs.handoff",
            detail={"persons": [h.person_id for h in controls]},
            request=request,
        )
        return Response(
            {
                "results": [
                    {
                        "id": h.pk,
                        "person": h.person_id,
                        "name": h.person.name,
                        "phone": display.phone_for(request.user, h.person.phone),
                        "area": h.area.code,
                        "due_at": h.due_at,
                        "escalated": bool(
                            getattr(getattr(h, "control_record", None), "escalated_at", None)
                        ),
                    }
                    for h in controls
                ]
            }
        )


class CloseInput(serializers.Serializer):
    measure = serializers.CharField(
        max_length=32, allow_blank=True, default="", help_text=", ".join(ControlMeasure.values)
    )
    measured_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=1000, allow_blank=True, default="")


class CloseControlView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    write_capability = "edit_person"

    @extend_schema(request=CloseInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, handoff_id: int) -> Response:
        handoff = queries.get_control_for_user(request.user, handoff_id, capability="edit_person")
        data = CloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        control = run_action(
            lambda: actions.do_close_control(
                handoff,
                acting_user=request.user,
                measure=v["measure"],
                measured_at=v["measured_at"],
                note=v["note"],
                request=request,
            )
        )
        return Response(
            {
                "id": handoff.pk,
                "measure": control.measure,
                "measure_label": control.get_measure_display(),
                "measured_at": control.measured_at,
            }
        )


urlpatterns = [
    path("", TeamsView.as_view(), name="api-teams"),
    path("<int:team_id>/", TeamView.as_view(), name="api-team"),
    path("<int:team_id>/members/", MembersView.as_view(), name="api-team-members"),
    path("members/<int:member_id>/trainings/", TrainingsView.as_view(), name="api-trainings"),
    path("control/", ControlsView.as_view(), name="api-controls"),
    path("control/<int:handoff_id>/close/", CloseControlView.as_view(), name="api-control-close"),
]
