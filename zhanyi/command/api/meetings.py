"""The daily meeting (每日调度会) over the API: the meetings, recording one,
one meeting's pack, its decisions (directives linked to it) and its files."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.command import actions, queries
from zhanyi.command.exports import CONTENT_TYPES, MEETING_WRITERS
from zhanyi.command.models import Meeting
from zhanyi.command.views.meetings import meeting_response
from zhanyi.core.api import ActionView
from zhanyi.places.api import area_by_code

from .directives import DirectiveSerializer
from .supervision import LedgerItemSerializer


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "held_at", "chaired_by", "notes", "created_by_name"]
        read_only_fields = ["id", "created_by_name"]
        # One meeting a time: the action refuses a second with the time it names.
        extra_kwargs = {"held_at": {"validators": []}}


class ChangeSerializer(serializers.Serializer):
    area = serializers.CharField(source="row.area.code")
    area_name = serializers.CharField(source="row.area.name")
    name = serializers.CharField(source="row.name")
    label = serializers.CharField(source="row.shown_label")
    unit = serializers.CharField(source="row.shown_unit")
    value = serializers.FloatField(source="row.value")
    before = serializers.FloatField(source="before.value", allow_null=True, default=None)
    change = serializers.FloatField(allow_null=True)


class PackSerializer(serializers.Serializer):
    meeting = MeetingSerializer()
    previous = MeetingSerializer(allow_null=True)
    as_of = serializers.DateTimeField()
    report = serializers.DateTimeField(source="report.scheduled_for", allow_null=True, default=None)
    base_report = serializers.DateTimeField(
        source="base_report.scheduled_for", allow_null=True, default=None
    )
    changes = serializers.SerializerMethodField()
    overdue = LedgerItemSerializer(source="ledger.open", many=True)
    decisions = DirectiveSerializer(many=True)

    def get_changes(self, pack: queries.MeetingPack) -> list[dict]:
        return ChangeSerializer([c for a in pack.areas for c in a.changes], many=True).data


class Meetings(ActionView):
    """The city headquarters' daily meetings, newest first; POST records one
    (``approve``, the city)."""

    input = MeetingSerializer
    output = MeetingSerializer
    do = actions.do_record_meeting

    @extend_schema(responses={200: MeetingSerializer(many=True)})
    def get(self, request: Request) -> Response:
        meetings = queries.meetings_for_user(request.user)[:200]
        return Response(MeetingSerializer(meetings, many=True).data)


class MeetingPackView(APIView):
    """One meeting's pack within the caller's jurisdiction: what changed since
    the last meeting (stored report figures), what is overdue, the decisions."""

    @extend_schema(responses={200: PackSerializer})
    def get(self, request: Request, pk: int) -> Response:
        meeting = queries.get_meeting_for_user(request.user, pk)
        return Response(PackSerializer(queries.meeting_pack(meeting, request.user)).data)


class MeetingDecisions(ActionView):
    """POST records a decision of the meeting: a directive linked to it."""

    input = DirectiveSerializer
    output = DirectiveSerializer

    def get_target(self, request: Request, pk: int) -> Meeting:
        return queries.get_meeting_for_user(request.user, pk)

    def perform(self, request: Request, meeting: Meeting, data: dict):
        area = area_by_code(data.pop("area")["code"])
        return actions.do_record_decision(
            meeting, acting_user=request.user, area=area, request=request, **data
        )


class MeetingFile(APIView):
    """The pack as a file: docx or pdf."""

    @extend_schema(
        operation_id="command_meetings_file",
        responses={(200, CONTENT_TYPES[fmt]): bytes for fmt in MEETING_WRITERS},
    )
    def get(self, request: Request, pk: int, fmt: str) -> HttpResponse:
        if fmt not in MEETING_WRITERS:
            raise NotFound()
        meeting = queries.get_meeting_for_user(request.user, pk)
        return meeting_response(request, meeting, fmt)


urlpatterns = [
    path("meetings/", Meetings.as_view(), name="api-meetings"),
    path("meetings/<int:pk>/", MeetingPackView.as_view(), name="api-meeting"),
    path("meetings/<int:pk>/decisions/", MeetingDecisions.as_view(), name="api-meeting-decisions"),
    path("meetings/<int:pk>/<str:fmt>/", MeetingFile.as_view(), name="api-meeting-file"),
]
