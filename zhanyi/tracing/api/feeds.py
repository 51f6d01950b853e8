"""Operators' stay files (运营商位置数据), at ``/api/v1/tracing/feeds/``.

An operator's system posts its day's file (CSV or Parquet); it waits in the
watched folder for the scheduler, which ingests it into the companion store.
A file with the wrong columns is refused at once (400, naming the expected
columns) and the refusal is kept in the day's record. Data staff only
(``edit_operations`` and ``view_identity``).
"""

from __future__ import annotations

import datetime as dt

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import capability_permission
from zhanyi.core.api import ActionView
from zhanyi.tracing.actions.feeds import do_receive_stay_file, feed_days
from zhanyi.tracing.models import StayFile

PERMISSIONS = [
    IsAuthenticated,
    capability_permission("edit_operations"),
    capability_permission("view_identity"),
]


class FeedUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or Parquet: person_id, cell_id, start, end")
    operator = serializers.CharField(required=False, default="", allow_blank=True, max_length=100)


class StayFileSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = StayFile
        fields = [
            "id",
            "operator",
            "filename",
            "via",
            "status",
            "status_label",
            "reason",
            "arrived_on",
            "received_at",
            "processed_at",
            "size_bytes",
            "rows",
            "stays",
            "rejects",
            "days",
        ]


class FeedDaySerializer(serializers.Serializer):
    arrived_on = serializers.DateField()
    files = serializers.IntegerField()
    ingested = serializers.IntegerField()
    refused = serializers.IntegerField()
    waiting = serializers.IntegerField()
    rows = serializers.IntegerField()
    stays = serializers.IntegerField()


@extend_schema_view(post=extend_schema(summary="Post a stay file"))
class Feeds(ActionView):
    """The stay files received (``?day=YYYY-MM-DD``: of that day), or post one."""

    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser, FormParser]
    input = FeedUploadSerializer
    output = StayFileSerializer
    status_code = status.HTTP_202_ACCEPTED

    @extend_schema(
        summary="Stay files received",
        parameters=[OpenApiParameter("day", str, description="YYYY-MM-DD")],
        responses={200: StayFileSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        files = StayFile.objects.all()
        day = request.query_params.get("day")
        if day:
            try:
                files = files.filter(arrived_on=dt.date.fromisoformat(day))
            except ValueError:
                raise ValidationError({"day": [_("Give the day as YYYY-MM-DD.")]}) from None
        return Response(StayFileSerializer(files[:500], many=True).data)

    def perform(self, request: Request, target, data: dict) -> StayFile:
        upload = data["file"]
        record = do_receive_stay_file(
            upload,
            filename=upload.name,
            operator=data["operator"],
            via=StayFile.Via.API,
            acting_user=request.user,
            request=request,
        )
        if record.status == StayFile.Status.REFUSED:  # kept in the day's record, answered 400
            raise ValidationError({"file": [record.reason], "id": record.pk})
        return record


class FeedDays(APIView):
    """Per day: files received, ingested, refused and waiting; rows and stays."""

    permission_classes = PERMISSIONS

    @extend_schema(summary="Stay files by day", responses={200: FeedDaySerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(FeedDaySerializer(feed_days(), many=True).data)


urlpatterns = [
    path("feeds/", Feeds.as_view(), name="api-feeds"),
    path("feeds/days/", FeedDays.as_view(), name="api-feed-days"),
]
