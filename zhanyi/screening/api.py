"""REST API of the screening app (协查), at ``/api/v1/screening/``, scoped to the caller.

For other regions' systems and data officers: post a push list (it is
imported in the background; poll the job), list the tasks of one's
jurisdiction, record a task's outcome. Identity numbers and phones are masked
unless the caller's role needs them. Authentication by token.
"""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import capability_permission
from zhanyi.core import audit
from zhanyi.core.api import ActionView
from zhanyi.people import display

from . import actions, jobs, queries
from .models import ImportJob, ScreeningTask
from .reading import PushListFileError
from .validation import FIELDS


class ListUploadSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="the push source's name (e.g. 莆田市协查) or id")
    file = serializers.FileField(help_text="xlsx, xls or csv (UTF-8, GBK or GB18030)")
    mapping = serializers.JSONField(
        required=False,
        default=dict,
        help_text='columns of this file: {"field": "header"} (see lists/columns/)',
    )

    def validate_mapping(self, value):
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and k in FIELDS and isinstance(v, str) and v.strip()
            for k, v in value.items()
        ):
            raise serializers.ValidationError(
                _("A mapping is an object of field names (%(fields)s) to column headers.")
                % {"fields": ", ".join(FIELDS)}
            )
        return {k: v.strip() for k, v in value.items()}


def _source_named(name: str):
    sources = queries.sources()
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    source = (sources.filter(pk=int(name)).first() if name.isdecimal() else None) or sources.filter(
        name=name
    ).first()
    if source is None:
        raise ValidationError(
            {"source": [_("No push source is named %(name)s.") % {"name": repr(name)}]}
        )
    return source


class JobSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name")
    push_list = serializers.SerializerMethodField()
    percent = serializers.IntegerField()
    stalled = serializers.BooleanField(
        help_text="queued longer than ZHANYI_JOB_STALLED_AFTER_S: no worker has taken it"
    )
    stalled_message = serializers.CharField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "source",
            "filename",
            "status",
            "rows_done",
            "rows_total",
            "percent",
            "message",
            "stalled",
            "stalled_message",
            "push_list",
            "created_at",
            "finished_at",
        ]

    def get_push_list(self, job: ImportJob) -> dict | None:
        pl = job.push_list
        if pl is None:
            return None
        return {
            "id": pl.pk,
            "encoding": pl.encoding,
            "rows_read": pl.rows_read,
            "rows_stored": pl.rows_stored,
            "rows_invalid": pl.rows_invalid,
            "rows_repeated": pl.rows_repeated,
            "rows_warned": pl.rows_warned,
            "notes": pl.notes,
        }


class TaskSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField()
    area = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")

    class Meta:
        model = ScreeningTask
        fields = [
            "id",
            "person",
            "area",
            "area_name",
            "manual",
            "category",
            "status",
            "received_at",
            "due_at",
            "escalated_at",
            "outcome",
            "found_where",
            "measure",
            "test_arranged",
            "current_location",
            "closed_at",
        ]

    def get_person(self, task: ScreeningTask) -> dict:
        user = self.context["request"].user
        p = task.person
        return {
            "id": p.pk,
            "name": p.name,
            "identity_number": display.identity_for(user, p.identity_number),
            "phone": display.phone_for(user, p.phone),
        }


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ScreeningTask.Outcome.choices)
    found_where = serializers.CharField(required=False, allow_blank=True, default="")
    measure = serializers.ChoiceField(
        choices=ScreeningTask.Measure.choices, required=False, allow_blank=True, default=""
    )
    test_arranged = serializers.BooleanField(required=False, default=False)
    current_location = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema(tags=["screening"])
