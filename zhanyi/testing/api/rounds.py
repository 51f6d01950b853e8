"""Testing rounds (全员核酸 and others): creating and reading them, coverage,
who is still due, and exemptions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.core import audit, jurisdiction
from zhanyi.core.masking import mask_name
from zhanyi.places.models import Area, Place
from zhanyi.testing import actions, queries
from zhanyi.testing.actions.common import InputError
from zhanyi.testing.models import RoundKind

from .common import PERMISSIONS, problems_response, round_dict


class RoundInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=RoundKind.choices)
    areas = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    places = serializers.ListField(child=serializers.IntegerField(), required=False)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    pool_size = serializers.IntegerField(required=False)
    min_age = serializers.IntegerField(required=False, min_value=0, max_value=150)
    max_age = serializers.IntegerField(required=False, min_value=0, max_value=150)


class RoundsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="testing_rounds_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        rounds = queries.rounds_for(request.user)[:200]
        return Response({"results": [round_dict(r) for r in rounds]})

    @extend_schema(request=RoundInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = RoundInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        codes = v.get("areas", [])
        areas = list(Area.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {a.code for a in areas})
        if missing:
            return Response(
                {
                    "problems": [
                        {"field": "areas", "code": "unknown", "message": f"unknown area {c}"}
                        for c in missing
                    ]
                },
                status=400,
            )
        places = list(Place.objects.filter(pk__in=v.get("places", [])).select_related("area"))
        try:
            r = actions.do_create_round(
                acting_user=request.user,
                name=v["name"],
                kind=v["kind"],
                scope_areas=areas,
                scope_places=places,
                starts_at=v["starts_at"],
                ends_at=v["ends_at"],
                pool_size=v.get("pool_size"),
                min_age=v.get("min_age"),
                max_age=v.get("max_age"),
                request=request,
            )
        except InputError as e:
            return problems_response(e)
        except PermissionDenied as e:
            raise DRFPermissionDenied(str(e)) from None
        out = round_dict(r)
        out["targets"] = r.targets.count()
        return Response(out, status=status.HTTP_201_CREATED)


class RoundView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, round_id: int) -> Response:
        return Response(round_dict(queries.get_round_for_user(request.user, round_id)))


LEVEL_PARAM = OpenApiParameter("level", str, enum=["county", "township", "village"])


class CoverageView(APIView):
    """Coverage of a round by area in the caller's jurisdiction: tested, not yet, exempt."""

    permission_classes = PERMISSIONS

    @extend_schema(parameters=[LEVEL_PARAM], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, round_id: int) -> Response:
        r = queries.get_round_for_user(request.user, round_id)
        try:
            total, rows = queries.coverage(request.user, r, level=request.query_params.get("level"))
        except InputError as e:
            return problems_response(e)
        return Response(
            {
                "round": r.pk,
                "total": total.as_dict(),
                "areas": [row.as_dict() for row in rows],
                "turnaround_by_site": queries.turnaround(request.user, r, by="site"),
                "turnaround_by_lab": queries.turnaround(request.user, r, by="lab"),
            }
        )


class DueView(APIView):
    """Who is still to be tested in a round (names masked), and the re-test list."""

    permission_classes = PERMISSIONS

    @extend_schema(
        parameters=[OpenApiParameter("area", str), OpenApiParameter("limit", int)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, round_id: int) -> Response:
        r = queries.get_round_for_user(request.user, round_id)
        area = None
        if request.query_params.get("area"):
            area = get_object_or_404(Area, code=request.query_params["area"])
            if not jurisdiction.can_see_area(request.user, area):
                raise Http404("no such area")
        try:
            limit = max(1, min(int(request.query_params.get("limit", 500)), 5000))
        except ValueError:
            limit = 500
        due = queries.not_yet_tested(request.user, r, area)
        total = due.count()
        people = [
            {"person": t.person_id, "name": mask_name(t.person.name), "village": t.village.code}
            for t in due[:limit]
        ]
        retests = [
            {
                "person": h.person_id,
                "name": mask_name(h.person.name),
                "area": h.area.code,
                "due_at": h.due_at,
                "tube": h.detail.get("tube"),
            }
            for h in queries.retest_list(request.user, r)[:limit]
        ]
        audit.record(
            actor=request.user,
            action="testing.due_list",
            obj=r,
            detail={"due": total, "shown": len(people), "retests": len(retests)},
            request=request,
            area=area,
        )
        return Response({"round": r.pk, "due": total, "people": people, "retests": retests})


class ExemptInput(serializers.Serializer):
    persons = serializers.ListField(child=serializers.IntegerField(), max_length=10_000)
    reason = serializers.CharField(max_length=100)


class ExemptView(APIView):
    """Mark people of a round exempt (免检) with a reason."""

    permission_classes = PERMISSIONS

    @extend_schema(request=ExemptInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, round_id: int) -> Response:
        r = queries.get_round_for_user(request.user, round_id)
        data = ExemptInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            n = actions.do_set_exempt(
                r, v["persons"], reason=v["reason"], acting_user=request.user, request=request
            )
        except InputError as e:
            return problems_response(e)
        except PermissionDenied as e:
            raise DRFPermissionDenied(str(e)) from None
        return Response({"round": r.pk, "exempt": n})
