"""REST API of the tracing app (流调), at ``/api/v1/tracing/``, scoped to the
caller's jurisdiction (objects outside it answer 404).

- ``cases/`` GET list (``?status=``, ``?overdue=1``), POST create by hand;
- ``cases/<id>/`` GET one, with its deadlines and contacts counted by kind;
- ``cases/<id>/exposures/`` GET, POST (persons by their number in the index);
- ``cases/<id>/trajectory/`` GET, POST; ``cases/<id>/expand/`` POST;
- ``cases/<id>/contacts/`` GET (the contacts the caller may see);
- ``cases/<id>/graph/`` GET (chains of transmission, names masked).

Reading needs ``view_person``; writing ``edit_person``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import has_capability
from zhanyi.core.api import as_drf_error
from zhanyi.engine.protocol import DEFAULT_PROTOCOL
from zhanyi.people import queries as people_queries
from zhanyi.places.models import Place
from zhanyi.tracing import actions, queries
from zhanyi.tracing.forms import protocol_choices
from zhanyi.tracing.models import (
    Case,
    CaseClassification,
    CaseStatus,
    Certainty,
    Contact,
    Exposure,
    ExposureSetting,
    InfectionSource,
    SourceKind,
    TrajectoryEntry,
)


class TracingCapability(BasePermission):
    def has_permission(self, request, view) -> bool:
        needed = "view_person" if request.method in ("GET", "HEAD", "OPTIONS") else "edit_person"
        return has_capability(request.user, needed)


PERMISSIONS = [IsAuthenticated, TracingCapability]


class CaseSerializer(serializers.ModelSerializer):
    person_name = serializers.SerializerMethodField()
    area = serializers.CharField(source="area.code")
    report_overdue = serializers.BooleanField()
    # One of investigating, investigated, discharged (a plain string: the enum
    # name "status" is taken by other apps' schemas).
    status = serializers.CharField(read_only=True)
    investigation_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "person",
            "person_name",
            "area",
            "classification",
            "status",
            "onset_date",
            "sampled_at",
            "reported_at",
            "filed_at",
            "isolated_at",
            "hospital",
            "transferred_at",
            "discharged_at",
            "protocol",
            "report_due_at",
            "report_overdue",
            "investigation_due_at",
            "investigated_at",
            "investigation_overdue",
            "source",
        ]

    def get_person_name(self, case) -> str:
        return case.person.name

    def get_investigation_overdue(self, case) -> bool:
        return case.investigation_overdue()


class CaseDetailSerializer(CaseSerializer):
    contacts_by_kind = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    infection_source = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "contacts_by_kind", "team", "infection_source"]

    def get_contacts_by_kind(self, case) -> dict[str, int]:
        return queries.contact_counts(case)

    def get_team(self, case) -> dict | None:
        if case.team is None:
            return None
        return {"id": case.team.pk, "name": case.team.name, "area": case.team.area.code}

    def get_infection_source(self, case) -> dict | None:
        source = getattr(case, "infection_source", None)
        if source is None:
            return None
        return source_dict(source)


def source_dict(source: InfectionSource) -> dict:
    return {
        "kind": source.kind,
        "kind_label": source.get_kind_display(),
        "source_case": source.source_case_id,
        "exposure": source.exposure_id,
        "origin": source.origin,
        "evidence": source.evidence,
        "decided_by": source.decided_by_name,
        "decided_at": source.decided_at,
    }


class CaseInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    classification = serializers.ChoiceField(choices=CaseClassification.choices)
    sampled_at = serializers.DateTimeField()
    reported_at = serializers.DateTimeField()
    onset_date = serializers.DateField(required=False, allow_null=True)
    isolated_at = serializers.DateTimeField(required=False, allow_null=True)
    hospital = serializers.CharField(required=False, allow_blank=True, max_length=200)
    protocol = serializers.ChoiceField(choices=protocol_choices(), default=DEFAULT_PROTOCOL)
    notes = serializers.CharField(required=False, allow_blank=True)


class ExposureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exposure
        fields = [
            "id",
            "person_a",
            "person_b",
            "setting",
            "exposed_at",
            "certainty",
            "place",
            "note",
        ]


class ExposureInputSerializer(serializers.Serializer):
    person_a = serializers.IntegerField(min_value=1, required=False)
    person_b = serializers.IntegerField(min_value=1)
    setting = serializers.ChoiceField(choices=ExposureSetting.choices)
    exposed_at = serializers.DateTimeField()
    certainty = serializers.ChoiceField(choices=Certainty.choices, default=Certainty.CONFIRMED)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class TrajectorySerializer(serializers.ModelSerializer):
    class Meta:
        model = TrajectoryEntry
        fields = ["id", "place", "area", "description", "start", "end"]


class TrajectoryInputSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(required=False, allow_null=True)
    place = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=255)


class ContactSerializer(serializers.ModelSerializer):
    person_name = serializers.SerializerMethodField()
    area = serializers.CharField(source="area.code")

    class Meta:
        model = Contact
        fields = [
            "id",
            "case",
            "person",
            "person_name",
            "area",
            "kind",
            "depth",
            "via",
            "first_exposure_at",
            "last_exposure_at",
            "identified_at",
            "quarantined_at",
            "released_at",
            "upgraded_at",
            "protocol",
        ]

    def get_person_name(self, contact) -> str:
        return contact.person.name


class CaseList(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=CaseSerializer(many=True), tags=["tracing"])
    def get(self, request):
        status_ = request.query_params.get("status", "")
        qs = queries.filter_cases(
            queries.cases_for(request.user),
            status=status_ if status_ in CaseStatus.values else "",
            overdue=request.query_params.get("overdue") == "1",
        )
        return Response(CaseSerializer(qs[:1000], many=True).data)

    @extend_schema(request=CaseInputSerializer, responses=CaseDetailSerializer, tags=["tracing"])
    def post(self, request):
        data = CaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = people_queries.get_person_for_user(request, v["person"])
        try:
            case = actions.do_create_case(
                acting_user=request.user,
                person=person,
                classification=v["classification"],
                sampled_at=v["sampled_at"],
                reported_at=v["reported_at"],
                onset_date=v.get("onset_date"),
                isolated_at=v.get("isolated_at"),
                hospital=v.get("hospital", ""),
                protocol_name=v["protocol"],
                notes=v.get("notes", ""),
                request=request,
            )
        except actions.DuplicateCase as duplicate:
            return Response(
                {"detail": " ".join(duplicate.messages), "case": duplicate.case.pk},
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetail(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=CaseDetailSerializer, tags=["tracing"])
    def get(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id)
        actions.record_case_view(acting_user=request.user, case=case, request=request, via="api")
        return Response(CaseDetailSerializer(case).data)


class CaseExposures(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=ExposureSerializer(many=True), tags=["tracing"])
    def get(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id)
        actions.record_case_view(
            acting_user=request.user, case=case, request=request, via="api:exposures"
        )
        return Response(ExposureSerializer(case.exposures.all()[:5000], many=True).data)

    @extend_schema(request=ExposureInputSerializer, responses=ExposureSerializer, tags=["tracing"])
    def post(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id, capability="edit_person")
        data = ExposureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        a = (
            people_queries.get_person_for_user(request, v["person_a"])
            if v.get("person_a")
            else case.person
        )
        b = people_queries.get_person_for_user(request, v["person_b"])
        try:
            exposure = actions.do_record_exposure(
                case,
                acting_user=request.user,
                person_a=a,
                person_b=b,
                setting=v["setting"],
                exposed_at=v["exposed_at"],
                certainty=v["certainty"],
                note=v.get("note", ""),
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(ExposureSerializer(exposure).data, status=status.HTTP_201_CREATED)


class CaseTrajectory(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=TrajectorySerializer(many=True), tags=["tracing"])
    def get(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id)
        actions.record_case_view(
            acting_user=request.user, case=case, request=request, via="api:trajectory"
        )
        return Response(TrajectorySerializer(case.trajectory.all(), many=True).data)

    @extend_schema(
        request=TrajectoryInputSerializer, responses=TrajectorySerializer, tags=["tracing"]
    )
    def post(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id, capability="edit_person")
        data = TrajectoryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        place = None
        if v.get("place"):
            place = Place.objects.filter(pk=v["place"]).first()
            if place is None:
                raise ValidationError({"place": [_("No place with this number.")]})
        try:
            entry = actions.do_add_trajectory_entry(
                case,
                acting_user=request.user,
                start=v["start"],
                end=v.get("end"),
                place=place,
                description=v.get("description", ""),
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(TrajectorySerializer(entry).data, status=status.HTTP_201_CREATED)


class CaseExpand(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=None, responses={200: dict}, tags=["tracing"])
    def post(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id, capability="edit_person")
        result = actions.do_expand_contacts([case], acting_user=request.user, request=request)
        return Response(result.as_dict())


class CaseVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class CaseVoid(APIView):
    """Void a case filed twice or in error (needs ``approve``); it counts nowhere after."""

    permission_classes = PERMISSIONS

    @extend_schema(request=CaseVoidSerializer, responses={204: None}, tags=["tracing"])
    def post(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id, capability="approve")
        data = CaseVoidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            actions.do_void_case(
                case,
                acting_user=request.user,
                reason=data.validated_data["reason"],
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseContacts(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=ContactSerializer(many=True), tags=["tracing"])
    def get(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id)
        visible, hidden = queries.case_contacts(case, request.user)
        actions.record_case_view(
            acting_user=request.user, case=case, request=request, via="api:contacts"
        )
        return Response(
            {
                "hidden": hidden,
                "by_kind": queries.contact_counts(case),
                "contacts": ContactSerializer(visible[:5000], many=True).data,
            }
        )


class CaseGraph(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={200: dict}, tags=["tracing"])
    def get(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id)
        actions.record_case_view(
            acting_user=request.user, case=case, request=request, via="api:graph"
        )
        masked = request.query_params.get("masked") == "1"
        return Response(queries.transmission_graph(request.user, case, masked=masked))


class AssignInput(serializers.Serializer):
    team = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class CaseAssign(APIView):
    """Give the case to a tracing team of the jurisdiction; moving it needs its
    team's leader and a reason."""

    permission_classes = PERMISSIONS

    @extend_schema(request=AssignInput, responses={200: dict}, tags=["tracing"])
    def post(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id, capability="edit_person")
        data = AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        team = (
            queries.tracing_teams_for(request.user).filter(pk=data.validated_data["team"]).first()
        )
        if team is None:
            raise ValidationError({"team": ["no such tracing team in your jurisdiction"]})
        try:
            actions.do_assign_case(
                case,
                team,
                acting_user=request.user,
                reason=data.validated_data["reason"],
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        except PermissionDenied as error:
            raise DRFPermissionDenied(str(error)) from None
        return Response({"case": case.pk, "team": team.pk, "team_name": team.name})


class SourceInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SourceKind.choices)
    source_case = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None
    )
    origin = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class CaseSource(APIView):
    """The probable source of the case's infection (溯源)."""

    permission_classes = PERMISSIONS

    @extend_schema(request=SourceInput, responses={200: dict}, tags=["tracing"])
    def post(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id, capability="edit_person")
        data = SourceInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        source_case = (
            queries.get_case_for_user(request, v["source_case"]) if v["source_case"] else None
        )
        try:
            source = actions.do_record_source(
                case,
                acting_user=request.user,
                kind=v["kind"],
                source_case=source_case,
                origin=v["origin"],
                evidence=v["evidence"],
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(source_dict(source))


urlpatterns = [
    path("cases/", CaseList.as_view(), name="api-cases"),
    path("cases/<int:case_id>/", CaseDetail.as_view(), name="api-case"),
    path("cases/<int:case_id>/exposures/", CaseExposures.as_view(), name="api-case-exposures"),
    path("cases/<int:case_id>/trajectory/", CaseTrajectory.as_view(), name="api-case-trajectory"),
    path("cases/<int:case_id>/expand/", CaseExpand.as_view(), name="api-case-expand"),
    path("cases/<int:case_id>/void/", CaseVoid.as_view(), name="api-case-void"),
    path("cases/<int:case_id>/contacts/", CaseContacts.as_view(), name="api-case-contacts"),
    path("cases/<int:case_id>/graph/", CaseGraph.as_view(), name="api-case-graph"),
    path("cases/<int:case_id>/assign/", CaseAssign.as_view(), name="api-case-assign"),
    path("cases/<int:case_id>/source/", CaseSource.as_view(), name="api-case-source"),
]
