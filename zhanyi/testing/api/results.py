"""The labs' results (检测结果), one tube per row, as JSON or as a CSV file."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.testing import actions, queries

from .common import PERMISSIONS


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
        rows, problems = actions.parse_results_csv(upload.file)
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
