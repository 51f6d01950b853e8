"""REST API of the testing app (核酸检测), at ``/api/v1/testing/``.

For sampling phones (scans), couriers (deliveries), labs (receipts and
results, one tube per row, as JSON or as a CSV file) and the task force
(rounds, coverage, re-test lists, the pool-size recommendation).
Authentication by token (``Authorization: Token …``). Reading needs
``view_person``, writing ``edit_operations``; every object is checked
against the caller's jurisdiction (outside it: 404 or 403). A refused input
answers 400 with ``problems``: each names its row (or index), field and reason.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts import audit
from zhanyi.accounts.roles import has_capability
from zhanyi.command import schedule
from zhanyi.core import jurisdiction
from zhanyi.core.masking import mask_name
from zhanyi.engine.pooling import recommend_pool_size, simulate_dorfman
from zhanyi.places.models import Area, Place

from . import actions, queries
from .actions.common import InputError
from .actions.scanning import OrmStatements
from .models import DeliveryBatch, Purpose, RoundKind, SamplingTeam, TestingRound


class TestingCapability(BasePermission):
    """Reading needs ``view_person``; writing ``edit_operations``."""

    def has_permission(self, request, view) -> bool:
        needed = (
            "view_person" if request.method in ("GET", "HEAD", "OPTIONS") else "edit_operations"
        )
        return has_capability(request.user, needed) and (
            jurisdiction.root_path(request.user) is not None
        )


PERMISSIONS = [IsAuthenticated, TestingCapability]


def problems_body(error: InputError) -> dict:
    return {"problems": [p.as_dict() for p in error.problems]}


def _problems(error: InputError) -> Response:
    return Response(problems_body(error), status=status.HTTP_400_BAD_REQUEST)


def _round_dict(r: TestingRound) -> dict:
    return {
        "id": r.pk,
        "name": r.name,
        "kind": r.kind,
        "area": r.area.code,
        "starts_at": r.starts_at,
        "ends_at": r.ends_at,
        "pool_size": r.pool_size,
        "min_age": r.min_age,
        "max_age": r.max_age,
        "schedule": r.schedule_id,
        "number": r.number,
    }


# -- scans ---------------------------------------------------------------------------------


class ScanInput(serializers.Serializer):
    tube = serializers.CharField(max_length=64)
    codes = serializers.ListField(
        child=serializers.CharField(max_length=128, allow_blank=True),
        max_length=actions.MAX_SCANS,
    )
    site = serializers.IntegerField(required=False)
    round = serializers.IntegerField(required=False)
    team = serializers.IntegerField(required=False)
    pool_size = serializers.IntegerField(required=False)
    purpose = serializers.ChoiceField(choices=Purpose.choices, default=Purpose.ROUND)


def run_scan(user, v: dict, request, context=None, statements=OrmStatements) -> tuple[int, dict]:
    """A validated scan (``ScanInput``'s fields) for ``user``: status and body.

    Shared by ``ScanView`` and the scan lane (``zhanyi.testing.fastpath``),
    so both answer alike. Raises ``Http404`` for a site, round or team outside
    the user's jurisdiction and ``PermissionDenied`` for a tube there.
    ``context``: the (site, round) ``queries.scan_context`` gives, when the
    caller has read it already (the lane reads it with the token);
    ``statements``: how the scan reads and writes (``do_scan``).
    """
    site, round_ = context or queries.scan_context(user, v.get("site"), v.get("round"))
    team = None
    if v.get("team") is not None and site is not None:
        team = get_object_or_404(SamplingTeam, pk=v["team"], site=site)
    try:
        result = actions.do_scan(
            acting_user=user,
            barcode=v["tube"],
            codes=v["codes"],
            site=site,
            round=round_,
            team=team,
            pool_size=v.get("pool_size"),
            purpose=v.get("purpose", Purpose.ROUND),
            request=request,
            statements=statements,
        )
    except InputError as e:
        return status.HTTP_400_BAD_REQUEST, problems_body(e)
    return (status.HTTP_201_CREATED if result.opened else status.HTTP_200_OK), result.as_dict()


class ScanView(APIView):
    """Scan people's codes into a tube (opened at ``site`` on its first scan).

    Well-formed token requests are answered by the scan lane
    (``zhanyi.testing.fastpath.lane``) before they reach this view; it answers the
    rest (session callers, malformed input, refusals) through ``run_scan``.
    """

    permission_classes = PERMISSIONS

    @extend_schema(
        request=ScanInput, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request) -> Response:
        data = ScanInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            code, body = run_scan(request.user, data.validated_data, request)
        except PermissionDenied as e:
            raise DRFPermissionDenied(str(e)) from None
        return Response(body, status=code)


class CloseTubeView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, barcode: str) -> Response:
        tube = queries.get_tube_for_user(request.user, barcode)
        try:
            tube = actions.do_close_tube(tube, acting_user=request.user, request=request)
        except InputError as e:
            return _problems(e)
        except PermissionDenied as e:
            raise DRFPermissionDenied(str(e)) from None
        return Response(
            {"tube": tube.barcode, "status": tube.status, "samples": tube.samples_count}
        )


class TubeView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, barcode: str) -> Response:
        t = queries.get_tube_for_user(request.user, barcode)
        return Response(
            {
                "tube": t.barcode,
                "site": t.site.name,
                "round": t.round_id,
                "pool_size": t.pool_size,
                "purpose": t.purpose,
                "status": t.status,
                "samples": t.samples_count,
                "result": t.result,
                "sampled_at": t.sampled_at,
                "closed_at": t.closed_at,
                "delivered_at": t.delivered_at,
                "received_at": t.received_at,
                "tested_at": t.tested_at,
                "reported_at": t.reported_at,
                "lab": t.batch.lab.code if t.batch_id else None,
            }
        )


# -- deliveries ----------------------------------------------------------------------------


class DeliveryInput(serializers.Serializer):
    site = serializers.IntegerField()
    lab = serializers.CharField(max_length=32)
    barcodes = serializers.ListField(child=serializers.CharField(max_length=64), max_length=5000)
    code = serializers.CharField(max_length=64, required=False, default="")


class DeliveryView(APIView):
    """Send tubes to a lab in one batch (all or nothing)."""

    permission_classes = PERMISSIONS

    @extend_schema(request=DeliveryInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = DeliveryInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        site = queries.get_site_for_user(request.user, v["site"])
        lab = queries.get_lab(v["lab"])
        try:
            batch = actions.do_deliver(
                acting_user=request.user,
                site=site,
                lab=lab,
                barcodes=v["barcodes"],
                code=v["code"],
                request=request,
            )
        except InputError as e:
            return _problems(e)
        except PermissionDenied as e:
            raise DRFPermissionDenied(str(e)) from None
        return Response(
            {"batch": batch.code, "lab": lab.code, "tubes": batch.tubes.count()},
            status=status.HTTP_201_CREATED,
        )


class ReceiveView(APIView):
    """The lab signs for a batch."""

    permission_classes = PERMISSIONS

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, code: str) -> Response:
        try:
            batch = queries.batches_for(request.user).get(code=code)
        except DeliveryBatch.DoesNotExist:
            raise Http404("no such batch") from None
        try:
            batch = actions.do_receive_batch(batch, acting_user=request.user, request=request)
        except InputError as e:
            return _problems(e)
        except PermissionDenied as e:
            raise DRFPermissionDenied(str(e)) from None
        return Response({"batch": batch.code, "received_at": batch.received_at})


# -- results -------------------------------------------------------------------------------


class ResultRowInput(serializers.Serializer):
    barcode = serializers.CharField(max_length=64)
    result = serializers.CharField(max_length=16)
    tested_at = serializers.CharField(max_length=40)
    reported_at = serializers.CharField(max_length=40, required=False, allow_blank=True)


class ResultsInput(serializers.Serializer):
    lab = serializers.CharField(max_length=32)
    results = serializers.ListField(child=serializers.DictField(), max_length=50_000)


class ResultFileInput(serializers.Serializer):
    lab = serializers.CharField(max_length=32)
    file = serializers.FileField()


def _import_dict(imp) -> dict:
    return {
        "import": imp.pk,
        "lab": imp.lab.code,
        "rows": imp.rows,
        "stored": imp.stored,
        "unchanged": imp.unchanged,
        "refused": imp.refused,
        "positives": imp.positives,
        "problems": imp.problems,
    }


def _import_status(imp) -> int:
    return status.HTTP_400_BAD_REQUEST if imp.refused and not (imp.stored or imp.unchanged) else 200


class ResultsView(APIView):
    """A lab's results, one tube per row. Good rows are stored; broken rows
    are refused with their row number (1-based), field and reason."""

    permission_classes = PERMISSIONS

    @extend_schema(request=ResultsInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = ResultsInput(data=request.data)
        data.is_valid(raise_exception=True)
        lab = queries.get_lab(data.validated_data["lab"])
        rows, problems = [], []
        for i, raw in enumerate(data.validated_data["results"], start=1):
            row = ResultRowInput(data=raw)
            if not row.is_valid():
                for field, errors in row.errors.items():
                    problems.append(actions.Problem(i, field, "invalid", str(errors[0])))
                continue
            parsed = actions.results.parse_result_row(i, row.validated_data)
            (problems if isinstance(parsed, actions.Problem) else rows).append(parsed)
        try:
            imp = actions.do_record_results(
                acting_user=request.user,
                lab=lab,
                rows=rows,
                via="api",
                parse_problems=problems,
                request=request,
            )
        except PermissionDenied as e:
            raise DRFPermissionDenied(str(e)) from None
        return Response(_import_dict(imp), status=_import_status(imp))


class ResultFileView(APIView):
    """A lab system's CSV file: ``barcode,result,tested_at[,reported_at]``."""

    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ResultFileInput}, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = ResultFileInput(data=request.data)
        data.is_valid(raise_exception=True)
        lab = queries.get_lab(data.validated_data["lab"])
        upload = data.validated_data["file"]
        rows, problems = actions.parse_results_csv(upload.read())
        try:
            imp = actions.do_record_results(
                acting_user=request.user,
                lab=lab,
                rows=rows,
                via="file",
                filename=upload.name,
                parse_problems=problems,
                request=request,
            )
        except PermissionDenied as e:
            raise DRFPermissionDenied(str(e)) from None
        return Response(_import_dict(imp), status=_import_status(imp))


