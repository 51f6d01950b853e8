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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core.api import run_action
from zhanyi.core.masking import mask_name
from zhanyi.people.queries import get_person_for_user
from zhanyi.places.models import Area

from . import actions, queries
from .models import Admission, Condition, Progress, SampleKind, TestOutcome, Ward

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def _ward(user, hospital: str, ward: str, field: str = "ward") -> Ward:
    found = queries.wards_for(user).filter(hospital__name=hospital, name=ward).first()
    if found is None:
        raise serializers.ValidationError(
            {field: [f"no ward {ward} of a hospital {hospital} of yours"]}
        )
    return found


def admission_row(a: Admission) -> dict:
    return {
        "id": a.pk,
        "person": a.person_id,
        "name": mask_name(a.person.name),
        "area": a.area.code,
        "case": a.case_id,
        "hospital": a.hospital.name,
        "ward": a.ward.name,
        "condition": a.condition,
        "admitted_at": a.admitted_at,
        "discharged_at": a.discharged_at,
        "monitoring_until": a.monitoring_until,
    }


def admission_detail(a: Admission) -> dict:
    return {
        **admission_row(a),
        "criteria": [
            {"criterion": c.name, "holds": c.ok, "message": c.message}
            for c in (queries.criteria(a) if a.in_hospital else [])
        ],
        "conditions": [
            {
                "condition": r.condition,
                "at": r.recorded_at,
                "by": r.recorded_by_name,
                "note": r.note,
            }
            for r in a.conditions.all()
        ],
        "observations": [
            {
                "at": o.observed_at,
                "temperature": float(o.temperature) if o.temperature is not None else None,
                "respiratory": o.respiratory,
                "imaging": o.imaging,
            }
            for o in a.observations.all()
        ],
        "tests": [
            {
                "sampled_at": t.sampled_at,
                "sample": t.sample,
                "result": t.result,
                "ct_orf1ab": float(t.ct_orf1ab) if t.ct_orf1ab is not None else None,
                "ct_n": float(t.ct_n) if t.ct_n is not None else None,
            }
            for t in a.tests.all()
        ],
        "transfers": [
            {
                "from": str(t.from_ward),
                "to": str(t.to_ward),
                "at": t.transferred_at,
                "reason": t.reason,
            }
            for t in a.transfers.select_related("from_ward__hospital", "to_ward__hospital")
        ],
        "check_ins": [
            {
                "day": c.day,
                "at": c.checked_at,
                "temperature": float(c.temperature),
                "symptoms": c.symptoms,
            }
            for c in a.check_ins.all()
        ],
        "alerts": [alert_row(x) for x in a.alerts.all()],
    }


def alert_row(x) -> dict:
    return {
        "id": x.pk,
        "admission": x.admission_id,
        "kind": x.kind,
        "detail": x.detail,
        "raised_at": x.raised_at,
        "closed_at": x.closed_at,
        "outcome": x.outcome,
    }


class CareHospitalInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    area = serializers.CharField(max_length=32)
    designated = serializers.BooleanField(default=True)


class HospitalsView(APIView):
    """Hospitals with their wards, beds and beds taken."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="care_hospitals_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        wards: dict[int, list] = {}
        for w in queries.wards_for(request.user):
            wards.setdefault(w.hospital_id, []).append(
                {"name": w.name, "beds": w.beds, "taken": w.taken}
            )
        return Response(
            {
                "results": [
                    {
                        "name": h.name,
                        "area": h.area.code,
                        "designated": h.designated,
                        "wards": wards.get(h.pk, []),
                    }
                    for h in queries.hospitals_for(request.user)[:500]
                ]
            }
        )

    @extend_schema(request=CareHospitalInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = CareHospitalInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        area = Area.objects.filter(code=v["area"]).first()
        if area is None:
            raise serializers.ValidationError({"area": ["no such area"]})
        hospital = run_action(
            lambda: actions.do_create_hospital(
                acting_user=request.user,
                name=v["name"],
                area=area,
                designated=v["designated"],
                request=request,
            )
        )
        return Response({"name": hospital.name}, status=status.HTTP_201_CREATED)


class CareWardInput(serializers.Serializer):
    hospital = serializers.CharField(max_length=200)
    name = serializers.CharField(max_length=100)
    beds = serializers.IntegerField(min_value=1)


class WardsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=CareWardInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = CareWardInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        hospital = queries.hospitals_for(request.user).filter(name=v["hospital"]).first()
        if hospital is None:
            raise serializers.ValidationError({"hospital": ["no such hospital of yours"]})
        ward = run_action(
            lambda: actions.do_add_ward(
                hospital, acting_user=request.user, name=v["name"], beds=v["beds"], request=request
            )
        )
        return Response(
            {"hospital": hospital.name, "name": ward.name, "beds": ward.beds},
            status=status.HTTP_201_CREATED,
        )


class CareAdmitInput(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    hospital = serializers.CharField(max_length=200)
    ward = serializers.CharField(max_length=100)
    condition = serializers.ChoiceField(choices=Condition.choices)
    admitted_at = serializers.DateTimeField(required=False)


class AdmissionsView(APIView):
    """Admissions of the jurisdiction (in hospital unless ``?all=1``); POST admits a case."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="care_admissions_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        qs = queries.admissions_for(request.user)
        if request.query_params.get("all") not in ("1", "true", "yes"):
            qs = qs.filter(discharged_at=None)
        return Response({"results": [admission_row(a) for a in qs[:500]]})

    @extend_schema(request=CareAdmitInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = CareAdmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = get_person_for_user(request, v["person"])
        ward = _ward(request.user, v["hospital"], v["ward"])
        admission = run_action(
            lambda: actions.do_admit(
                person,
                ward,
                condition=v["condition"],
                admitted_at=v.get("admitted_at"),
                acting_user=request.user,
                request=request,
            )
        )
        return Response(admission_row(admission), status=status.HTTP_201_CREATED)


class AdmissionView(APIView):
    """One patient's record with the discharge criteria (an audited read)."""

    permission_classes = PERMISSIONS

    @extend_schema(operation_id="care_admission_detail", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, admission_id: int) -> Response:
        admission = queries.get_admission_for_user(request, admission_id)
        queries.record_view(request, admission, via="api")
        return Response(admission_detail(admission))


class CareConditionInput(serializers.Serializer):
    condition = serializers.ChoiceField(choices=Condition.choices)
    at = serializers.DateTimeField(required=False)
    note = serializers.CharField(max_length=500, required=False, default="")


class ConditionView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=CareConditionInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, admission_id: int) -> Response:
        admission = queries.get_admission_for_user(request, admission_id)
        data = CareConditionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        run_action(
            lambda: actions.do_record_condition(
                admission,
                v["condition"],
                acting_user=request.user,
                at=v.get("at"),
                note=v["note"],
                request=request,
            )
        )
        admission.refresh_from_db()
        return Response(admission_row(admission), status=status.HTTP_201_CREATED)


