"""REST API of fever clinics and pharmacies, at ``/api/v1/clinics/``.

Reading needs ``view_person``, writing ``edit_operations``; every object is
checked against the caller's jurisdiction (outside it: 404). A refusal
answers 400 with the action's messages by field. Names are masked; reading a
visit is audited.
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core import audit
from zhanyi.core.api import run_action
from zhanyi.core.masking import mask_name
from zhanyi.people import queries as people_queries
from zhanyi.places.models import Area

from . import actions, queries
from .models import (
    BuyerReport,
    Clinic,
    ClinicKind,
    ClinicStaff,
    CodeColour,
    FollowUp,
    Medicine,
    Pharmacy,
    ReportState,
    StaffRole,
    Visit,
    VisitOutcome,
)

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def _area(code: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise serializers.ValidationError({"area": ["no such area"]})
    return area


def clinic_dict(c: Clinic) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "area": c.area.code,
        "address": c.address,
    }


def visit_dict(v: Visit) -> dict:
    return {
        "id": v.pk,
        "clinic": v.clinic_id,
        "person": v.person_id,
        "name": mask_name(v.person.name),
        "arrived_at": v.arrived_at,
        "temperature": str(v.temperature) if v.temperature is not None else None,
        "code_colour": v.code_colour,
        "triage": v.triage,
        "triage_label": v.get_triage_display(),
        "triage_reasons": v.triage_reasons,
        "triage_reasons_label": v.reasons_display(),
        "room": v.room.name if v.in_room and v.room else None,
        "test_status": v.test_handoff.status if v.test_handoff else None,
        "outcome": v.outcome or None,
        "referral_status": v.referral_handoff.status if v.referral_handoff else None,
        "closed_at": v.closed_at,
    }


def staff_dict(s: ClinicStaff) -> dict:
    h = s.test_handoff
    return {
        "id": s.pk,
        "clinic": s.clinic_id,
        "person": s.person_id,
        "name": mask_name(s.person.name),
        "role": s.role,
        "started_at": s.started_at,
        "ended_at": s.ended_at,
        "test_status": h.status if h else None,
        "next_test_due_at": h.due_at if h and h.status == "open" else None,
    }


def pharmacy_dict(p: Pharmacy) -> dict:
    return {"id": p.pk, "name": p.name, "area": p.area.code, "address": p.address}


def report_dict(r: BuyerReport, now) -> dict:
    h = r.handoff
    return {
        "id": r.pk,
        "pharmacy": r.pharmacy.name,
        "person": r.person_id,
        "name": mask_name(r.person.name),
        "medicine": r.medicine,
        "bought_at": r.bought_at,
        "linked_by": r.linked_by,
        "warnings": r.warnings,
        "area": r.area.code,
        "follow_up": r.follow_up,
        "due_at": h.due_at if h else None,
        "state": r.state(now),
        "state_label": r.state_label(now),
        "outcome": h.outcome if h else "",
    }


class ClinicInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ClinicKind.choices)
    area = serializers.CharField(max_length=32)
    address = serializers.CharField(max_length=255, required=False, default="")
    rooms = serializers.IntegerField(min_value=0, max_value=200, default=0)


class ClinicsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="clinics_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        rows = queries.clinics_for(request.user)[:500]
        return Response({"results": [clinic_dict(c) for c in rows]})

    @extend_schema(request=ClinicInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = ClinicInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        area = _area(v["area"])
        clinic = run_action(
            lambda: actions.do_create_clinic(
                acting_user=request.user,
                name=v["name"],
                kind=v["kind"],
                area=area,
                address=v["address"],
                rooms=v["rooms"],
                request=request,
            )
        )
        return Response(clinic_dict(clinic), status=status.HTTP_201_CREATED)


class ClinicView(APIView):
    """A clinic, its rooms with the patient in each (masked) and who waits."""

    permission_classes = PERMISSIONS

    @extend_schema(operation_id="clinics_clinic", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, clinic_id: int) -> Response:
        c = queries.get_clinic_for_user(request.user, clinic_id)
        board = queries.room_board(c)
        waiting = list(queries.waiting(c)[:100])
        return Response(
            clinic_dict(c)
            | {
                "rooms": [
                    {
                        "id": r.room.pk,
                        "name": r.room.name,
                        "visit": r.visit.pk if r.visit else None,
                        "name_in_room": mask_name(r.visit.person.name) if r.visit else "",
                    }
                    for r in board
                ],
                "waiting": [{"visit": v.pk, "name": mask_name(v.person.name)} for v in waiting],
            }
        )


class ClinicRoomsInput(serializers.Serializer):
    names = serializers.ListField(child=serializers.CharField(max_length=50), min_length=1)


class ClinicRoomsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=ClinicRoomsInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, clinic_id: int) -> Response:
        c = queries.get_clinic_for_user(request.user, clinic_id)
        data = ClinicRoomsInput(data=request.data)
        data.is_valid(raise_exception=True)
        rooms = run_action(
            lambda: actions.do_add_rooms(
                c, data.validated_data["names"], acting_user=request.user, request=request
            )
        )
        return Response(
            {"rooms": [{"id": r.pk, "name": r.name} for r in rooms]},
            status=status.HTTP_201_CREATED,
        )


class ClinicStaffInput(serializers.Serializer):
    person = serializers.IntegerField()
    role = serializers.ChoiceField(choices=StaffRole.choices)


class ClinicStaffView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="clinics_staff_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, clinic_id: int) -> Response:
        c = queries.get_clinic_for_user(request.user, clinic_id)
        rows = c.staff.filter(ended_at=None).select_related("person", "test_handoff")
        return Response({"results": [staff_dict(s) for s in rows]})

    @extend_schema(request=ClinicStaffInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, clinic_id: int) -> Response:
        c = queries.get_clinic_for_user(request.user, clinic_id)
        data = ClinicStaffInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = people_queries.get_person_for_user(request, v["person"])
        staff = run_action(
            lambda: actions.do_add_staff(
                c, person, role=v["role"], acting_user=request.user, request=request
            )
        )
        return Response(staff_dict(staff), status=status.HTTP_201_CREATED)


class ClinicVisitInput(serializers.Serializer):
    clinic = serializers.IntegerField()
    person = serializers.IntegerField()
    temperature = serializers.DecimalField(
        max_digits=3, decimal_places=1, required=False, allow_null=True, default=None
    )
    symptoms = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    epidemiological_history = serializers.BooleanField(default=False)
    code_colour = serializers.ChoiceField(choices=CodeColour.choices, default=CodeColour.UNKNOWN)
    room = serializers.IntegerField(required=False, allow_null=True, default=None)


class VisitsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="clinics_visits_list",
        parameters=[OpenApiParameter("open", bool, description="only visits not ended")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        qs = queries.visits_for(request.user)
        if request.query_params.get("open") in ("1", "true"):
            qs = qs.filter(closed_at=None)
        rows = list(qs[:500])
        if rows:
            audit.record(
                actor=request.user,
                action="clinics.visits.api_view",
                object_type="clinics.visit",
                detail={"persons": [v.person_id for v in rows]},
                request=request,
            )
        return Response({"results": [visit_dict(v) for v in rows]})

    @extend_schema(request=ClinicVisitInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = ClinicVisitInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        c = queries.get_clinic_for_user(request.user, v["clinic"])
        person = people_queries.get_person_for_user(request, v["person"])
        room = queries.get_room_for_user(request.user, v["room"]) if v["room"] else None
        visit = run_action(
            lambda: actions.do_register_visit(
                c,
                person,
                acting_user=request.user,
                temperature=v["temperature"],
                symptoms=v["symptoms"],
                epidemiological_history=v["epidemiological_history"],
                code_colour=v["code_colour"],
                room=room,
                request=request,
            )
        )
        return Response(visit_dict(visit), status=status.HTTP_201_CREATED)


class VisitView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="clinics_visit", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, visit_id: int) -> Response:
        v = queries.get_visit_for_user(request.user, visit_id)
        audit.record(
            actor=request.user,
            action="clinics.visit.api_view",
            obj=v,
            area=v.clinic.area,
            detail={"person": v.person_id},
            request=request,
        )
        return Response(visit_dict(v))


class VisitRoomInput(serializers.Serializer):
    room = serializers.IntegerField()


class VisitRoomView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=VisitRoomInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, visit_id: int) -> Response:
        v = queries.get_visit_for_user(request.user, visit_id)
        data = VisitRoomInput(data=request.data)
        data.is_valid(raise_exception=True)
        room = queries.get_room_for_user(request.user, data.validated_data["room"])
        v = run_action(
            lambda: actions.do_assign_room(v, room, acting_user=request.user, request=request)
        )
        return Response(visit_dict(queries.get_visit_for_user(request.user, v.pk)))


class VisitLeaveView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, visit_id: int) -> Response:
        v = queries.get_visit_for_user(request.user, visit_id)
        run_action(lambda: actions.do_leave_room(v, acting_user=request.user, request=request))
        return Response(visit_dict(queries.get_visit_for_user(request.user, v.pk)))


class VisitCloseInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=VisitOutcome.choices)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class VisitCloseView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=VisitCloseInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, visit_id: int) -> Response:
        v = queries.get_visit_for_user(request.user, visit_id)
        data = VisitCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        run_action(
            lambda: actions.do_close_visit(
                v, outcome=d["outcome"], note=d["note"], acting_user=request.user, request=request
            )
        )
        return Response(visit_dict(queries.get_visit_for_user(request.user, v.pk)))


class PharmacyInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    area = serializers.CharField(max_length=32)
    address = serializers.CharField(max_length=255, required=False, default="")


class PharmaciesView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="clinics_pharmacies_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        rows = queries.pharmacies_for(request.user)[:500]
        return Response({"results": [pharmacy_dict(p) for p in rows]})

    @extend_schema(request=PharmacyInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = PharmacyInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        area = _area(v["area"])
        pharmacy = run_action(
            lambda: actions.do_create_pharmacy(
                acting_user=request.user,
                name=v["name"],
                area=area,
                address=v["address"],
                request=request,
            )
        )
        return Response(pharmacy_dict(pharmacy), status=status.HTTP_201_CREATED)


class BuyerReportInput(serializers.Serializer):
    pharmacy = serializers.IntegerField()
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    identity_number = serializers.CharField(
        max_length=32, required=False, default="", allow_blank=True
    )
    medicine = serializers.ChoiceField(choices=Medicine.choices)
    medicine_name = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )
    bought_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    follow_up = serializers.ChoiceField(choices=FollowUp.choices, default=FollowUp.TEST)


class ReportsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="clinics_reports_list",
        parameters=[
            OpenApiParameter("state", str, description="open or overdue (default: every report)")
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        now = timezone.now()
        qs = queries.reports_for(request.user)
        state = request.query_params.get("state", "")
        if state == ReportState.OVERDUE:
            qs = queries.overdue_reports(qs, now)
        elif state == ReportState.OPEN:
            qs = queries.open_reports(qs)
        rows = list(qs[:500])
        if rows:
            audit.record(
                actor=request.user,
                action="clinics.reports.api_view",
                object_type="clinics.buyerreport",
                detail={"persons": [r.person_id for r in rows]},
                request=request,
            )
        return Response({"results": [report_dict(r, now) for r in rows]})

    @extend_schema(request=BuyerReportInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = BuyerReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        pharmacy = queries.get_pharmacy_for_user(request.user, v["pharmacy"])
        report = run_action(
            lambda: actions.do_report_buyer(
                pharmacy,
                actions.Buyer(
                    name=v["name"], phone=v["phone"], identity_number=v["identity_number"]
                ),
                medicine=v["medicine"],
                medicine_name=v["medicine_name"],
                bought_at=v["bought_at"],
                follow_up=v["follow_up"],
                acting_user=request.user,
                request=request,
            )
        )
        return Response(report_dict(report, timezone.now()), status=status.HTTP_201_CREATED)


urlpatterns = [
    path("clinics/", ClinicsView.as_view(), name="clinics-clinics"),
    path("clinics/<int:clinic_id>/", ClinicView.as_view(), name="clinics-clinic"),
    path("clinics/<int:clinic_id>/rooms/", ClinicRoomsView.as_view(), name="clinics-rooms"),
    path("clinics/<int:clinic_id>/staff/", ClinicStaffView.as_view(), name="clinics-staff"),
    path("visits/", VisitsView.as_view(), name="clinics-visits"),
    path("visits/<int:visit_id>/", VisitView.as_view(), name="clinics-visit"),
    path("visits/<int:visit_id>/room/", VisitRoomView.as_view(), name="clinics-visit-room"),
    path("visits/<int:visit_id>/leave/", VisitLeaveView.as_view(), name="clinics-visit-leave"),
    path("visits/<int:visit_id>/close/", VisitCloseView.as_view(), name="clinics-visit-close"),
    path("pharmacies/", PharmaciesView.as_view(), name="clinics-pharmacies"),
    path("reports/", ReportsView.as_view(), name="clinics-reports"),
]
