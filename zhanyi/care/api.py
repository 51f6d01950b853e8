"""REST API of hospital care (定点医院救治), at ``/api/v1/care/``.

Reading needs ``view_person`` and a jurisdiction; hospitals and wards need
``edit_operations``, a patient's record ``edit_person`` (the actions check it).
Hospitals and wards are named by name, persons by their number in the person
index, admissions by number. A refusal answers 400 with the action's message
(a discharge before the criteria hold names each that fails); reading one
admission is an audited read.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core.api import ActionView, MaskedNameField
from zhanyi.people.queries import get_person_for_user
from zhanyi.places.api import area_by_code

from . import actions, queries
from .models import (
    Admission,
    Alert,
    CheckIn,
    Condition,
    ConditionRecord,
    Hospital,
    NucleicTest,
    Observation,
    Progress,
    SampleKind,
    TestOutcome,
    Ward,
)

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def _ward(user, hospital: str, ward: str, field: str = "ward") -> Ward:
    found = queries.wards_for(user).filter(hospital__name=hospital, name=ward).first()
    if found is None:
        raise serializers.ValidationError(
            {field: [f"no ward {ward} of a hospital {hospital} of yours"]}
        )
    return found


class CareAdmissionSerializer(serializers.ModelSerializer):
    """An admission as lists and answers show it (the name masked)."""

    name = MaskedNameField(source="person.name")
    area = serializers.CharField(source="area.code")
    case = serializers.IntegerField(source="case_id")
    hospital = serializers.CharField(source="hospital.name")
    ward = serializers.CharField(source="ward.name")

    class Meta:
        model = Admission
        fields = [
            "id",
            "person",
            "name",
            "area",
            "case",
            "hospital",
            "ward",
            "condition",
            "admitted_at",
            "discharged_at",
            "monitoring_until",
        ]
        read_only_fields = fields


class CareAlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = ["id", "admission", "kind", "detail", "raised_at", "closed_at", "outcome"]
        read_only_fields = fields


class CareCriterionSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="name")
    holds = serializers.BooleanField(source="ok")
    message = serializers.CharField()


class CareConditionRecordSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="recorded_at")
    by = serializers.CharField(source="recorded_by_name")

    class Meta:
        model = ConditionRecord
        fields = ["condition", "at", "by", "note"]
        read_only_fields = fields


class CareObservationSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="observed_at")
    temperature = serializers.FloatField(allow_null=True)

    class Meta:
        model = Observation
        fields = ["at", "temperature", "respiratory", "imaging"]
        read_only_fields = fields


class CareTestSerializer(serializers.ModelSerializer):
    ct_orf1ab = serializers.FloatField(allow_null=True)
    ct_n = serializers.FloatField(allow_null=True)

    class Meta:
        model = NucleicTest
        fields = ["sampled_at", "sample", "result", "ct_orf1ab", "ct_n"]
        read_only_fields = fields


class CareTransferSerializer(serializers.Serializer):
    from_ = serializers.CharField(source="from_ward")
    to = serializers.CharField(source="to_ward")
    at = serializers.DateTimeField(source="transferred_at")
    reason = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # "from" is a keyword in Python
        return fields


class CareCheckInSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="checked_at")
    temperature = serializers.FloatField()

    class Meta:
        model = CheckIn
        fields = ["day", "at", "temperature", "symptoms"]
        read_only_fields = fields


class CareAdmissionDetailSerializer(CareAdmissionSerializer):
    """One patient's record: the admission, the discharge criteria while in
    hospital, and the history of each kind."""

    criteria = serializers.SerializerMethodField()
    conditions = CareConditionRecordSerializer(many=True)
    observations = CareObservationSerializer(many=True)
    tests = CareTestSerializer(many=True)
    transfers = serializers.SerializerMethodField()
    check_ins = CareCheckInSerializer(many=True)
    alerts = CareAlertSerializer(many=True)

    class Meta(CareAdmissionSerializer.Meta):
        fields = [
            *CareAdmissionSerializer.Meta.fields,
            "criteria",
            "conditions",
            "observations",
            "tests",
            "transfers",
            "check_ins",
            "alerts",
        ]
        read_only_fields = fields

    @extend_schema_field(CareCriterionSerializer(many=True))
    def get_criteria(self, a: Admission):
        return CareCriterionSerializer(queries.criteria(a) if a.in_hospital else [], many=True).data

    @extend_schema_field(CareTransferSerializer(many=True))
    def get_transfers(self, a: Admission):
        rows = a.transfers.select_related("from_ward__hospital", "to_ward__hospital")
        return CareTransferSerializer(rows, many=True).data


class CareHospitalInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    area = serializers.CharField(max_length=32)
    designated = serializers.BooleanField(default=True)


class CareWardRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    beds = serializers.IntegerField()
    taken = serializers.IntegerField()


class CareHospitalSerializer(serializers.Serializer):
    """A hospital with its wards (``context["wards"]``: hospital id → wards)."""

    name = serializers.CharField()
    area = serializers.CharField(source="area.code")
    designated = serializers.BooleanField()
    wards = serializers.SerializerMethodField()

    @extend_schema_field(CareWardRowSerializer(many=True))
    def get_wards(self, h: Hospital):
        return CareWardRowSerializer(self.context["wards"].get(h.pk, []), many=True).data


class CareHospitalCreatedSerializer(serializers.Serializer):
    name = serializers.CharField()


class HospitalsView(ActionView):
    """Hospitals with their wards, beds and beds taken; POST adds a hospital."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = CareHospitalInput
    output = CareHospitalCreatedSerializer

    @extend_schema(
        operation_id="care_hospitals_list",
        responses=inline_serializer(
            "CareHospitalList", {"results": CareHospitalSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        wards: dict[int, list] = {}
        for w in queries.wards_for(request.user):
            wards.setdefault(w.hospital_id, []).append(w)
        hospitals = queries.hospitals_for(request.user)[:500]
        rows = CareHospitalSerializer(hospitals, many=True, context={"wards": wards})
        return Response({"results": rows.data})

    def perform(self, request: Request, target, data: dict) -> Hospital:
        area = area_by_code(data.pop("area"))
        return actions.do_create_hospital(
            acting_user=request.user, area=area, request=request, **data
        )


class CareWardInput(serializers.Serializer):
    hospital = serializers.CharField(max_length=200)
    name = serializers.CharField(max_length=100)
    beds = serializers.IntegerField(min_value=1)


class CareWardSerializer(serializers.Serializer):
    hospital = serializers.CharField(source="hospital.name")
    name = serializers.CharField()
    beds = serializers.IntegerField()


class WardsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = CareWardInput
    output = CareWardSerializer

    def perform(self, request: Request, target, data: dict) -> Ward:
        hospital = queries.hospitals_for(request.user).filter(name=data.pop("hospital")).first()
        if hospital is None:
            raise serializers.ValidationError({"hospital": ["no such hospital of yours"]})
        return actions.do_add_ward(hospital, acting_user=request.user, request=request, **data)


class CareAdmitInput(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    hospital = serializers.CharField(max_length=200)
    ward = serializers.CharField(max_length=100)
    condition = serializers.ChoiceField(choices=Condition.choices)
    admitted_at = serializers.DateTimeField(required=False)


class AdmissionsView(ActionView):
    """Admissions of the jurisdiction (in hospital unless ``?all=1``); POST admits a case."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = CareAdmitInput
    output = CareAdmissionSerializer

    @extend_schema(
        operation_id="care_admissions_list",
        responses=inline_serializer(
            "CareAdmissionList", {"results": CareAdmissionSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        qs = queries.admissions_for(request.user)
        if request.query_params.get("all") not in ("1", "true", "yes"):
            qs = qs.filter(discharged_at=None)
        return Response({"results": CareAdmissionSerializer(qs[:500], many=True).data})

    def perform(self, request: Request, target, data: dict) -> Admission:
        person = get_person_for_user(request, data.pop("person"))
        ward = _ward(request.user, data.pop("hospital"), data.pop("ward"))
        return actions.do_admit(person, ward, acting_user=request.user, request=request, **data)


class AdmissionView(APIView):
    """One patient's record with the discharge criteria (an audited read)."""

    permission_classes = PERMISSIONS

    @extend_schema(operation_id="care_admission_detail", responses=CareAdmissionDetailSerializer)
    def get(self, request: Request, admission_id: int) -> Response:
        admission = queries.get_admission_for_user(request, admission_id)
        queries.record_view(request, admission, via="api")
        return Response(CareAdmissionDetailSerializer(admission).data)


class AdmissionActionView(ActionView):
    """A POST on one admission of the caller's jurisdiction (another county: 404)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    def get_target(self, request: Request, admission_id: int) -> Admission:
        return queries.get_admission_for_user(request, admission_id)


class CareConditionInput(serializers.Serializer):
    condition = serializers.ChoiceField(choices=Condition.choices)
    at = serializers.DateTimeField(required=False)
    note = serializers.CharField(max_length=500, required=False, default="")


class ConditionView(AdmissionActionView):
    input = CareConditionInput
    output = CareAdmissionSerializer
    do = actions.do_record_condition

    def perform(self, request: Request, admission: Admission, data: dict) -> Admission:
        super().perform(request, admission, data)
        admission.refresh_from_db()
        return admission


class CareObservationInput(serializers.Serializer):
    temperature = serializers.CharField(max_length=8, required=False, default="")
    respiratory = serializers.ChoiceField(choices=Progress.choices, required=False, default="")
    imaging = serializers.ChoiceField(choices=Progress.choices, required=False, default="")
    at = serializers.DateTimeField(required=False)


class CareRecordedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField(source="observed_at")


class ObservationsView(AdmissionActionView):
    input = CareObservationInput
    output = CareRecordedSerializer
    do = actions.do_record_observation


class CareTestInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=TestOutcome.choices)
    sample = serializers.ChoiceField(choices=SampleKind.choices, default=SampleKind.OROPHARYNGEAL)
    sampled_at = serializers.DateTimeField(required=False)
    ct_orf1ab = serializers.CharField(max_length=8, required=False, default="")
    ct_n = serializers.CharField(max_length=8, required=False, default="")


class CareTestRecordedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sampled_at = serializers.DateTimeField()
    open_alerts = serializers.SerializerMethodField()

    @extend_schema_field(CareAlertSerializer(many=True))
    def get_open_alerts(self, t: NucleicTest):
        return CareAlertSerializer(t.admission.alerts.filter(closed_at=None), many=True).data


class TestsView(AdmissionActionView):
    input = CareTestInput
    output = CareTestRecordedSerializer
    do = actions.do_record_test


class CareTransferInput(serializers.Serializer):
    hospital = serializers.CharField(max_length=200)
    ward = serializers.CharField(max_length=100)
    reason = serializers.CharField(max_length=255)
    at = serializers.DateTimeField(required=False)


class TransferView(AdmissionActionView):
    input = CareTransferInput
    output = CareAdmissionSerializer

    def perform(self, request: Request, admission: Admission, data: dict) -> Admission:
        ward = _ward(request.user, data.pop("hospital"), data.pop("ward"))
        actions.do_transfer(admission, ward, acting_user=request.user, request=request, **data)
        admission.refresh_from_db()
        return admission


class CareDischargeInput(serializers.Serializer):
    at = serializers.DateTimeField(required=False)


class DischargeView(AdmissionActionView):
    """Discharge when every criterion holds; a 400 names each that fails."""

    input = CareDischargeInput
    output = CareAdmissionSerializer
    do = actions.do_discharge
    status_code = status.HTTP_200_OK


class CareCheckInInput(serializers.Serializer):
    temperature = serializers.CharField(max_length=8)
    symptoms = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=500, required=False, default="")
    at = serializers.DateTimeField(required=False)


class CareCheckedInSerializer(serializers.Serializer):
    day = serializers.IntegerField()
    at = serializers.DateTimeField(source="checked_at")


class CheckInsView(AdmissionActionView):
    input = CareCheckInInput
    output = CareCheckedInSerializer
    do = actions.do_check_in


class AlertsView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="care_alerts_list",
        responses=inline_serializer("CareAlertList", {"results": CareAlertSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        alerts = queries.alerts_for(request.user)[:500]
        return Response({"results": CareAlertSerializer(alerts, many=True).data})


class CareCloseAlertInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=255)


class CloseAlertView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = CareCloseAlertInput
    output = CareAlertSerializer
    do = actions.do_close_alert
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, alert_id: int) -> Alert:
        return queries.get_alert_for_user(request.user, alert_id)


urlpatterns = [
    path("hospitals/", HospitalsView.as_view(), name="care-hospitals"),
    path("wards/", WardsView.as_view(), name="care-wards"),
    path("admissions/", AdmissionsView.as_view(), name="care-admissions"),
    path("admissions/<int:admission_id>/", AdmissionView.as_view(), name="care-admission"),
    path(
        "admissions/<int:admission_id>/condition/", ConditionView.as_view(), name="care-condition"
    ),
    path(
        "admissions/<int:admission_id>/observations/",
        ObservationsView.as_view(),
        name="care-observations",
    ),
    path("admissions/<int:admission_id>/tests/", TestsView.as_view(), name="care-tests"),
    path("admissions/<int:admission_id>/transfer/", TransferView.as_view(), name="care-transfer"),
    path(
        "admissions/<int:admission_id>/discharge/", DischargeView.as_view(), name="care-discharge"
    ),
    path("admissions/<int:admission_id>/check-ins/", CheckInsView.as_view(), name="care-check-ins"),
    path("alerts/", AlertsView.as_view(), name="care-alerts"),
    path("alerts/<int:alert_id>/close/", CloseAlertView.as_view(), name="care-alert-close"),
]
