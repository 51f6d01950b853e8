"""Looking ahead: the tests and rounds due in the coming hours, and the pool
size to use for a prevalence."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.core import audit, jurisdiction
from zhanyi.core.masking import mask_name
from zhanyi.engine.pooling import recommend_pool_size, simulate_dorfman
from zhanyi.handoffs import schedule
from zhanyi.testing import queries
from zhanyi.testing.actions.common import testing_rule
from zhanyi.testing.actions.rounds import schedule_periods
from zhanyi.testing.models import Schedule

from .common import PERMISSIONS


class ScheduledDueView(APIView):
    """Who is due when: scheduled tests handed over by tracing (protocol days)
    and the coming rounds of standing schedules, up to ``hours`` ahead."""

    permission_classes = PERMISSIONS

    @extend_schema(parameters=[OpenApiParameter("hours", int)], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        try:
            hours = max(1, min(int(request.query_params.get("hours", 24)), 24 * 14))
        except ValueError:
            hours = 24
        now = timezone.now()
        until = now + dt.timedelta(hours=hours)
        tests = queries.scheduled_due(request.user, until=until)
        path = jurisdiction.root_path(request.user)
        schedules = Schedule.objects.select_related("area").filter(ends_at__gt=now)
        if path:
            schedules = schedules.filter(area__path__startswith=path)
        coming = []
        for sched in schedules[:100]:
            made = set(sched.rounds.values_list("number", flat=True))
            for number, start, end in schedule_periods(sched, until):
                if end > now:
                    coming.append(
                        {
                            "schedule": sched.name,
                            "number": number,
                            "starts_at": start,
                            "ends_at": end,
                            "created": number in made,
                        }
                    )
        people = []
        for h in tests[:1000]:
            # The hand-off's window is its schedule's next test: say which.
            test = schedule.current(
                schedule.tests_of(h.detail, not_before=h.not_before, due_at=h.due_at)
            )
            people.append(
                {
                    "person": h.person_id,
                    "name": mask_name(h.person.name),
                    "area": h.area.code,
                    "not_before": h.not_before,
                    "due_at": h.due_at,
                    "stage": test.stage if test else None,
                    "day": test.day if test else None,
                    "origin": h.origin,
                }
            )
        audit.record(
            actor=request.user,
            action="testing.scheduled_due",
            detail={"tests": len(people), "hours": hours},
            request=request,
        )
        return Response({"until": until, "tests": people, "rounds": coming})


class PoolSizeView(APIView):
    """Dorfman's recommended pool size for an estimated prevalence, with a seeded check."""

    permission_classes = PERMISSIONS

    @extend_schema(
        parameters=[
            OpenApiParameter("prevalence", float, required=True),
            OpenApiParameter("cap", int),
            OpenApiParameter("population", int),
            OpenApiParameter("simulate", int, description="people to simulate (0: none)"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        rule = testing_rule()
        q = request.query_params
        try:
            p = float(q.get("prevalence", ""))
            cap = int(q.get("cap", rule.max_pool_size))
            population = int(q.get("population", 1))
            simulate = min(int(q.get("simulate", 0)), 2_000_000)
            rec = recommend_pool_size(p, sizes=rule.pool_sizes, cap=cap, population=population)
        except ValueError as e:
            return Response(
                {"problems": [{"field": "prevalence", "code": "invalid", "message": str(e)}]},
                status=400,
            )
        out = rec.as_dict()
        if simulate > 0:
            out["simulation"] = simulate_dorfman(
                simulate, p, rec.best.pool_size, seed=2021
            ).as_dict()
        return Response(out)
