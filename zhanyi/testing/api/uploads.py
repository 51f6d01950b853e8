"""Offline uploads: a sampling app's shift of tubes, as JSON or as a file."""

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
