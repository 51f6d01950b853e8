"""The first day over the API: what is loaded and missing, and loads of the
city's division codes, boundaries and places. A file posted here goes to the
worker as the pages' uploads do (``start_reference_load``): 202 with the load
and its ``url`` to poll, whose answer carries the result once it is done."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import has_capability, require_capability
from zhanyi.command.forms import parse_pairs
from zhanyi.command.setup import checks, start_reference_load
from zhanyi.places import actions as place_actions
from zhanyi.places import queries as place_queries
from zhanyi.places.models import CoordinateSystem, DataLoad, LoadKind


class CheckSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    state = serializers.CharField(help_text="done, partial or missing")
    summary = serializers.CharField()
    details = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField(help_text="the page that loads it, or empty")
    command = serializers.CharField(help_text="the command line that loads it, or empty")


class SetupStatusView(APIView):
    """Every first-day check (administrators and commanders)."""

    @extend_schema(responses={200: CheckSerializer(many=True)})
    def get(self, request: Request) -> Response:
        if not (
            has_capability(request.user, "manage_users") or has_capability(request.user, "approve")
        ):
            raise PermissionDenied("manage_users or approve")
        return Response(
            [
                {
                    "key": row["check"].key,
                    "label": str(row["check"].label),
                    "state": row["status"].state,
                    "summary": row["status"].summary,
                    "details": row["status"].details,
                    "url": row["url"],
                    "command": row["check"].command,
                }
                for row in checks()
            ]
        )


class DataLoadSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code", default=None, read_only=True)
    url = serializers.SerializerMethodField(help_text="this load's address, to poll")

    class Meta:
        model = DataLoad
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "rows_done",
            "message",
            "area",
            "filename",
            "encoding",
            "coordinate_system",
            "rows_read",
            "created",
            "updated",
            "unchanged",
            "refused",
            "warned",
            "problems",
            "notes",
            "loaded_at",
            "loaded_by_name",
        ]

    def get_url(self, load: DataLoad) -> str:
        return reverse("api-setup-load", args=[load.pk])


class DataLoadInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LoadKind.choices)
    file = serializers.FileField()
    prefix = serializers.CharField(required=False, allow_blank=True, max_length=12)
    tolerance = serializers.FloatField(required=False, min_value=0, max_value=5000)
    coordinate_system = serializers.ChoiceField(
        choices=CoordinateSystem.choices,
        required=False,
        default=CoordinateSystem.WGS84,
        help_text="the file's coordinates (boundaries, places): converted to WGS-84",
    )
    categories = serializers.CharField(
        required=False, allow_blank=True, help_text="lines of the file's category=kind"
    )
    mapping = serializers.CharField(
        required=False, allow_blank=True, help_text="lines of field=the file's header"
    )


class DataLoadList(APIView):
    """Loads of reference data the caller may see; POST loads a file (``manage_users``)."""

    parser_classes = [MultiPartParser, FormParser]

    def _require(self, request: Request) -> None:
        try:
            require_capability(request.user, "manage_users")
            place_queries.load_area_for(request.user)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None

    @extend_schema(responses={200: DataLoadSerializer(many=True)})
    def get(self, request: Request) -> Response:
        self._require(request)
        loads = place_queries.visible_loads(request.user)[:100]
        return Response(DataLoadSerializer(loads, many=True).data)

    @extend_schema(
        request=DataLoadInput,
        responses={202: DataLoadSerializer},
        description=(
            "The file is saved and queued; the worker loads it as the caller, confined to "
            "their jurisdiction, as the pages' uploads are. The answer is 202 with the load "
            "(`status` queued) and a `Location` header, its `url`: poll it until `status` is "
            "done (the counts and `problems` by row) or failed (`message` says why; nothing "
            "of the file is stored). A file of a kind that cannot be loaded (its extension) "
            "is refused at once with 400."
        ),
    )
    def post(self, request: Request) -> Response:
        self._require(request)
        form = DataLoadInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        try:
            data["categories"] = parse_pairs(data.get("categories") or "")
            data["mapping"] = parse_pairs(data.get("mapping") or "")
        except DjangoValidationError as error:
            raise ValidationError({"mapping": error.messages}) from None
        try:
            load = start_reference_load(data["kind"], data["file"], data, user=request.user)
        except place_actions.LoadFileError as error:
            raise ValidationError({"file": [str(error)]}) from None
        load.refresh_from_db()
        body = DataLoadSerializer(load).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class DataLoadDetail(APIView):
    @extend_schema(responses={200: DataLoadSerializer})
    def get(self, request: Request, data_load_id: int) -> Response:
        try:
            require_capability(request.user, "manage_users")
            load = place_queries.get_load_for_user(request.user, data_load_id)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(DataLoadSerializer(load).data)


urlpatterns = [
    path("setup/status/", SetupStatusView.as_view(), name="api-setup-status"),
    path("setup/loads/", DataLoadList.as_view(), name="api-setup-loads"),
    path("setup/loads/<int:data_load_id>/", DataLoadDetail.as_view(), name="api-setup-load"),
]