class CareObservationInput(serializers.Serializer):
    temperature = serializers.CharField(max_length=8, required=False, default="")
    respiratory = serializers.ChoiceField(choices=Progress.choices, required=False, default="")
    imaging = serializers.ChoiceField(choices=Progress.choices, required=False, default="")
    at = serializers.DateTimeField(required=False)


class ObservationsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=CareObservationInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, admission_id: int) -> Response:
        admission = queries.get_admission_for_user(request, admission_id)
        data = CareObservationInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        o = run_action(
            lambda: actions.do_record_observation(
                admission,
                acting_user=request.user,
                at=v.get("at"),
                temperature=v["temperature"],
                respiratory=v["respiratory"],
                imaging=v["imaging"],
                request=request,
            )
        )
        return Response({"id": o.pk, "at": o.observed_at}, status=status.HTTP_201_CREATED)


class CareTestInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=TestOutcome.choices)
    sample = serializers.ChoiceField(choices=SampleKind.choices, default=SampleKind.OROPHARYNGEAL)
    sampled_at = serializers.DateTimeField(required=False)
    ct_orf1ab = serializers.CharField(max_length=8, required=False, default="")
    ct_n = serializers.CharField(max_length=8, required=False, default="")


class TestsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=CareTestInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, admission_id: int) -> Response:
        admission = queries.get_admission_for_user(request, admission_id)
        data = CareTestInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        t = run_action(
            lambda: actions.do_record_test(
                admission,
                acting_user=request.user,
                result=v["result"],
                sample=v["sample"],
                sampled_at=v.get("sampled_at"),
                ct_orf1ab=v["ct_orf1ab"],
                ct_n=v["ct_n"],
                request=request,
            )
        )
        alerts = [alert_row(x) for x in admission.alerts.filter(closed_at=None)]
        return Response(
            {"id": t.pk, "sampled_at": t.sampled_at, "open_alerts": alerts},
            status=status.HTTP_201_CREATED,
        )


class CareTransferInput(serializers.Serializer):
    hospital = serializers.CharField(max_length=200)
    ward = serializers.CharField(max_length=100)
    reason = serializers.CharField(max_length=255)
    at = serializers.DateTimeField(required=False)


class TransferView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=CareTransferInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, admission_id: int) -> Response:
        admission = queries.get_admission_for_user(request, admission_id)
        data = CareTransferInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        ward = _ward(request.user, v["hospital"], v["ward"])
        run_action(
            lambda: actions.do_transfer(
                admission,
                ward,
                acting_user=request.user,
                reason=v["reason"],
                at=v.get("at"),
                request=request,
            )
        )
        admission.refresh_from_db()
        return Response(admission_row(admission), status=status.HTTP_201_CREATED)


class CareDischargeInput(serializers.Serializer):
    at = serializers.DateTimeField(required=False)


class DischargeView(APIView):
    """Discharge when every criterion holds; a 400 names each that fails."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=CareDischargeInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, admission_id: int) -> Response:
        admission = queries.get_admission_for_user(request, admission_id)
        data = CareDischargeInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = run_action(
            lambda: actions.do_discharge(
                admission,
                acting_user=request.user,
                at=data.validated_data.get("at"),
                request=request,
            )
        )
        return Response(admission_row(done))


class CareCheckInInput(serializers.Serializer):
    temperature = serializers.CharField(max_length=8)
    symptoms = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=500, required=False, default="")
    at = serializers.DateTimeField(required=False)


class CheckInsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=CareCheckInInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, admission_id: int) -> Response:
        admission = queries.get_admission_for_user(request, admission_id)
        data = CareCheckInInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        c = run_action(
            lambda: actions.do_check_in(
                admission,
                acting_user=request.user,
                temperature=v["temperature"],
                symptoms=v["symptoms"],
                note=v["note"],
                at=v.get("at"),
                request=request,
            )
        )
        return Response({"day": c.day, "at": c.checked_at}, status=status.HTTP_201_CREATED)


class AlertsView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="care_alerts_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response({"results": [alert_row(x) for x in queries.alerts_for(request.user)[:500]]})


class CareCloseAlertInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=255)


class CloseAlertView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=CareCloseAlertInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, alert_id: int) -> Response:
        alert = queries.get_alert_for_user(request.user, alert_id)
        data = CareCloseAlertInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = run_action(
            lambda: actions.do_close_alert(
                alert,
                acting_user=request.user,
                outcome=data.validated_data["outcome"],
                request=request,
            )
        )
        return Response(alert_row(done))


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
