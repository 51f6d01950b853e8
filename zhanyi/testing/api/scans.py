"""Scans at the sampling points (扫码采样) and the tubes they fill."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.testing import actions, queries
from zhanyi.testing.actions.common import InputError
from zhanyi.testing.actions.scanning import OrmStatements
from zhanyi.testing.models import Purpose, SamplingTeam

from .common import PERMISSIONS, problems_body, problems_response


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
            return problems_response(e)
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
