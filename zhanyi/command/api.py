"""The figures API: the same definitions the dashboard and reports read."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.core import metrics
from zhanyi.places import queries as place_queries

from . import queries


class FigureSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.FloatField()


class Figures(APIView):
    """Every registered figure, for the caller's jurisdiction or an area in it."""

    @extend_schema(
        parameters=[OpenApiParameter("area", str, description="area code (default: yours)")],
        responses={200: FigureSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        if code := request.query_params.get("area"):
            area = place_queries.get_area_for_user(request.user, code)
            return Response(metrics.compute(area=area))
        place_queries.root_area_for(request.user)  # refuses a user without jurisdiction
        return Response(metrics.compute(area=queries.metrics_area(request.user)))


urlpatterns = [path("", Figures.as_view(), name="api-figures")]