class ListUpload(APIView):
    """Post a push list; it is imported in the background (202 with the job to poll)."""

    permission_classes = [
        IsAuthenticated,
        capability_permission("edit_operations"),
        capability_permission("view_identity"),
    ]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Post a push list", request=ListUploadSerializer, responses={202: JobSerializer}
    )
    def post(self, request: Request) -> Response:
        queries.require_import(request.user)
        incoming = ListUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        source = _source_named(incoming.validated_data["source"])
        try:
            job = jobs.start_import(
                source,
                incoming.validated_data["file"],
                user=request.user,
                mapping=incoming.validated_data["mapping"],
            )
        except PushListFileError as error:
            raise ValidationError({"file": [str(error)]}) from None
        job.refresh_from_db()
        body = JobSerializer(job).data
        body["status_url"] = reverse("api-screening-job", args=[job.pk])
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ColumnSerializer(serializers.Serializer):
    header = serializers.CharField()
    field = serializers.CharField(allow_blank=True)
    label = serializers.CharField(allow_blank=True)


class ColumnsPreviewSerializer(serializers.Serializer):
    """What ``ListColumns`` answers: the columns as an import would read them."""

    encoding = serializers.CharField(allow_blank=True, allow_null=True)
    header_row = serializers.IntegerField()
    columns = ColumnSerializer(many=True)
    unmapped = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())
    problem = serializers.CharField(allow_blank=True)


@extend_schema(tags=["screening"])
class ListColumns(APIView):
    """What an import of the file would read, before importing it: the header's
    row, the field each column fills, the columns no field reads (to map them
    with ``mapping``), notes, and why the file cannot be imported if it cannot."""

    permission_classes = ListUpload.permission_classes
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Show a push list's columns",
        request=ListUploadSerializer,
        responses={200: ColumnsPreviewSerializer},
    )
    def post(self, request: Request) -> Response:
        queries.require_import(request.user)
        incoming = ListUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        source = _source_named(incoming.validated_data["source"])
        upload = incoming.validated_data["file"]
        try:
            preview = actions.preview_columns(
                source, upload, filename=upload.name, mapping=incoming.validated_data["mapping"]
            )
        except PushListFileError as error:
            raise ValidationError({"file": [str(error)]}) from None
        return Response(preview)


@extend_schema(tags=["screening"])
class JobDetail(APIView):
    permission_classes = [IsAuthenticated, capability_permission("edit_operations")]

    @extend_schema(summary="An import's progress", responses={200: JobSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(JobSerializer(queries.get_job_for_user(request.user, pk)).data)


@extend_schema(tags=["screening"])
class TaskList(generics.ListAPIView):
    """Tasks of the caller's jurisdiction; ``?status=open|closed``, ``?overdue=1``."""

    permission_classes = [IsAuthenticated, capability_permission("view_person")]
    serializer_class = TaskSerializer

    def get_queryset(self):
        user = self.request.user
        queries.require_jurisdiction(user)
        wanted = self.request.query_params.get("status", "")
        if self.request.query_params.get("overdue"):
            return queries.overdue_tasks_for(user)
        tasks = queries.tasks_for(user).order_by("due_at", "id")
        if wanted in ScreeningTask.Status.values:
            tasks = tasks.filter(status=wanted)
        return tasks

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        results = response.data.get("results", []) if isinstance(response.data, dict) else []
        audit.record(
            actor=request.user,
            action="screening.list.tasks",
            object_type="screening.screeningtask",
            detail={"ids": [r["id"] for r in results]},
            request=request,
        )
        return response


@extend_schema_view(post=extend_schema(summary="Record a task's outcome"))
@extend_schema(tags=["screening"])
class TaskOutcome(ActionView):
    """Record the team's outcome; it closes the task and hands the person on."""

    permission_classes = [IsAuthenticated, capability_permission("edit_person")]
    input = OutcomeSerializer
    output = TaskSerializer
    do = actions.do_record_outcome
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, pk: int) -> ScreeningTask:
        return queries.get_task_for_user(request.user, pk, capability="edit_person")


urlpatterns = [
    path("lists/", ListUpload.as_view(), name="api-screening-lists"),
    path("lists/columns/", ListColumns.as_view(), name="api-screening-list-columns"),
    path("jobs/<int:pk>/", JobDetail.as_view(), name="api-screening-job"),
    path("tasks/", TaskList.as_view(), name="api-screening-tasks"),
    path("tasks/<int:pk>/outcome/", TaskOutcome.as_view(), name="api-screening-task-outcome"),
]