# -- offline uploads ------------------------------------------------------------------------


class UploadTubeInput(serializers.Serializer):
    barcode = serializers.CharField(max_length=64)
    site = serializers.IntegerField()
    sampled_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(required=False, allow_null=True)
    codes = serializers.ListField(
        child=serializers.CharField(max_length=128), min_length=1, max_length=20
    )


class SampleUploadInput(serializers.Serializer):
    tubes = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=5_000)


class SampleFileInput(serializers.Serializer):
    file = serializers.FileField()


def _store_upload(request: Request, round_, swabs, problems) -> Response:
    try:
        imp = actions.do_upload_samples(
            acting_user=request.user,
            round=round_,
            swabs=swabs,
            parse_problems=problems,
            request=request,
        )
    except PermissionDenied as e:
        raise DRFPermissionDenied(str(e)) from None
    code = status.HTTP_400_BAD_REQUEST if imp.refused and not imp.tubes else status.HTTP_200_OK
    return Response(imp.as_dict(), status=code)


class RoundSamplesView(APIView):
    """A sampling app's offline shift: tubes with the codes scanned into them.

    Each tube is checked as a whole (its index, 1-based, names it when it is
    refused); good tubes are stored, as by the bulk path."""

    permission_classes = PERMISSIONS

    @extend_schema(request=SampleUploadInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, round_id: int) -> Response:
        round_ = queries.get_round_for_user(request.user, round_id)
        data = SampleUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        swabs, problems = [], []
        for i, raw in enumerate(data.validated_data["tubes"], start=1):
            tube = UploadTubeInput(data=raw)
            if not tube.is_valid():
                for name, errors in tube.errors.items():
                    problems.append(actions.Problem(i, name, "invalid", str(errors[0])))
                continue
            v = tube.validated_data
            for code in v["codes"]:
                row = actions.swab_row(i, {**v, "person": code})
                (problems if isinstance(row, actions.Problem) else swabs).append(row)
        return _store_upload(request, round_, swabs, problems)


