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

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import has_capability
from zhanyi.core.api import ActionView, InJurisdictionField
from zhanyi.engine.protocol import DEFAULT_PROTOCOL
from zhanyi.people import queries as people_queries
from zhanyi.people.models import Person
from zhanyi.places.models import Place
from zhanyi.tracing import actions, queries
from zhanyi.tracing.actions.contacts import ExpandResult
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


def _person(request, pk: int) -> Person:
    return people_queries.get_person_for_user(request, pk)


def _case(request, pk: int) -> Case:
    return queries.get_case_for_user(request, pk)


class CaseActionView(ActionView):
    """A write on the case the URL names, which the caller must be able to
    change (``write_capability``; 404 outside the jurisdiction)."""

    permission_classes = PERMISSIONS
    write_capability = "edit_person"

    def get_target(self, request, case_id: int) -> Case:
        return queries.get_case_for_user(request, case_id, capability=self.write_capability)


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
        return InfectionSourceSerializer(source).data


class CaseInputSerializer(serializers.Serializer):
    person = InJurisdictionField(_person, min_value=1)
    classification = serializers.ChoiceField(choices=CaseClassification.choices)
    sampled_at = serializers.DateTimeField()
    reported_at = serializers.DateTimeField()
    onset_date = serializers.DateField(required=False, allow_null=True)
    isolated_at = serializers.DateTimeField(required=False, allow_null=True)
    hospital = serializers.CharField(required=False, allow_blank=True, max_length=200)
    protocol = serializers.ChoiceField(
        source="protocol_name", choices=protocol_choices(), default=DEFAULT_PROTOCOL
    )
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
    person_a = InJurisdictionField(_person, min_value=1, required=False)
    person_b = InJurisdictionField(_person, min_value=1)
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

    def validate_place(self, pk: int | None) -> Place | None:
        if not pk:
            return None
        place = Place.objects.filter(pk=pk).first()
        if place is None:
            raise serializers.ValidationError(_("No place with this number."))
        return place


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


class DuplicateCaseAnswer(Exception):
    """A ``DuplicateCase`` carried past ``run_action`` (which would answer 400)
    to ``CaseList``'s 409 naming the case the report belongs to."""

    def __init__(self, duplicate: actions.DuplicateCase) -> None:
        super().__init__(duplicate)
        self.duplicate = duplicate


class CaseList(ActionView):
    permission_classes = PERMISSIONS
    input = CaseInputSerializer
    output = CaseDetailSerializer
    do = actions.do_create_case

    @extend_schema(responses=CaseSerializer(many=True), tags=["tracing"])
    def get(self, request):
        status_ = request.query_params.get("status", "")
        qs = queries.filter_cases(
            queries.cases_for(request.user),
            status=status_ if status_ in CaseStatus.values else "",
            overdue=request.query_params.get("overdue") == "1",
        )
        return Response(CaseSerializer(qs[:1000], many=True).data)

    def perform(self, request, target, data: dict) -> Case:
        try:
            return super().perform(request, target, data)
        except actions.DuplicateCase as duplicate:
            raise DuplicateCaseAnswer(duplicate) from None

    def handle_exception(self, exc):
        if isinstance(exc, DuplicateCaseAnswer):  # one person, one case
            duplicate = exc.duplicate
            return Response(
                {"detail": " ".join(duplicate.messages), "case": duplicate.case.pk},
                status=status.HTTP_409_CONFLICT,
            )
        return super().handle_exception(exc)


class CaseDetail(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=CaseDetailSerializer, tags=["tracing"])
    def get(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id)
        actions.record_case_view(acting_user=request.user, case=case, request=request, via="api")
        return Response(CaseDetailSerializer(case).data)


class CaseExposures(CaseActionView):
    input = ExposureInputSerializer
    output = ExposureSerializer
    do = actions.do_record_exposure

    @extend_schema(responses=ExposureSerializer(many=True), tags=["tracing"])
    def get(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id)
        actions.record_case_view(
            acting_user=request.user, case=case, request=request, via="api:exposures"
        )
        return Response(ExposureSerializer(case.exposures.all()[:5000], many=True).data)

    def perform(self, request, target: Case, data: dict) -> Exposure:
        data.setdefault("person_a", target.person)  # the case's person, unless named
        return super().perform(request, target, data)


class CaseTrajectory(CaseActionView):
    input = TrajectoryInputSerializer
    output = TrajectorySerializer
    do = actions.do_add_trajectory_entry

    @extend_schema(responses=TrajectorySerializer(many=True), tags=["tracing"])
    def get(self, request, case_id: int):
        case = queries.get_case_for_user(request, case_id)
        actions.record_case_view(
            acting_user=request.user, case=case, request=request, via="api:trajectory"
        )
        return Response(TrajectorySerializer(case.trajectory.all(), many=True).data)


class ExpandSerializer(serializers.Serializer):
    cases = serializers.IntegerField()
    new_close = serializers.IntegerField()
    new_secondary = serializers.IntegerField()
    upgraded = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    handoffs = serializers.IntegerField()
    codes_changed = serializers.IntegerField()


class CaseExpand(CaseActionView):
    input = None
    output = ExpandSerializer
    status_code = status.HTTP_200_OK

    def perform(self, request, target: Case, data: dict) -> ExpandResult:
        return actions.do_expand_contacts([target], acting_user=request.user, request=request)


class CaseVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class CaseVoid(CaseActionView):
    """Void a case filed twice or in error (needs ``approve``); it counts nowhere after."""

    write_capability = "approve"
    input = CaseVoidSerializer
    output = None  # 204: no body
    do = actions.do_void_case
    status_code = status.HTTP_204_NO_CONTENT


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


def _team(request, pk: int):
    team = queries.tracing_teams_for(request.user).filter(pk=pk).first()
    if team is None:
        raise serializers.ValidationError(_("no such tracing team in your jurisdiction"))
    return team


class AssignInput(serializers.Serializer):
    team = InJurisdictionField(_team, min_value=1)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class AssignedSerializer(serializers.Serializer):
    case = serializers.IntegerField(source="pk")
    team = serializers.IntegerField(source="team.pk")
    team_name = serializers.CharField(source="team.name")


class CaseAssign(CaseActionView):
    """Give the case to a tracing team of the jurisdiction; moving it needs its
    team's leader and a reason."""

    input = AssignInput
    output = AssignedSerializer
    do = actions.do_assign_case
    status_code = status.HTTP_200_OK


class SourceInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SourceKind.choices)
    source_case = InJurisdictionField(
        _case, min_value=1, required=False, allow_null=True, default=None
    )
    origin = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class InfectionSourceSerializer(serializers.ModelSerializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    decided_by = serializers.CharField(source="decided_by_name")

    class Meta:
        model = InfectionSource
        fields = ["kind", "kind_label", "source_case", "exposure", "origin", "evidence"]
        fields += ["decided_by", "decided_at"]
        read_only_fields = fields


class CaseSource(CaseActionView):
    """The probable source of the case's infection (溯源)."""

    input = SourceInput
    output = InfectionSourceSerializer
    do = actions.do_record_source
    status_code = status.HTTP_200_OK


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
