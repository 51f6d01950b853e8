"""REST API of the people in the field (力量), at ``/api/v1/workforce/``.

Reading needs ``view_person``, writing ``edit_operations``; every object is
checked against the caller's jurisdiction (outside it: 404). A refusal answers
400 with the action's messages by field.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission, has_capability
from zhanyi.core import audit
from zhanyi.core.api import ActionView
from zhanyi.core.masking import mask_name, mask_phone
from zhanyi.places.api import AreaCodeField

from . import actions, queries
from .actions.rosters import RosterResult
from .models import Deployment, Direction, ForceKind, MutualAidTeam, PartyBranch, Shift

PERMISSIONS = [IsAuthenticated, OperationsPermission]


class WorkforceDeploymentSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    shift = serializers.CharField()

    class Meta:
        model = Deployment
        fields = ["id", "area", "kind", "kind_label", "headcount", "shift", "post", "since"]
        fields += ["until"]
        read_only_fields = fields


class WorkforceAidTeamSerializer(serializers.ModelSerializer):
    direction = serializers.CharField()
    kind = serializers.CharField()
    area = serializers.CharField(source="area.code")

    class Meta:
        model = MutualAidTeam
        fields = ["id", "name", "direction", "kind", "headcount", "counterpart", "area"]
        fields += ["started_at", "ended_at"]
        read_only_fields = fields


class WorkforceBranchSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")

    class Meta:
        model = PartyBranch
        fields = ["id", "name", "area", "members", "posts"]
        read_only_fields = fields


class WorkforceBranchMadeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartyBranch
        fields = ["id", "name"]
        read_only_fields = fields


class WorkforceDeploymentInput(serializers.Serializer):
    area = AreaCodeField()
    kind = serializers.CharField(
        max_length=32,
        help_text="sampling, quarantine_site, clinic, lab, volunteer, cadre or police",
    )
    headcount = serializers.IntegerField(min_value=1)
    shift = serializers.ChoiceField(choices=Shift.choices, default=Shift.ALL_DAY)
    post = serializers.CharField(max_length=200, required=False, default="")
    since = serializers.DateTimeField(required=False, default=None)


class DeploymentsView(ActionView):
    """Deployments in force in the jurisdiction (``?all=1``: ended ones too) and
    the headcount of each kind; POST deploys."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = WorkforceDeploymentInput
    output = WorkforceDeploymentSerializer
    do = actions.do_deploy

    @extend_schema(
        operation_id="workforce_deployments_list",
        responses=inline_serializer(
            "WorkforceDeploymentList",
            {
                "by_kind": serializers.DictField(child=serializers.IntegerField()),
                "results": WorkforceDeploymentSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        qs = queries.deployments_for(request.user)
        if request.query_params.get("all") not in ("1", "true"):
            qs = queries.in_force(qs)
        totals = {k["value"]: k["count"] for k in queries.by_kind(request.user)}
        rows = WorkforceDeploymentSerializer(qs[:1000], many=True).data
        return Response({"by_kind": totals, "results": rows})


class DeploymentEndView(ActionView):
    permission_classes = PERMISSIONS
    input = None
    output = WorkforceDeploymentSerializer
    do = actions.do_end_deployment
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, deployment_id: int) -> Deployment:
        return queries.get_deployment_for_user(request.user, deployment_id)


class WorkforceAidTeamInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    direction = serializers.ChoiceField(choices=Direction.choices)
    kind = serializers.CharField(max_length=32, default=ForceKind.SAMPLING)
    headcount = serializers.IntegerField(min_value=1)
    counterpart = serializers.CharField(max_length=200)
    area = AreaCodeField()


class TeamsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = WorkforceAidTeamInput
    output = WorkforceAidTeamSerializer
    do = actions.do_register_team

    @extend_schema(
        operation_id="workforce_teams_list",
        responses=inline_serializer(
            "WorkforceAidTeamList", {"results": WorkforceAidTeamSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        teams = queries.teams_for(request.user)[:500]
        return Response({"results": WorkforceAidTeamSerializer(teams, many=True).data})


class WorkforceAidTeamStepInput(serializers.Serializer):
    step = serializers.ChoiceField(choices=["start", "end"])


class TeamStepView(ActionView):
    """``start``: the team arrived (or left on its mission); ``end``: it went home (came back)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = WorkforceAidTeamStepInput
    output = WorkforceAidTeamSerializer
    do = actions.do_move_team
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, aid_team_id: int) -> MutualAidTeam:
        return queries.get_team_for_user(request.user, aid_team_id)


class WorkforceBranchInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    area = AreaCodeField()
    members = serializers.IntegerField(min_value=0, default=0)
    posts = serializers.IntegerField(min_value=0, default=0)


class BranchesView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = WorkforceBranchInput
    output = WorkforceBranchMadeSerializer
    do = actions.do_add_branch

    @extend_schema(
        operation_id="workforce_branches_list",
        responses=inline_serializer(
            "WorkforceBranchList", {"results": WorkforceBranchSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        branches = queries.branches_for(request.user)[:1000]
        return Response({"results": WorkforceBranchSerializer(branches, many=True).data})


class RosterView(APIView):
    """Who is on which shift where on ``?day=YYYY-MM-DD`` (names and phones as the
    caller may see them; the read is audited)."""

    permission_classes = PERMISSIONS

    @extend_schema(operation_id="workforce_roster_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        day = request.query_params.get("day", "")
        qs = queries.roster_for(request.user)
        if day:
            qs = qs.filter(day=day) if _is_day(day) else qs.none()
        entries = list(qs[:2000])
        full = has_capability(request.user, "view_phone")
        if entries:
            audit.record(
                actor=request.user,
                action="workforce.roster.api_view",
                object_type="workforce.roster",
                detail={"day": day, "entries": len(entries)},
                request=request,
            )
        rows = [
            {
                "name": e.name if full else mask_name(e.name),
                "phone": e.phone if full else mask_phone(e.phone),
                "unit": e.unit,
                "kind": e.kind,
                "area": e.area.code,
                "post": e.post,
                "day": e.day,
                "shift": e.shift,
            }
            for e in entries
        ]
        return Response({"results": rows})


def _is_day(text: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


class WorkforceRosterImportInput(serializers.Serializer):
    file = serializers.FileField(error_messages={"required": _("send the roster as 'file'")})


class WorkforceRosterImportSerializer(serializers.Serializer):
    import_ = serializers.IntegerField(source="record.pk")
    rows = serializers.IntegerField(source="record.rows")
    stored = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    warnings = serializers.ListField(child=serializers.DictField())

    def get_fields(self):
        fields = super().get_fields()
        fields["import"] = fields.pop("import_")  # "import" is a keyword in Python
        return fields


class RosterImportView(ActionView):
    """A roster file (xlsx, xls or csv) as ``file``: the rows stored, the
    warnings and refusals by line."""

    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser]
    input = WorkforceRosterImportInput
    output = WorkforceRosterImportSerializer
    status_code = status.HTTP_200_OK

    def perform(self, request: Request, target, data: dict) -> RosterResult:
        upload = data["file"]
        return actions.do_import_roster(
            upload, upload.name, acting_user=request.user, request=request
        )


urlpatterns = [
    path("deployments/", DeploymentsView.as_view(), name="workforce-deployments"),
    path(
        "deployments/<int:deployment_id>/end/",
        DeploymentEndView.as_view(),
        name="workforce-deployment-end",
    ),
    path("teams/", TeamsView.as_view(), name="workforce-teams"),
    path("teams/<int:aid_team_id>/step/", TeamStepView.as_view(), name="workforce-team-step"),
    path("branches/", BranchesView.as_view(), name="workforce-branches"),
    path("roster/", RosterView.as_view(), name="workforce-roster"),
    path("roster/import/", RosterImportView.as_view(), name="workforce-roster-import"),
]
