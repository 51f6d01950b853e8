"""REST API of the people in the field (力量), at ``/api/v1/workforce/``.

Reading needs ``view_person``, writing ``edit_operations``; every object is
checked against the caller's jurisdiction (outside it: 404). A refusal answers
400 with the action's messages by field.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission, has_capability
from zhanyi.core import audit
from zhanyi.core.api import run_action
from zhanyi.core.masking import mask_name, mask_phone
from zhanyi.places.models import Area

from . import actions, queries
from .models import Deployment, Direction, ForceKind, MutualAidTeam, Shift

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def _area(code: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise serializers.ValidationError({"area": [f"no area with code {code}"]})
    return area


def deployment_dict(d: Deployment) -> dict:
    return {
        "id": d.pk,
        "area": d.area.code,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "headcount": d.headcount,
        "shift": d.shift,
        "post": d.post,
        "since": d.since,
        "until": d.until,
    }


def team_dict(t: MutualAidTeam) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "direction": t.direction,
        "kind": t.kind,
        "headcount": t.headcount,
        "counterpart": t.counterpart,
        "area": t.area.code,
        "started_at": t.started_at,
        "ended_at": t.ended_at,
    }


class DeploymentInput(serializers.Serializer):
    area = serializers.CharField(max_length=32)
    kind = serializers.CharField(
        max_length=32,
        help_text="sampling, quarantine_site, clinic, lab, volunteer, cadre or police",
    )
    headcount = serializers.IntegerField(min_value=1)
    shift = serializers.ChoiceField(choices=Shift.choices, default=Shift.ALL_DAY)
    post = serializers.CharField(max_length=200, required=False, default="")
    since = serializers.DateTimeField(required=False, default=None)


class DeploymentsView(APIView):
    """Deployments in force in the jurisdiction (``?all=1``: ended ones too) and
    the headcount of each kind; POST deploys."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="workforce_deployments_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        qs = queries.deployments_for(request.user)
        if request.query_params.get("all") not in ("1", "true"):
            qs = queries.in_force(qs)
        totals = {k["value"]: k["count"] for k in queries.by_kind(request.user)}
        return Response({"by_kind": totals, "results": [deployment_dict(d) for d in qs[:1000]]})

    @extend_schema(request=DeploymentInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = DeploymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v["area"] = _area(v["area"])
        deployment = run_action(
            lambda: actions.do_deploy(acting_user=request.user, request=request, **v)
        )
        return Response(deployment_dict(deployment), status=status.HTTP_201_CREATED)


class DeploymentEndView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, deployment_id: int) -> Response:
        deployment = queries.get_deployment_for_user(request.user, deployment_id)
        run_action(
            lambda: actions.do_end_deployment(deployment, acting_user=request.user, request=request)
        )
        return Response(deployment_dict(deployment))


class AidTeamInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    direction = serializers.ChoiceField(choices=Direction.choices)
    kind = serializers.CharField(max_length=32, default=ForceKind.SAMPLING)
    headcount = serializers.IntegerField(min_value=1)
    counterpart = serializers.CharField(max_length=200)
    area = serializers.CharField(max_length=32)


class TeamsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="workforce_teams_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response({"results": [team_dict(t) for t in queries.teams_for(request.user)[:500]]})

    @extend_schema(request=AidTeamInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = AidTeamInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v["area"] = _area(v["area"])
        team = run_action(
            lambda: actions.do_register_team(acting_user=request.user, request=request, **v)
        )
        return Response(team_dict(team), status=status.HTTP_201_CREATED)


class AidTeamStepInput(serializers.Serializer):
    step = serializers.ChoiceField(choices=["start", "end"])


class TeamStepView(APIView):
    """``start``: the team arrived (or left on its mission); ``end``: it went home (came back)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=AidTeamStepInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, aid_team_id: int) -> Response:
        team = queries.get_team_for_user(request.user, aid_team_id)
        data = AidTeamStepInput(data=request.data)
        data.is_valid(raise_exception=True)
        run_action(
            lambda: actions.do_move_team(
                team, step=data.validated_data["step"], acting_user=request.user, request=request
            )
        )
        return Response(team_dict(team))


class BranchInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    area = serializers.CharField(max_length=32)
    members = serializers.IntegerField(min_value=0, default=0)
    posts = serializers.IntegerField(min_value=0, default=0)


class BranchesView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="workforce_branches_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        rows = [
            {
                "id": b.pk,
                "name": b.name,
                "area": b.area.code,
                "members": b.members,
                "posts": b.posts,
            }
            for b in queries.branches_for(request.user)[:1000]
        ]
        return Response({"results": rows})

    @extend_schema(request=BranchInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = BranchInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v["area"] = _area(v["area"])
        branch = run_action(
            lambda: actions.do_add_branch(acting_user=request.user, request=request, **v)
        )
        return Response({"id": branch.pk, "name": branch.name}, status=status.HTTP_201_CREATED)


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


class RosterImportView(APIView):
    """A roster file (xlsx, xls or csv) as ``file``: the rows stored, the
    warnings and refusals by line."""

    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": ["send the roster as 'file'"]})
        result = run_action(
            lambda: actions.do_import_roster(
                upload, upload.name, acting_user=request.user, request=request
            )
        )
        return Response(
            {
                "import": result.record.pk,
                "rows": result.record.rows,
                "stored": result.stored,
                "errors": result.errors,
                "warnings": result.warnings,
            }
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
