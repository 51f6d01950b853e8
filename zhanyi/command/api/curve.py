"""The epidemic curve and Rt of an area (the caller's by default)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.command import curve as epicurve
from zhanyi.command.views.curve import parse
from zhanyi.core.api import as_drf_error


class EpidemicCurve(APIView):
    """Cases per day (by onset or report date) for the area and each area below
    it; Rt (Cori et al. 2013, as EpiEstim) with its 95% credible interval;
    doubling time; the expected cases of the next seven days."""

    @extend_schema(
        parameters=[
            OpenApiParameter("area", str, description="area code (default: yours)"),
            OpenApiParameter("by", str, enum=["onset", "report"]),
            OpenApiParameter("si_mean", float, description="serial interval mean, days"),
            OpenApiParameter("si_sd", float, description="serial interval sd, days"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        try:
            asked = parse(request.query_params, request.user)
            curve = epicurve.epidemic_curve(
                asked["area"], by=asked["by"], si_mean=asked["si_mean"], si_sd=asked["si_sd"]
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(curve.as_dict())


urlpatterns = [path("curve/", EpidemicCurve.as_view(), name="api-curve")]
