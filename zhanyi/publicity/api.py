"""Publicity's REST API (宣传), at ``/api/v1/publicity/``.

Reading needs ``view_person`` and a jurisdiction, recording
``edit_operations``, approving and publishing a notice ``approve``; areas are
named by their code. A refusal answers 400 by field with the action's
message, or 403 with its reason.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core.api import ActionView, run_action
from zhanyi.places.api import area_by_code

from . import actions, queries
from .models import (
    MediaKind,
    MediaLevel,
    MediaReport,
    Notice,
    OpinionFollowUp,
    OpinionItem,
    PressConference,
)

PERMISSIONS = [IsAuthenticated, OperationsPermission]


class ConferenceSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    title = serializers.CharField(max_length=400)
    speakers = serializers.CharField()
    topics = serializers.CharField()
    speaker_list = serializers.ListField(child=serializers.CharField(), read_only=True)
    topic_list = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = PressConference
        fields = [
            "id",
            "title",
            "held_at",
            "area",
            "place",
            "speakers",
            "topics",
            "speaker_list",
            "topic_list",
            "recorded_by_name",
        ]
        read_only_fields = ["id", "recorded_by_name"]
        extra_kwargs = {"held_at": {"validators": []}, "place": {"max_length": 400}}


class ConferencesView(ActionView):
    """Press conferences; POST records one (speakers and topics one a line)."""

    permission_classes = PERMISSIONS
    input = ConferenceSerializer
    output = ConferenceSerializer

    @extend_schema(responses={200: ConferenceSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = queries.conferences_for(request.user)[:200]
        return Response(ConferenceSerializer(rows, many=True).data)

    def perform(self, request: Request, target, data: dict) -> PressConference:
        area = area_by_code(data.pop("area")["code"])
        return actions.do_record_conference(
            acting_user=request.user, area=area, request=request, **data
        )


class NoticeSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "title",
            "body",
            "area",
            "source_kind",
            "source_key",
            "source_label",
            "state",
            "state_label",
            "drafted_at",
            "drafted_by_name",
            "approved_at",
            "approved_by_name",
            "published_on",
            "channel",
            "published_by_name",
        ]
        read_only_fields = fields


class NoticeInput(serializers.Serializer):
    source_kind = serializers.CharField(required=False, default="", allow_blank=True)
    source_key = serializers.CharField(required=False, default="", allow_blank=True)
    title = serializers.CharField(required=False, default="", allow_blank=True, max_length=400)
    body = serializers.CharField(required=False, default="", allow_blank=True)
    area = serializers.CharField(required=False, default="", allow_blank=True)


class NoticesView(ActionView):
    """Public notices; POST drafts one, from a decision (``source_kind``,
    ``source_key``: see ``notices/sources/``) or by hand (title, body, area)."""

    permission_classes = PERMISSIONS
    input = NoticeInput
    output = NoticeSerializer

    @extend_schema(responses={200: NoticeSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = queries.notices_for(request.user)[:500]
        return Response(NoticeSerializer(rows, many=True).data)

    def perform(self, request: Request, target, data: dict) -> Notice:
        code = data.pop("area")
        area = area_by_code(code) if code else None
        return actions.do_draft_notice(acting_user=request.user, area=area, request=request, **data)


class DraftSerializer(serializers.Serializer):
    source_kind = serializers.CharField(source="kind")
    source_key = serializers.CharField(source="key")
    label = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    area = serializers.CharField(source="area.code")
    at = serializers.DateTimeField()


class SourcesView(APIView):
    """The decisions of the caller's area a notice may be drafted from (none drafted yet)."""

    permission_classes = PERMISSIONS

    @extend_schema(responses={200: DraftSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(DraftSerializer(queries.drafts_for(request.user), many=True).data)


class PublishInput(serializers.Serializer):
    published_on = serializers.DateField(required=False)
    channel = serializers.CharField(required=False, default="", allow_blank=True)


class NoticeStepView(APIView):
    """``approve`` a drafted notice, or ``publish`` an approved one with its
    date (``published_on``) and channel (``approve``)."""

    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="publicity_notices_step",
        request=PublishInput,
        responses={200: NoticeSerializer},
    )
    def post(self, request: Request, pk: int, step: str) -> Response:
        if step not in ("approve", "publish"):
            raise NotFound()
        notice = queries.get_notice_for_user(request.user, pk)
        form = PublishInput(data=request.data)
        form.is_valid(raise_exception=True)
        if step == "approve":
            notice = run_action(
                lambda: actions.do_approve_notice(notice, acting_user=request.user, request=request)
            )
        else:
            if "published_on" not in form.validated_data:
                raise serializers.ValidationError(
                    {"published_on": [_("Say on which day it was published.")]}
                )
            notice = run_action(
                lambda: actions.do_publish_notice(
                    notice,
                    acting_user=request.user,
                    published_on=form.validated_data["published_on"],
                    channel=form.validated_data["channel"],
                    request=request,
                )
            )
        return Response(NoticeSerializer(notice).data)


class MediaSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    outlet = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=400, required=False, default="", allow_blank=True)
    level = serializers.ChoiceField(choices=MediaLevel.choices)
    kind = serializers.ChoiceField(choices=MediaKind.choices)
    count = serializers.IntegerField(required=False, default=1, max_value=1_000_000)
    conference = serializers.PrimaryKeyRelatedField(
        queryset=PressConference.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = MediaReport
        fields = [
            "id",
            "outlet",
            "level",
            "kind",
            "title",
            "url",
            "published_on",
            "count",
            "area",
            "conference",
            "recorded_by_name",
        ]
        read_only_fields = ["id", "recorded_by_name"]


class TallySerializer(serializers.Serializer):
    rows = serializers.ListField(child=serializers.DictField())
    by_level = serializers.ListField(child=serializers.DictField())
    by_kind = serializers.ListField(child=serializers.DictField())
    total = serializers.IntegerField()


class MediaView(ActionView):
    """The tally of media reports by outlet and kind (and by level); POST
    records a report, or an outlet's reports of a day (``count``)."""

    permission_classes = PERMISSIONS
    input = MediaSerializer
    output = MediaSerializer

    @extend_schema(responses={200: TallySerializer})
    def get(self, request: Request) -> Response:
        return Response(TallySerializer(queries.media_tally(request.user)).data)

    def perform(self, request: Request, target, data: dict) -> MediaReport:
        area = area_by_code(data.pop("area")["code"])
        return actions.do_record_media_report(
            acting_user=request.user, area=area, request=request, **data
        )


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpinionFollowUp
        fields = ["at", "note", "by_name", "resolved"]
        read_only_fields = fields


class OpinionSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    summary = serializers.CharField(max_length=400)
    platform = serializers.CharField(max_length=200)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = OpinionItem
        fields = [
            "id",
            "summary",
            "platform",
            "url",
            "area",
            "found_at",
            "state",
            "state_label",
            "resolved_at",
            "recorded_by_name",
            "follow_ups",
        ]
        read_only_fields = ["id", "state", "resolved_at", "recorded_by_name"]


class OpinionView(ActionView):
    """Public-opinion items; POST records one."""

    permission_classes = PERMISSIONS
    input = OpinionSerializer
    output = OpinionSerializer

    @extend_schema(responses={200: OpinionSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = queries.opinion_for(request.user).prefetch_related("follow_ups")[:500]
        return Response(OpinionSerializer(rows, many=True).data)

    def perform(self, request: Request, target, data: dict) -> OpinionItem:
        area = area_by_code(data.pop("area")["code"])
        return actions.do_record_opinion(
            acting_user=request.user, area=area, request=request, **data
        )


class OpinionFollowUpInput(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)
    resolve = serializers.BooleanField(required=False, default=False)


class OpinionFollowUpView(ActionView):
    """POST a step of an item's follow-up; ``resolve`` closes it."""

    permission_classes = PERMISSIONS
    input = OpinionFollowUpInput
    output = OpinionSerializer
    do = actions.do_follow_up_opinion
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, pk: int) -> OpinionItem:
        return queries.get_opinion_for_user(request.user, pk)

    def perform(self, request: Request, item: OpinionItem, data: dict) -> OpinionItem:
        super().perform(request, item, data)
        item.refresh_from_db()
        return item


urlpatterns = [
    path("conferences/", ConferencesView.as_view(), name="api-conferences"),
    path("notices/", NoticesView.as_view(), name="api-notices"),
    path("notices/sources/", SourcesView.as_view(), name="api-notice-sources"),
    path("notices/<int:pk>/<str:step>/", NoticeStepView.as_view(), name="api-notice-step"),
    path("media/", MediaView.as_view(), name="api-media"),
    path("opinion/", OpinionView.as_view(), name="api-opinion"),
    path(
        "opinion/<int:pk>/follow-up/", OpinionFollowUpView.as_view(), name="api-opinion-follow-up"
    ),
]
