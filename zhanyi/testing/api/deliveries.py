"""Deliveries of tubes to the labs (送检) and the labs' receipts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.testing import actions, queries
from zhanyi.testing.actions.common import InputError
from zhanyi.testing.models import DeliveryBatch

from .common import PERMISSIONS, problems_response


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
            return problems_response(e)
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
            return problems_response(e)
        except PermissionDenied as e:
            raise DRFPermissionDenied(str(e)) from None
        return Response({"batch": batch.code, "received_at": batch.received_at})
