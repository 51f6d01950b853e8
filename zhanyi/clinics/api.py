"""REST API of fever clinics and pharmacies, at ``/api/v1/clinics/``.

Reading needs ``view_person``, writing ``edit_operations``; every object is
checked against the caller's jurisdiction (outside it: 404). A refusal
answers 400 with the action's messages by field. Names are masked; reading a
visit is audited.
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core import audit
from zhanyi.core.api import ActionView, MaskedNameField
from zhanyi.core.masking import mask_name
from zhanyi.people import queries as people_queries
from zhanyi.places.api import area_by_code

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


class ClinicSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    area = serializers.CharField(source="area.code")

    class Meta:
        model = Clinic
        fields = ["id", "name", "kind", "kind_label", "area", "address"]
        read_only_fields = fields


class ClinicRoomRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="room.pk")
    name = serializers.CharField(source="room.name")
    visit = serializers.IntegerField(source="visit.pk", allow_null=True, default=None)
    name_in_room = serializers.SerializerMethodField()

    def get_name_in_room(self, r) -> str:
        return mask_name(r.visit.person.name) if r.visit else ""


class ClinicWaitingSerializer(serializers.Serializer):
    visit = serializers.IntegerField(source="pk")
    name = MaskedNameField(source="person.name")


class ClinicBoardSerializer(ClinicSerializer):
    """A clinic with its rooms, the patient in each (masked), and who waits."""

    rooms = serializers.SerializerMethodField()
    waiting = serializers.SerializerMethodField()

    class Meta(ClinicSerializer.Meta):
        fields = [*ClinicSerializer.Meta.fields, "rooms", "waiting"]
        read_only_fields = fields

    @extend_schema_field(ClinicRoomRowSerializer(many=True))
    def get_rooms(self, c: Clinic):
        return ClinicRoomRowSerializer(queries.room_board(c), many=True).data

    @extend_schema_field(ClinicWaitingSerializer(many=True))
    def get_waiting(self, c: Clinic):
        return ClinicWaitingSerializer(queries.waiting(c)[:100], many=True).data


class ClinicVisitSerializer(serializers.ModelSerializer):
    name = MaskedNameField(source="person.name")
    temperature = serializers.CharField(allow_null=True)
    triage_label = serializers.CharField(source="get_triage_display")
    triage_reasons_label = serializers.CharField(source="reasons_display")
    room = serializers.SerializerMethodField()
    test_status = serializers.CharField(source="test_handoff.status", allow_null=True)
    outcome = serializers.SerializerMethodField()
    referral_status = serializers.CharField(source="referral_handoff.status", allow_null=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "clinic",
            "person",
            "name",
            "arrived_at",
            "temperature",
            "code_colour",
            "triage",
            "triage_label",
            "triage_reasons",
            "triage_reasons_label",
            "room",
            "test_status",
            "outcome",
            "referral_status",
            "closed_at",
        ]
        read_only_fields = fields

    def get_room(self, v: Visit) -> str | None:
        return v.room.name if v.in_room and v.room else None

    def get_outcome(self, v: Visit) -> str | None:
        return v.outcome or None


class ClinicStaffSerializer(serializers.ModelSerializer):
    name = MaskedNameField(source="person.name")
    test_status = serializers.CharField(source="test_handoff.status", allow_null=True)
    next_test_due_at = serializers.SerializerMethodField()

    class Meta:
        model = ClinicStaff
        fields = [
            "id",
            "clinic",
            "person",
            "name",
            "role",
            "started_at",
            "ended_at",
            "test_status",
            "next_test_due_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_test_due_at(self, s: ClinicStaff):
        h = s.test_handoff
        due = h.due_at if h and h.status == "open" else None
        return serializers.DateTimeField().to_representation(due) if due else None


class PharmacySerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")

    class Meta:
        model = Pharmacy
        fields = ["id", "name", "area", "address"]
        read_only_fields = fields


class BuyerReportSerializer(serializers.ModelSerializer):
    """A buyer's report; its state as of ``context["now"]`` (now when not given)."""

    pharmacy = serializers.CharField(source="pharmacy.name")
    name = MaskedNameField(source="person.name")
    area = serializers.CharField(source="area.code")
    due_at = serializers.DateTimeField(source="handoff.due_at", allow_null=True)
    state = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()
    outcome = serializers.CharField(source="handoff.outcome", default="")

    class Meta:
        model = BuyerReport
        fields = [
            "id",
            "pharmacy",
            "person",
            "name",
            "medicine",
            "bought_at",
            "linked_by",
            "warnings",
            "area",
            "follow_up",
            "due_at",
            "state",
            "state_label",
            "outcome",
        ]
        read_only_fields = fields

    def _now(self):
        return self.context.get("now") or timezone.now()

    def get_state(self, r: BuyerReport) -> str:
        return r.state(self._now())

    def get_state_label(self, r: BuyerReport) -> str:
        return str(r.state_label(self._now()))


class ClinicInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ClinicKind.choices)
    area = serializers.CharField(max_length=32)
    address = serializers.CharField(max_length=255, required=False, default="")
    rooms = serializers.IntegerField(min_value=0, max_value=200, default=0)


class ClinicsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = ClinicInput
    output = ClinicSerializer

    @extend_schema(
        operation_id="clinics_list",
        responses=inline_serializer("ClinicList", {"results": ClinicSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        rows = queries.clinics_for(request.user)[:500]
        return Response({"results": ClinicSerializer(rows, many=True).data})

    def perform(self, request: Request, target, data: dict) -> Clinic:
        area = area_by_code(data.pop("area"))
        return actions.do_create_clinic(
            acting_user=request.user, area=area, request=request, **data
        )


class ClinicView(APIView):
    """A clinic, its rooms with the patient in each (masked) and who waits."""

    permission_classes = PERMISSIONS

    @extend_schema(operation_id="clinics_clinic", responses=ClinicBoardSerializer)
    def get(self, request: Request, clinic_id: int) -> Response:
        c = queries.get_clinic_for_user(request.user, clinic_id)
        return Response(ClinicBoardSerializer(c).data)


class ClinicActionView(ActionView):
    """A POST on one clinic of the caller's jurisdiction (another county: 404)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    def get_target(self, request: Request, clinic_id: int) -> Clinic:
        return queries.get_clinic_for_user(request.user, clinic_id)


class ClinicRoomsInput(serializers.Serializer):
    names = serializers.ListField(child=serializers.CharField(max_length=50), min_length=1)


class ClinicRoomSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClinicRoomsAddedSerializer(serializers.Serializer):
    rooms = ClinicRoomSerializer(many=True, source="*")


class ClinicRoomsView(ClinicActionView):
    input = ClinicRoomsInput
    output = ClinicRoomsAddedSerializer
    do = actions.do_add_rooms


class ClinicStaffInput(serializers.Serializer):
    person = serializers.IntegerField()
    role = serializers.ChoiceField(choices=StaffRole.choices)


class ClinicStaffView(ClinicActionView):
    input = ClinicStaffInput
    output = ClinicStaffSerializer

    @extend_schema(
        operation_id="clinics_staff_list",
        responses=inline_serializer(
            "ClinicStaffList", {"results": ClinicStaffSerializer(many=True)}
        ),
    )
    def get(self, request: Request, clinic_id: int) -> Response:
        c = queries.get_clinic_for_user(request.user, clinic_id)
        rows = c.staff.filter(ended_at=None).select_related("person", "test_handoff")
        return Response({"results": ClinicStaffSerializer(rows, many=True).data})

    def perform(self, request: Request, c: Clinic, data: dict) -> ClinicStaff:
        person = people_queries.get_person_for_user(request, data.pop("person"))
        return actions.do_add_staff(c, person, acting_user=request.user, request=request, **data)


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


class VisitsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = ClinicVisitInput
    output = ClinicVisitSerializer

    @extend_schema(
        operation_id="clinics_visits_list",
        parameters=[OpenApiParameter("open", bool, description="only visits not ended")],
        responses=inline_serializer(
            "ClinicVisitList", {"results": ClinicVisitSerializer(many=True)}
        ),
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
        return Response({"results": ClinicVisitSerializer(rows, many=True).data})

    def perform(self, request: Request, target, data: dict) -> Visit:
        c = queries.get_clinic_for_user(request.user, data.pop("clinic"))
        person = people_queries.get_person_for_user(request, data.pop("person"))
        room = data.pop("room")
        room = queries.get_room_for_user(request.user, room) if room else None
        return actions.do_register_visit(
            c, person, acting_user=request.user, room=room, request=request, **data
        )


class VisitView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="clinics_visit", responses=ClinicVisitSerializer)
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
        return Response(ClinicVisitSerializer(v).data)


class VisitActionView(ActionView):
    """A POST on one visit of the caller's jurisdiction (another county: 404),
    answered with the visit as it stands after the action."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    output = ClinicVisitSerializer
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, visit_id: int) -> Visit:
        return queries.get_visit_for_user(request.user, visit_id)

    def perform(self, request: Request, visit: Visit, data: dict) -> Visit:
        super().perform(request, visit, data)
        return queries.get_visit_for_user(request.user, visit.pk)


class VisitRoomInput(serializers.Serializer):
    room = serializers.IntegerField()


class VisitRoomView(VisitActionView):
    input = VisitRoomInput
    do = actions.do_assign_room

    def perform(self, request: Request, visit: Visit, data: dict) -> Visit:
        data["room"] = queries.get_room_for_user(request.user, data["room"])
        return super().perform(request, visit, data)


class VisitLeaveView(VisitActionView):
    input = None
    do = actions.do_leave_room


class VisitCloseInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=VisitOutcome.choices)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class VisitCloseView(VisitActionView):
    input = VisitCloseInput
    do = actions.do_close_visit


class PharmacyInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    area = serializers.CharField(max_length=32)
    address = serializers.CharField(max_length=255, required=False, default="")


class PharmaciesView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = PharmacyInput
    output = PharmacySerializer

    @extend_schema(
        operation_id="clinics_pharmacies_list",
        responses=inline_serializer("PharmacyList", {"results": PharmacySerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        rows = queries.pharmacies_for(request.user)[:500]
        return Response({"results": PharmacySerializer(rows, many=True).data})

    def perform(self, request: Request, target, data: dict) -> Pharmacy:
        area = area_by_code(data.pop("area"))
        return actions.do_create_pharmacy(
            acting_user=request.user, area=area, request=request, **data
        )


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


class ReportsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = BuyerReportInput
    output = BuyerReportSerializer

    @extend_schema(
        operation_id="clinics_reports_list",
        parameters=[
            OpenApiParameter("state", str, description="open or overdue (default: every report)")
        ],
        responses=inline_serializer(
            "BuyerReportList", {"results": BuyerReportSerializer(many=True)}
        ),
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
        return Response(
            {"results": BuyerReportSerializer(rows, many=True, context={"now": now}).data}
        )

    def perform(self, request: Request, target, data: dict) -> BuyerReport:
        pharmacy = queries.get_pharmacy_for_user(request.user, data.pop("pharmacy"))
        buyer = actions.Buyer(
            name=data.pop("name"),
            phone=data.pop("phone"),
            identity_number=data.pop("identity_number"),
        )
        return actions.do_report_buyer(
            pharmacy, buyer, acting_user=request.user, request=request, **data
        )


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
