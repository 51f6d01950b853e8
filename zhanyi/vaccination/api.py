"""REST API of vaccination (疫苗接种), at ``/api/v1/vaccination/``.

Reading needs ``view_person``, writing ``edit_operations``; every object is
checked against the caller's jurisdiction (outside it: 404). A refusal
answers 400 with the action's messages by field.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core import audit, jurisdiction
from zhanyi.core.api import ActionView, InJurisdictionField
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import area_for
from zhanyi.people import queries as people_queries
from zhanyi.people.models import Person
from zhanyi.places.api import AreaCodeField
from zhanyi.places.models import Area

from . import actions, queries
from .models import Appointment, Dose, DoseImport, Site, SiteKind, Vaccine

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def _person(request: Request, pk: int) -> Person:
    return people_queries.get_person_for_user(request, pk)


def _site(request: Request, pk: int) -> Site:
    return queries.get_site_for_user(request.user, pk)


class VaccinationSiteSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Site
        fields = ["id", "name", "area", "kind", "kind_label", "active"]
        read_only_fields = fields


class VaccinationDoseSerializer(serializers.ModelSerializer):
    vaccine = serializers.CharField(source="vaccine.code")
    site = serializers.SerializerMethodField()
    source = serializers.CharField()

    class Meta:
        model = Dose
        fields = ["id", "person", "vaccine", "dose_number", "batch", "site", "given_at"]
        fields += ["completes_course", "source"]
        read_only_fields = fields

    def get_site(self, dose: Dose) -> str:
        return dose.site.name if dose.site_id and dose.site else dose.site_name


class VaccinationImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = DoseImport
        fields = ["id", "filename", "rows", "stored", "duplicates", "unknown_persons"]
        fields += ["created_persons", "refused", "problems", "seconds"]
        read_only_fields = fields


class VaccinationAppointmentSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = ["id", "site", "person", "name", "work_unit", "headcount", "dose_number"]
        fields += ["slot_at", "state"]
        read_only_fields = fields

    def get_name(self, appointment: Appointment) -> str:
        return mask_name(appointment.person.name) if appointment.person_id else ""


def _area_param(request: Request) -> Area | None:
    code = request.query_params.get("area")
    if not code:
        return area_for(request.user)
    area = Area.objects.filter(code=code).first()
    if area is None or not jurisdiction.can_see_area(request.user, area):
        raise serializers.ValidationError({"area": ["no such area in your jurisdiction"]})
    return area


class CoverageView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="vaccination_coverage",
        parameters=[OpenApiParameter("area", str, description="area code (default: yours)")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        cov = queries.coverage(_area_param(request))

        def counts(c) -> dict:
            short = cov.shortfall(c)
            return {
                "people": c.people,
                "first_dose": c.first_dose,
                "full_course": c.full_course,
                "doses": c.doses,
                "first_dose_pct": c.first_pct,
                "full_course_pct": c.full_pct,
                "first_dose_shortfall": short[0],
                "full_course_shortfall": short[1],
            }

        return Response(
            {
                "area": cov.area.code if cov.area else None,
                "day": cov.day,
                "people_counted_at": cov.people_counted_at,
                "targets": {"first_dose_pct": cov.first_target, "full_course_pct": cov.full_target},
                "total": counts(cov.total),
                "by_area": [{"area": a.code, "name": a.name} | counts(c) for a, c in cov.by_area],
                "by_age": [
                    {"low": b.low, "high": b.high, "label": b.label} | counts(c)
                    for b, c in cov.by_band
                ],
                "by_dose": [{"dose_number": n, "doses": k} for n, k in cov.by_dose],
            }
        )


class VaccinationSiteInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    area = AreaCodeField()
    kind = serializers.ChoiceField(choices=SiteKind.choices)
    address = serializers.CharField(max_length=255, required=False, default="")


class SitesView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = VaccinationSiteInput
    output = VaccinationSiteSerializer
    do = actions.do_create_site

    @extend_schema(
        operation_id="vaccination_sites_list",
        responses=inline_serializer(
            "VaccinationSiteList", {"results": VaccinationSiteSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        sites = queries.sites_for(request.user)[:500]
        return Response({"results": VaccinationSiteSerializer(sites, many=True).data})


class VaccineField(serializers.CharField):
    """A vaccine the body names by its code (a 400 on the field when none has it)."""

    def run_validation(self, data=empty):
        code = super().run_validation(data)
        vaccine = Vaccine.objects.filter(code=code.strip().lower()).first()
        if vaccine is None:
            raise serializers.ValidationError(_("no such vaccine"))
        return vaccine


class VaccinationDoseInput(serializers.Serializer):
    person = InJurisdictionField(_person)
    vaccine = VaccineField(max_length=32)
    dose_number = serializers.IntegerField(min_value=1, max_value=9)
    site = InJurisdictionField(_site)
    batch = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    given_at = serializers.DateTimeField(required=False)


class DosesView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = VaccinationDoseInput
    output = VaccinationDoseSerializer
    do = actions.do_record_dose

    @extend_schema(
        operation_id="vaccination_doses_of_person",
        parameters=[OpenApiParameter("person", int, required=True)],
        responses=inline_serializer(
            "VaccinationDosesOfPerson",
            {
                "person": serializers.IntegerField(),
                "results": VaccinationDoseSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        try:
            person_id = int(request.query_params.get("person", ""))
        except ValueError:
            raise serializers.ValidationError({"person": ["a person id"]}) from None
        person = people_queries.get_person_for_user(request, person_id)
        doses = queries.doses_of(request.user, person)
        audit.record(
            actor=request.user,
            action="vaccination.doses.api_view",
            obj=person,
            area=person.village,
            detail={"person": person.pk, "doses": len(doses)},
            request=request,
        )
        return Response(
            {"person": person.pk, "results": VaccinationDoseSerializer(doses, many=True).data}
        )


class VaccinationAppointmentInput(serializers.Serializer):
    site = InJurisdictionField(_site)
    slot_at = serializers.DateTimeField()
    person = InJurisdictionField(_person, required=False)
    work_unit = serializers.CharField(max_length=200, required=False, default="")
    headcount = serializers.IntegerField(min_value=1, default=1)
    dose_number = serializers.IntegerField(min_value=1, max_value=9, default=1)


class AppointmentsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = VaccinationAppointmentInput
    output = VaccinationAppointmentSerializer
    do = actions.do_book_appointment

    @extend_schema(
        operation_id="vaccination_appointments_list",
        responses=inline_serializer(
            "VaccinationAppointmentList", {"results": VaccinationAppointmentSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        rows = list(queries.appointments_for(request.user)[:500])
        return Response({"results": VaccinationAppointmentSerializer(rows, many=True).data})


class VaccinationImportInput(serializers.Serializer):
    file = serializers.FileField(error_messages={"required": _("a file is needed")})
    create_unknown = serializers.CharField(
        required=False, default="", help_text="1, true or yes: add the persons not in the index"
    )


class ImportsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser]
    input = VaccinationImportInput
    output = VaccinationImportSerializer

    @extend_schema(
        operation_id="vaccination_imports_list",
        responses=inline_serializer(
            "VaccinationImportList", {"results": VaccinationImportSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        rows = queries.imports_for(request.user)[:100]
        return Response({"results": VaccinationImportSerializer(rows, many=True).data})

    def perform(self, request: Request, target, data: dict) -> DoseImport:
        upload = data["file"]
        return actions.do_import_doses(
            upload,
            acting_user=request.user,
            filename=upload.name,
            create_unknown=data["create_unknown"].lower() in ("1", "true", "yes"),
            request=request,
        )


class ImportView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="vaccination_import", responses=VaccinationImportSerializer)
    def get(self, request: Request, import_id: int) -> Response:
        run = queries.get_import_for_user(request.user, import_id)
        return Response(VaccinationImportSerializer(run).data)


urlpatterns = [
    path("coverage/", CoverageView.as_view(), name="vaccination-coverage"),
    path("sites/", SitesView.as_view(), name="vaccination-sites"),
    path("doses/", DosesView.as_view(), name="vaccination-doses"),
    path("appointments/", AppointmentsView.as_view(), name="vaccination-appointments"),
    path("imports/", ImportsView.as_view(), name="vaccination-imports"),
    path("imports/<int:import_id>/", ImportView.as_view(), name="vaccination-import"),
]
