"""REST API of the population register (人口登记), at ``/api/v1/people/register/``.

For data staff's scripts: post an extract (loaded in the background: 202 with
the load to poll), check its columns first, read the loads and what each
changed, and decide the rows the linkage left to review (a candidate, or a new
person; ``do_decide_register_review``, audited). Every endpoint needs data
staff's rights (``edit_person`` and ``view_identity``); loads are the loader's
and their jurisdiction's, rows to review those of villages in it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import capability_permission
from zhanyi.core import audit
from zhanyi.people import jobs, queries
from zhanyi.people.actions.register import (
    FIELDS,
    RegisterFileError,
    do_decide_register_review,
    preview_columns,
)
from zhanyi.people.display import phone_for
from zhanyi.people.models import (
    Person,
    RegisterKind,
    RegisterLoad,
    RegisterMapping,
    RegisterReview,
)

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
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)

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
            "stage_label",
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


class RegisterCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    identity_number = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    phone = serializers.CharField()
    address = serializers.CharField()
    village = serializers.CharField(allow_null=True)


class RegisterReviewSerializer(serializers.ModelSerializer):
    """A row to review: the row as read, its village, its candidates."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    village = serializers.CharField(source="village.name", allow_null=True, default=None)
    village_code = serializers.CharField(source="village.code", allow_null=True, default=None)
    candidates = serializers.SerializerMethodField()

    class Meta:
        model = RegisterReview
        fields = [
            "id",
            "row_number",
            "values",
            "village",
            "village_code",
            "candidates",
            "status",
            "status_label",
            "person",
            "decided_at",
        ]

    @extend_schema_field(RegisterCandidateSerializer(many=True))
    def get_candidates(self, review: RegisterReview) -> list[dict]:
        people = self.context["people"]
        user = self.context["user"]
        return [
            {
                "id": p.pk,
                "name": p.name,
                "identity_number": p.identity_number,
                "birth_date": p.birth_date,
                "phone": phone_for(user, p.phone),
                "address": p.address,
                "village": p.village.name if p.village else None,
            }
            for pk in review.candidates
            if (p := people.get(pk)) is not None
        ]


def _review_context(user, reviews: list[RegisterReview]) -> dict:
    wanted = {pk for r in reviews for pk in r.candidates}
    people = Person.objects.filter(pk__in=wanted, merged_into=None).select_related("village")
    return {"user": user, "people": {p.pk: p for p in people}}


class RegisterDecisionSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="one of the row's candidates"
    )
    new = serializers.BooleanField(
        required=False, default=False, help_text="true: the row is a new person"
    )

    def validate(self, data):
        if (data["person"] is None) == (not data["new"]):
            raise serializers.ValidationError(
                _("Give either the candidate (person) or new: true, not both.")
            )
        return data


class Reviews(APIView):
    """The load's rows left to review within the caller's jurisdiction (audited)."""

    permission_classes = PERMISSIONS

    @extend_schema(
        summary="A load's rows to review", responses={200: RegisterReviewSerializer(many=True)}
    )
    def get(self, request: Request, load_id: int) -> Response:
        load = queries.get_register_load_for_user(request.user, load_id)
        reviews = list(queries.register_reviews_for(request.user, load)[:1000])
        audit.record(
            actor=request.user,
            action="people.register.reviews",
            obj=load,
            detail={"rows": len(reviews)},
            request=request,
        )
        context = _review_context(request.user, reviews)
        return Response(RegisterReviewSerializer(reviews, many=True, context=context).data)


class ReviewDecision(APIView):
    """Decide one row: the candidate it is, or a new person (audited by the action)."""

    permission_classes = PERMISSIONS

    @extend_schema(
        summary="Decide a row to review",
        request=RegisterDecisionSerializer,
        responses={200: RegisterReviewSerializer},
    )
    def post(self, request: Request, load_id: int, review_id: int) -> Response:
        load = queries.get_register_load_for_user(request.user, load_id)
        review = queries.get_register_review_for_user(request.user, load, review_id)
        incoming = RegisterDecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            review = do_decide_register_review(
                review,
                person_id=incoming.validated_data["person"],
                acting_user=request.user,
                request=request,
            )
        except RegisterFileError as error:
            raise ValidationError({"person": [str(error)]}) from None
        context = _review_context(request.user, [review])
        return Response(RegisterReviewSerializer(review, context=context).data)


urlpatterns = [
    path("register/loads/", Loads.as_view(), name="register-loads"),
    path("register/loads/new/", Upload.as_view(), name="register-upload"),
    path("register/loads/<int:load_id>/", LoadDetail.as_view(), name="register-load"),
    path("register/loads/<int:load_id>/reviews/", Reviews.as_view(), name="register-reviews"),
    path(
        "register/loads/<int:load_id>/reviews/<int:review_id>/",
        ReviewDecision.as_view(),
        name="register-review",
    ),
    path("register/columns/", Columns.as_view(), name="register-columns"),
]