class RoundSamplesFileView(APIView):
    """The same as a file: ``barcode,site,sampled_at,person[,closed_at]``, one
    swab per line (CSV in UTF-8, GBK or GB18030, or xlsx)."""

    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": SampleFileInput}, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, round_id: int) -> Response:
        round_ = queries.get_round_for_user(request.user, round_id)
        data = SampleFileInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        swabs, problems = actions.read_sample_file(upload, upload.name)
        return _store_upload(request, round_, swabs, problems)


# -- rounds and coverage --------------------------------------------------------------------


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
        return Response({"results": [_round_dict(r) for r in rounds]})

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
            return _problems(e)
        except PermissionDenied as e:
            raise DRFPermissionDenied(str(e)) from None
        out = _round_dict(r)
        out["targets"] = r.targets.count()
        return Response(out, status=status.HTTP_201_CREATED)


class RoundView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, round_id: int) -> Response:
        return Response(_round_dict(queries.get_round_for_user(request.user, round_id)))


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
            return _problems(e)
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
            return _problems(e)
        except PermissionDenied as e:
            raise DRFPermissionDenied(str(e)) from None
        return Response({"round": r.pk, "exempt": n})


class ScheduledDueView(APIView):
    """Who is due when: scheduled tests handed over by tracing (protocol days)
    and the coming rounds of standing schedules, up to ``hours`` ahead."""

    permission_classes = PERMISSIONS

    @extend_schema(parameters=[OpenApiParameter("hours", int)], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        from django.utils import timezone

        from .actions.rounds import schedule_periods
        from .models import Schedule

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
        from .actions.common import testing_rule

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


urlpatterns = [
    path("scans/", ScanView.as_view(), name="testing-scans"),
    path("tubes/<str:barcode>/", TubeView.as_view(), name="testing-tube"),
    path("tubes/<str:barcode>/close/", CloseTubeView.as_view(), name="testing-tube-close"),
    path("deliveries/", DeliveryView.as_view(), name="testing-deliveries"),
    path("deliveries/<str:code>/receive/", ReceiveView.as_view(), name="testing-receive"),
    path("results/", ResultsView.as_view(), name="testing-results"),
    path("results/file/", ResultFileView.as_view(), name="testing-results-file"),
    path("rounds/", RoundsView.as_view(), name="testing-rounds"),
    path("rounds/<int:round_id>/", RoundView.as_view(), name="testing-round"),
    path("rounds/<int:round_id>/coverage/", CoverageView.as_view(), name="testing-coverage"),
    path("rounds/<int:round_id>/samples/", RoundSamplesView.as_view(), name="testing-samples"),
    path(
        "rounds/<int:round_id>/samples/file/",
        RoundSamplesFileView.as_view(),
        name="testing-samples-file",
    ),
    path("rounds/<int:round_id>/due/", DueView.as_view(), name="testing-due"),
    path("rounds/<int:round_id>/exempt/", ExemptView.as_view(), name="testing-exempt"),
    path("due/", ScheduledDueView.as_view(), name="testing-scheduled-due"),
    path("pool-size/", PoolSizeView.as_view(), name="testing-pool-size"),
]
