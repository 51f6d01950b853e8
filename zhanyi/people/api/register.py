"""REST API of the population register (人口登记), at ``/api/v1/people/register/``.

For data staff's scripts: post an extract (loaded in the background: 202 with
the load to poll), check its columns first, read the loads and what each
changed. Every endpoint needs data staff's rights (``edit_person`` and
``view_identity``); loads are the loader's and their jurisdiction's.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import capability_permission
from zhanyi.people import jobs, queries
from zhanyi.people.actions.register import FIELDS, RegisterFileError, preview_columns
from zhanyi.people.models import RegisterKind, RegisterLoad, RegisterMapping

PERMISSIONS = [
    IsAuthenticated,
    capability_permission("edit_person"),
    capability_permission("view_identity"),
]


class UploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RegisterKind.choices)
    file = serializers.FileField(help_text="xlsx, xls or csv (UTF-8, GBK or GB18030)")
    mapping = serializers.JSONField(
        required=False, default=dict, help_text='columns of this file: {"field": "header"}'
    )
    saved_mapping = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="a saved mapping's name"
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

    def validate_saved_mapping(self, value):
        if not value:
            return None
        saved = RegisterMapping.objects.filter(name=value).first()
        if saved is None:
            raise serializers.ValidationError(
                _("No saved mapping is named %(name)s.") % {"name": value}
            )
        return saved


class ColumnsSerializer(serializers.Serializer):
    file = serializers.FileField()
    mapping = UploadSerializer().fields["mapping"].__class__(required=False, default=dict)


class LoadSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = RegisterLoad
        fields = [
            "id",
            "kind",
            "kind_label",
            "filename",
            "status",
            "status_label",
            "stage",
            "rows_done",
            "message",
            "repeat_of",
            "encoding",
            "rows_read",
            "rows_invalid",
            "rows_warned",
            "new",
            "changed",
            "moved",
            "unchanged",
            "linked",
            "review",
            "households_new",
            "unresolved",
            "notes",
            "changes",
            "seconds",
            "received_at",
            "finished_at",
        ]


class Loads(generics.ListAPIView):
    """The register loads the caller may see, newest first."""

    permission_classes = PERMISSIONS
    serializer_class = LoadSerializer

    def get_queryset(self):
        return queries.register_loads_for(self.request.user)


class LoadDetail(APIView):
    """One load: its progress while it runs, then what it changed."""

    permission_classes = PERMISSIONS

    @extend_schema(summary="A register load", responses={200: LoadSerializer})
    def get(self, request: Request, load_id: int) -> Response:
        load = queries.get_register_load_for_user(request.user, load_id)
        return Response(LoadSerializer(load).data)


class Upload(APIView):
    """Post an extract; it is loaded in the background (202 with the load to poll)."""

    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Post a register extract", request=UploadSerializer, responses={202: LoadSerializer}
    )
    def post(self, request: Request) -> Response:
        incoming = UploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            load = jobs.start_register_load(
                data["file"],
                kind=data["kind"],
                user=request.user,
                mapping=data["mapping"],
                saved_mapping=data["saved_mapping"],
            )
        except RegisterFileError as error:
            raise ValidationError({"file": [str(error)]}) from None
        except PermissionDenied as error:
            raise ValidationError({"file": [str(error)]}) from None
        load.refresh_from_db()
        return Response(LoadSerializer(load).data, status=status.HTTP_202_ACCEPTED)


class Columns(APIView):
    """Which column of a file fills which field, before loading it; loads nothing."""

    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Check an extract's columns",
        request=ColumnsSerializer,
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        incoming = ColumnsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        try:
            found = preview_columns(
                upload, filename=upload.name, mapping=incoming.validated_data["mapping"]
            )
        except RegisterFileError as error:
            raise ValidationError({"file": [str(error)]}) from None
        return Response(found)


urlpatterns = [
    path("register/loads/", Loads.as_view(), name="register-loads"),
    path("register/loads/new/", Upload.as_view(), name="register-upload"),
    path("register/loads/<int:load_id>/", LoadDetail.as_view(), name="register-load"),
    path("register/columns/", Columns.as_view(), name="register-columns"),
]
