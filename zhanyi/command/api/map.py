"""The command map's layers, one endpoint each, as GeoJSON (``/api/v1/command/map/…``):
``zones/`` (the zones in force by tier, at the level each was declared),
``cases/`` (their residences), ``quarantine-sites/`` (with occupancy),
``checkpoints/`` (with the day's flow) and ``testing-sites/`` (the day's
samples, tubes waiting). Scoped by the reader's jurisdiction. A case names its
person only for a reader who may see persons (``view_person``) and did not ask
``?masked=1``; such a read is audited (``command.map.view``). ``?at=`` draws
the map at another moment (ISO date or time)."""

from __future__ import annotations

import datetime as dt

from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import has_capability
from zhanyi.command.map import layer_collection
from zhanyi.core import audit
from zhanyi.core.metrics import parse_fresh
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places import map_layers
from zhanyi.places import queries as place_queries


def _moment(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise ValidationError({"at": ["an ISO date or date and time"]})
        moment = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LOCAL_TZ)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment


class MapLayer(APIView):
    """One layer of the command map as a GeoJSON FeatureCollection."""

    layer = ""

    @extend_schema(
        parameters=[
            OpenApiParameter("masked", int, enum=[0, 1], description="1: name no person"),
            OpenApiParameter("at", str, description="the moment drawn (ISO); default now"),
            OpenApiParameter("fresh", int, enum=[0, 1], description="1: not from the cache"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        layer = map_layers.get(self.layer)
        if layer is None:
            raise NotFound("no such layer")
        area = place_queries.root_area_for(request.user)
        masked = request.query_params.get("masked") == "1"
        try:
            fresh = parse_fresh(request.query_params.get("fresh"))
        except ValueError as error:
            raise ValidationError({"fresh": [str(error)]}) from None
        at = _moment(request.query_params.get("at"))
        named = layer.persons and not masked and has_capability(request.user, "view_person")
        body = layer_collection(layer, area, named=named, at=at, fresh=fresh)
        if named:
            audit.record(
                actor=request.user,
                action="command.map.view",
                object_type="map_layer",
                object_id=layer.name,
                area=area,
                detail={"layer": layer.name, "features": len(body["features"])},
                request=request,
            )
        return Response(body)


#: The layers with an endpoint (each registered by its app's ``map_layers.py``).
LAYERS = ("zones", "cases", "quarantine_sites", "checkpoints", "testing_sites")

urlpatterns = [
    path(
        f"map/{name.replace('_', '-')}/",
        MapLayer.as_view(layer=name),
        name=map_layers.url_name(name),
    )
    for name in LAYERS
]
