"""REST API of the person index (人员库), at ``/api/v1/people/``.

For labs, other cities' systems and data officers' scripts: search and read
persons in the caller's jurisdiction (identity numbers and phones masked
unless the caller's role needs them; every read audited), create a person
(400 naming field and reason, 409 with the candidates when the person may be
in the index already), change one, add a source record, merge two and undo a
merge. Authentication by token (``Authorization: Token …``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.core.api import ActionView, InJurisdictionField, as_drf_error
from zhanyi.people import actions, display, queries
from zhanyi.people.models import IdentityType, Person, PersonMerge, Sex, SourceRecord
from zhanyi.places.models import Area

from .common import PERMISSIONS

# ---------------------------------------------------------------- serializers


class VillageRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PersonSerializer(serializers.ModelSerializer):
    """A person as the caller may see them: numbers masked unless the role needs them."""

    identity_number = serializers.SerializerMethodField()
    identity_number_masked = serializers.SerializerMethodField()
    birth_date = serializers.SerializerMethodField()
    birth_year = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()
    village = VillageRefSerializer(allow_null=True, read_only=True)
    household_id = serializers.IntegerField(allow_null=True, read_only=True)
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "sex",
            "birth_date",
            "birth_year",
            "identity_type",
            "identity_number",
            "identity_number_masked",
            "nationality",
            "phone",
            "phone_masked",
            "address",
            "village",
            "household_id",
            "merged_into",
            "created_at",
            "updated_at",
        ]

    def _user(self):
        return self.context["request"].user

    @extend_schema_field(OpenApiTypes.STR)
    def get_identity_number(self, person: Person) -> str:
        return display.identity_for(self._user(), person.identity_number)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_birth_date(self, person: Person) -> str | None:
        """Only with ``view_identity``: next to a masked number, the date would rebuild it."""
        if person.birth_date is None or not display.shows_identity(self._user()):
            return None
        return person.birth_date.isoformat()

    @extend_schema_field(OpenApiTypes.INT)
    def get_birth_year(self, person: Person) -> int | None:
        return person.birth_date.year if person.birth_date else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_identity_number_masked(self, person: Person) -> bool:
        return bool(person.identity_number) and not display.shows_identity(self._user())

    @extend_schema_field(OpenApiTypes.STR)
    def get_phone(self, person: Person) -> str:
        """E.164 (``+8613812345678``) when shown in full, else the masked national form."""
        if not person.phone:
            return ""
        if display.shows_phone(self._user()):
            return person.phone
        return display.phone_for(self._user(), person.phone)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_phone_masked(self, person: Person) -> bool:
        return bool(person.phone) and not display.shows_phone(self._user())


class SourceRecordSerializer(serializers.ModelSerializer):
    payload = serializers.SerializerMethodField()

    class Meta:
        model = SourceRecord
        fields = ["id", "source", "source_ref", "received_at", "payload"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_payload(self, record: SourceRecord) -> dict:
        return dict(display.payload_for(self.context["request"].user, record.payload))


class PersonDetailSerializer(PersonSerializer):
    source_records = SourceRecordSerializer(many=True, read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "source_records"]


class PersonInputSerializer(serializers.Serializer):
    """A person to create. Values are checked by the person index's rules and
    refused with a message naming the field and the reason."""

    name = serializers.CharField(max_length=100)
    identity_type = serializers.ChoiceField(IdentityType.choices, default=IdentityType.RESIDENT_ID)
    identity_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    nationality = serializers.CharField(max_length=3, required=False, allow_blank=True)
    sex = serializers.ChoiceField(Sex.choices, default=Sex.UNKNOWN)
    birth_date = serializers.CharField(
        required=False, allow_blank=True, help_text="YYYY-MM-DD; filled from a resident id"
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    village = serializers.CharField(
        required=False, allow_blank=True, help_text="code of the village or community"
    )
    source = serializers.ChoiceField(SourceRecord.Source.choices, default="manual")
    source_ref = serializers.CharField(max_length=255, required=False, allow_blank=True)
    force = serializers.BooleanField(
        default=False,
        help_text="create although a possible duplicate exists (never for the same document)",
    )

    def validate_village(self, code: str) -> Area | None:
        if not code:
            return None
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise ValidationError(_("The village %(code)s is unknown.") % {"code": code})
        return area


class PersonUpdateSerializer(PersonInputSerializer):
    """Fields to change (only those given) and why."""

    reason = serializers.CharField(max_length=255)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("source", "source_ref", "force"):
            self.fields.pop(name)
        for name, field in self.fields.items():
            if name != "reason":
                field.required = False
                field.default = serializers.empty


class DuplicateCandidateSerializer(serializers.Serializer):
    person = PersonSerializer()
    reasons = serializers.ListField(
        child=serializers.ChoiceField(["document", "name_birth_date", "name_phone"])
    )


class DuplicateSerializer(serializers.Serializer):
    detail = serializers.CharField()
    blocking = serializers.BooleanField(help_text="the same document: force cannot override")
    candidates = DuplicateCandidateSerializer(many=True)


class SourceRecordInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(SourceRecord.Source.choices)
    source_ref = serializers.CharField(max_length=255, required=False, allow_blank=True)
    payload = serializers.DictField(help_text="the record as received")


def _merged(request: Request, pk: int) -> Person:
    return queries.get_person_for_user(request.user, pk, capability="merge_person")


class MergeRequestSerializer(serializers.Serializer):
    merged = InJurisdictionField(_merged, help_text="id of the record merged into this one")
    reason = serializers.CharField(max_length=255)


class MergeSerializer(serializers.ModelSerializer):
    merged_by = serializers.CharField(source="merged_by.username", read_only=True)
    undone_by = serializers.CharField(
        source="undone_by.username", read_only=True, allow_null=True, default=None
    )
    moved = serializers.JSONField(
        read_only=True, help_text="ids of the rows moved, by app_label.model.field"
    )

    class Meta:
        model = PersonMerge
        fields = [
            "id",
            "survivor",
            "merged",
            "reason",
            "moved",
            "merged_by",
            "merged_at",
            "undone_by",
            "undone_at",
        ]


# ---------------------------------------------------------------- views


@extend_schema(tags=["people"])
class PersonList(generics.ListCreateAPIView):
    """Persons in the caller's jurisdiction, or add one."""

    permission_classes = PERMISSIONS
    serializer_class = PersonSerializer

    def get_queryset(self):
        return queries.search_persons(self.request.user, self.request.query_params.get("q", ""))

    @extend_schema(
        summary="Search persons",
        description="Live persons in the caller's jurisdiction matching every word of `q` "
        "(all of them without `q`). Identity numbers and phones are masked unless "
        "the caller's role needs them. Every call is audited.",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="name, identity number or phone; a number may be its last 4+ digits",
            )
        ],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        response = super().get(request, *args, **kwargs)
        actions.record_person_search(
            acting_user=request.user,
            q=request.query_params.get("q", ""),
            results=response.data.get("count", 0),
            request=request,
            via="api",
            ids=[row["id"] for row in response.data.get("results", [])],
        )
        return response

    @extend_schema(
        summary="Add a person",
        description="400 names each field and the reason; 409 lists possible duplicates "
        "(retry with `force` unless `blocking`, or add a source record to one).",
        request=PersonInputSerializer,
        responses={
            201: PersonDetailSerializer,
            400: OpenApiResponse(description="field → messages naming the field and reason"),
            409: DuplicateSerializer,
        },
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        queries.require_person_access(request.user, "edit_person")
        incoming = PersonInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        source, source_ref = data.pop("source"), data.pop("source_ref", "")
        force = data.pop("force")
        try:
            person = actions.do_create_person(
                acting_user=request.user,
                data=data,
                source=source,
                source_ref=source_ref,
                request=request,
                force=force,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        except actions.DuplicatePersonError as error:
            body = {
                "detail": _("This person may be in the index already."),
                "blocking": error.blocking,
                "candidates": [{"person": p, "reasons": r} for p, r in error.candidates],
            }
            serializer = DuplicateSerializer(body, context={"request": request})
            return Response(serializer.data, status=status.HTTP_409_CONFLICT)
        return Response(
            PersonDetailSerializer(person, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["people"])
class PersonDetail(APIView):
    """One person, with their source records (every read is audited)."""

    permission_classes = PERMISSIONS

    @extend_schema(summary="Read a person", responses={200: PersonDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        person = queries.get_person_for_user(request.user, pk)
        actions.record_person_view(
            acting_user=request.user, person=person, request=request, via="api"
        )
        return Response(PersonDetailSerializer(person, context={"request": request}).data)

    @extend_schema(
        summary="Change a person",
        description="Only the fields given change; `reason` is kept in the person's history.",
        request=PersonUpdateSerializer,
        responses={
            200: PersonDetailSerializer,
            400: OpenApiResponse(description="field → messages"),
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        person = queries.get_person_for_user(request.user, pk, capability="edit_person")
        incoming = PersonUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        reason = changes.pop("reason")
        try:
            person = actions.do_update_person(
                acting_user=request.user,
                person=person,
                changes=changes,
                reason=reason,
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(PersonDetailSerializer(person, context={"request": request}).data)


@extend_schema_view(post=extend_schema(summary="Add a source record"))
@extend_schema(tags=["people"])
class PersonSourceRecords(ActionView):
    """Link one more record about this person, as it arrived."""

    permission_classes = PERMISSIONS
    input = SourceRecordInputSerializer
    output = SourceRecordSerializer
    do = actions.do_add_source_record
    target_keyword = "person"

    def get_target(self, request: Request, pk: int) -> Person:
        return queries.get_person_for_user(request.user, pk, capability="edit_person")


@extend_schema_view(post=extend_schema(summary="Merge a duplicate into this person"))
@extend_schema(tags=["people"])
class PersonMergeView(ActionView):
    """Merge another record (``merged``) into this person; undo with the merge's id."""

    permission_classes = PERMISSIONS
    write_capability = "merge_person"
    input = MergeRequestSerializer
    output = MergeSerializer
    do = actions.do_merge_persons
    target_keyword = "survivor"

    def get_target(self, request: Request, pk: int) -> Person:
        return queries.get_person_for_user(request.user, pk, capability="merge_person")


@extend_schema_view(post=extend_schema(summary="Undo a merge"))
@extend_schema(tags=["people"])
class MergeUndoView(ActionView):
    """Undo a merge: exactly the rows it moved go back and the merged person returns."""

    permission_classes = PERMISSIONS
    write_capability = "merge_person"
    input = None
    output = MergeSerializer
    do = actions.do_undo_merge
    target_keyword = "merge"
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, pk: int) -> PersonMerge:
        return queries.get_merge_for_user(request.user, pk)


urlpatterns = [
    path("", PersonList.as_view(), name="api-people"),
    path("<int:pk>/", PersonDetail.as_view(), name="api-person"),
    path(
        "<int:pk>/source-records/", PersonSourceRecords.as_view(), name="api-person-source-records"
    ),
    path("<int:pk>/merge/", PersonMergeView.as_view(), name="api-person-merge"),
    path("merges/<int:pk>/undo/", MergeUndoView.as_view(), name="api-merge-undo"),
]
