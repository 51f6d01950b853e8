"""The twice-daily reports (每日两报): the list, one report's stored figures,
taking one, the desk's commentary, and its files (docx, pdf, xlsx)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.command import actions, queries
from zhanyi.command.exports import CONTENT_TYPES
from zhanyi.command.models import Report
from zhanyi.command.views.reports import export_response
from zhanyi.core.api import as_drf_error


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = [
            "id",
            "scheduled_for",
            "taken_at",
            "taken_by",
            "previous",
            "commentary",
            "commentary_by",
            "commentary_at",
        ]


class ReportFigureSerializer(serializers.Serializer):
    area = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")
    name = serializers.CharField()
    label = serializers.CharField(source="shown_label")
    unit = serializers.CharField(source="shown_unit")
    value = serializers.FloatField()
    previous_value = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)


class ReportDetailSerializer(serializers.Serializer):
    report = ReportSerializer()
    figures = ReportFigureSerializer(many=True)


class TakeSerializer(serializers.Serializer):
    scheduled_for = serializers.DateTimeField(
        help_text="the slot (a day's report time, e.g. 2021-09-14T20:00+08:00)"
    )


class CommentarySerializer(serializers.Serializer):
    commentary = serializers.CharField(allow_blank=True)


class Reports(APIView):
    """The twice-daily reports, newest first; POST takes the report of a slot."""

    @extend_schema(responses={200: ReportSerializer(many=True)})
    def get(self, request: Request) -> Response:
        reports = queries.reports_for_user(request.user)[:200]
        return Response(ReportSerializer(reports, many=True).data)

    @extend_schema(request=TakeSerializer, responses={201: ReportSerializer})
    def post(self, request: Request) -> Response:
        form = TakeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        scheduled_for: dt.datetime = form.validated_data["scheduled_for"]
        try:
            report = actions.do_take_report(
                acting_user=request.user, scheduled_for=scheduled_for, request=request
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportDetail(APIView):
    """One report: its stored figures within the caller's jurisdiction."""

    @extend_schema(responses={200: ReportDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        report = queries.get_report_for_user(request.user, pk)
        sheet = queries.report_sheet(report, request.user)
        figures = [f for area in sheet.areas for f in area.figures]
        return Response(ReportDetailSerializer({"report": report, "figures": figures}).data)


class ReportCommentary(APIView):
    """The coordination desk's commentary on a report."""

    @extend_schema(request=CommentarySerializer, responses={200: ReportSerializer})
    def post(self, request: Request, pk: int) -> Response:
        report = queries.get_report_for_user(request.user, pk)
        form = CommentarySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        report = actions.do_comment_report(
            report,
            acting_user=request.user,
            commentary=form.validated_data["commentary"],
            request=request,
        )
        return Response(ReportSerializer(report).data)


class ReportFile(APIView):
    """The report as a file: docx, pdf or xlsx."""

    @extend_schema(
        operation_id="command_reports_file",
        responses={(200, ct): bytes for ct in CONTENT_TYPES.values()},
    )
    def get(self, request: Request, pk: int, fmt: str) -> HttpResponse:
        if fmt not in CONTENT_TYPES:
            raise NotFound()
        report = queries.get_report_for_user(request.user, pk)
        return export_response(request, report, fmt)


urlpatterns = [
    path("reports/", Reports.as_view(), name="api-reports"),
    path("reports/<int:pk>/", ReportDetail.as_view(), name="api-report"),
    path("reports/<int:pk>/commentary/", ReportCommentary.as_view(), name="api-report-commentary"),
    path("reports/<int:pk>/<str:fmt>/", ReportFile.as_view(), name="api-report-file"),
]
