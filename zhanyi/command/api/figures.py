"""The figures API: the same definitions the dashboard and reports read.

It shows what the dashboards show: values shared for a few seconds by every
reader of the same area (``zhanyi.core.figure_cache``), each with the time its
computation began; ``?fresh=1`` computes them again now.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.core import metrics
from zhanyi.places import queries as place_queries


class FigureSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.FloatField()
    computed_at = serializers.DateTimeField(help_text="when the value's computation began")


class Figures(APIView):
    """Every registered figure, for the caller's jurisdiction or an area in it."""

    @extend_schema(
        parameters=[
            OpenApiParameter("area", str, description="area code (default: yours)"),
            OpenApiParameter(
                "fresh",
                bool,
                description="1: compute the figures now instead of showing the values "
                "shared for a few seconds",
            ),
        ],
        responses={200: FigureSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        try:
            fresh = metrics.parse_fresh(request.query_params.get("fresh"))
        except ValueError as error:
            raise ValidationError({"fresh": [str(error)]}) from None
        if code := request.query_params.get("area"):
            area = place_queries.get_area_for_user(request.user, code)
        else:
            area = metrics.area_for(request.user)  # refuses a user without jurisdiction
        return Response(metrics.shown(area=area, fresh=fresh))


urlpatterns = [path("", Figures.as_view(), name="api-figures")]
