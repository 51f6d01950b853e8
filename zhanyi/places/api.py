"""REST API of areas and places, scoped to the caller's jurisdiction."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.fields import empty
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.core import jurisdiction

from . import queries
from .models import Area, Place


def _no_area(code: str) -> str:
    return _("No area has the code %(code)s.") % {"code": code}


def area_by_code(code: str, field: str = "area") -> Area:
    """The area a request names by its code, for the apps' APIs (a 400 on
    ``field`` naming the code when no area has it: the one message every API
    gives for an unknown area)."""
    area = Area.objects.filter(code=str(code).strip()).first()
    if area is None:
        raise serializers.ValidationError({field: [_no_area(code)]})
    return area


class AreaCodeField(serializers.CharField):
    """An area a request body names by its code: ``validated_data`` holds the
    ``Area``, and an unknown code is a 400 on the field with ``area_by_code``'s
    message. Any area of the city may be named; the action checks the caller's
    jurisdiction over it, as for an area named on a page."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def run_validation(self, data=empty):
        code = super().run_validation(data)  # a code, checked as text
        if not isinstance(code, str) or not code:
            return code
        area = Area.objects.filter(code=code.strip()).first()
        if area is None:
            raise serializers.ValidationError(_no_area(code))
        return area

    def to_representation(self, value) -> str:
        return value.code if isinstance(value, Area) else str(value)


class AreaCodeListField(serializers.ListField):
    """Areas a request body names by their codes: ``validated_data`` holds the
    ``Area``s; each unknown code is a 400 on the field with ``area_by_code``'s
    message."""

    child = serializers.CharField(max_length=32)

    def run_validation(self, data=empty):
        codes = super().run_validation(data)  # codes, checked as text
        if not isinstance(codes, list):
            return codes
        codes = [code.strip() for code in codes]
        areas = list(Area.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {a.code for a in areas})
        if unknown:
            raise serializers.ValidationError([_no_area(code) for code in unknown])
        return areas

    def to_representation(self, data) -> list[str]:
        return [a.code if isinstance(a, Area) else str(a) for a in data]


class AreaSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = Area
        fields = ["code", "name", "level", "kind", "parent_code", "population", "lon", "lat"]


class PlaceSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = Place
        fields = ["id", "name", "kind", "area_code", "lon", "lat", "cell_id", "capacity"]


@extend_schema(
    parameters=[
        OpenApiParameter("level", str, description="city, county, township, village or grid"),
        OpenApiParameter("parent", str, description="code of the parent area"),
    ]
)
class AreaList(generics.ListAPIView):
    """Areas the caller may see."""

    serializer_class = AreaSerializer

    def get_queryset(self):
        qs = queries.visible_areas(self.request.user).select_related("parent")
        if level := self.request.query_params.get("level"):
            qs = qs.filter(level=level)
        if parent := self.request.query_params.get("parent"):
            qs = qs.filter(parent__code=parent)
        return qs.order_by("path")


class AreaDetail(generics.RetrieveAPIView):
    serializer_class = AreaSerializer

    def get_object(self):
        return queries.get_area_for_user(self.request.user, self.kwargs["code"])


class AreaChildrenGeoJSON(APIView):
    """The area's children as a GeoJSON FeatureCollection (for maps)."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request, code: str) -> Response:
        area = queries.get_area_for_user(request.user, code)
        children = area.children.order_by("code")
        if not children.exists():
            children = Area.objects.filter(pk=area.pk)
        return Response(queries.feature_collection(children))


@extend_schema(
    parameters=[
        OpenApiParameter("area", str, description="code of an area: places in it and below"),
        OpenApiParameter("kind", str),
    ]
)
class PlaceList(generics.ListAPIView):
    serializer_class = PlaceSerializer

    def get_queryset(self):
        qs = jurisdiction.scope(
            Place.objects.select_related("area"), self.request.user, "area__path"
        )
        if code := self.request.query_params.get("area"):
            area = queries.get_area_for_user(self.request.user, code)
            qs = qs.filter(area__path__startswith=area.path)
        if kind := self.request.query_params.get("kind"):
            qs = qs.filter(kind=kind)
        return qs.order_by("id")


urlpatterns = [
    path("areas/", AreaList.as_view(), name="api-area-list"),
    path("areas/<str:code>/", AreaDetail.as_view(), name="api-area-detail"),
    path(
        "areas/<str:code>/children.geojson",
        AreaChildrenGeoJSON.as_view(),
        name="api-area-children-geojson",
    ),
    path("places/", PlaceList.as_view(), name="api-place-list"),
]
