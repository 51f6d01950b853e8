"""REST API of vaccination (疫苗接种), at ``/api/v1/vaccination/``.

Reading needs ``view_person``, writing ``edit_operations``; every object is
checked against the caller's jurisdiction (outside it: 404). A refusal
answers 400 with the action's messages by field.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core import audit, jurisdiction
from zhanyi.core.api import run_action
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import area_for
from zhanyi.people import queries as people_queries
from zhanyi.places.models import Area

from . import actions, queries
from .models import Appointment, Dose, DoseImport, Site, SiteKind, Vaccine

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def site_dict(s: Site) -> dict:
    return {
        "id": s.pk,
        "name": s.name,
        "area": s.area.code,
        "kind": s.kind,
        "kind_label": s.get_kind_display(),
        "active": s.active,
    }


def dose_dict(d: Dose) -> dict:
    return {
        "id": d.pk,
        "person": d.person_id,
        "vaccine": d.vaccine.code,
        "dose_number": d.dose_number,
        "batch": d.batch,
        "site": d.site.name if d.site_id and d.site else d.site_name,
        "given_at": d.given_at,
        "completes_course": d.completes_course,
        "source": d.source,
    }


def import_dict(r: DoseImport) -> dict:
    return {
        "id": r.pk,
        "filename": r.filename,
        "rows": r.rows,
        "stored": r.stored,
        "duplicates": r.duplicates,
        "unknown_persons": r.unknown_persons,
        "created_persons": r.created_persons,
        "refused": r.refused,
        "problems": r.problems,
        "seconds": r.seconds,
    }


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
    area = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=SiteKind.choices)
    address = serializers.CharField(max_length=255, required=False, default="")


class SitesView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="vaccination_sites_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response({"results": [site_dict(s) for s in queries.sites_for(request.user)[:500]]})

    @extend_schema(request=VaccinationSiteInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = VaccinationSiteInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        area = Area.objects.filter(code=v["area"]).first()
        if area is None:
            raise serializers.ValidationError({"area": ["no such area"]})
        site = run_action(
            lambda: actions.do_create_site(
                acting_user=request.user,
                name=v["name"],
                area=area,
                kind=v["kind"],
                address=v["address"],
                request=request,
            )
        )
        return Response(site_dict(site), status=status.HTTP_201_CREATED)


class VaccinationDoseInput(serializers.Serializer):
    person = serializers.IntegerField()
    vaccine = serializers.CharField(max_length=32)
    dose_number = serializers.IntegerField(min_value=1, max_value=9)
    site = serializers.IntegerField()
    batch = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    given_at = serializers.DateTimeField(required=False)


class DosesView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="vaccination_doses_of_person",
        parameters=[OpenApiParameter("person", int, required=True)],
        responses=OpenApiTypes.OBJECT,
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
        return Response({"person": person.pk, "results": [dose_dict(d) for d in doses]})

    @extend_schema(request=VaccinationDoseInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = VaccinationDoseInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = people_queries.get_person_for_user(request, v["person"])
        site = queries.get_site_for_user(request.user, v["site"])
        vaccine = Vaccine.objects.filter(code=v["vaccine"].strip().lower()).first()
        if vaccine is None:
            raise serializers.ValidationError({"vaccine": ["no such vaccine"]})
        dose = run_action(
            lambda: actions.do_record_dose(
                acting_user=request.user,
                person=person,
                vaccine=vaccine,
                dose_number=v["dose_number"],
                site=site,
                batch=v["batch"],
                given_at=v.get("given_at"),
                request=request,
            )
        )
        return Response(dose_dict(dose), status=status.HTTP_201_CREATED)


class VaccinationAppointmentInput(serializers.Serializer):
    site = serializers.IntegerField()
    slot_at = serializers.DateTimeField()
    person = serializers.IntegerField(required=False)
    work_unit = serializers.CharField(max_length=200, required=False, default="")
    headcount = serializers.IntegerField(min_value=1, default=1)
    dose_number = serializers.IntegerField(min_value=1, max_value=9, default=1)


def appointment_dict(a: Appointment) -> dict:
    return {
        "id": a.pk,
        "site": a.site_id,
        "person": a.person_id,
        "name": mask_name(a.person.name) if a.person_id else "",
        "work_unit": a.work_unit,
        "headcount": a.headcount,
        "dose_number": a.dose_number,
        "slot_at": a.slot_at,
        "state": a.state,
    }


class AppointmentsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="vaccination_appointments_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        rows = list(queries.appointments_for(request.user)[:500])
        return Response({"results": [appointment_dict(a) for a in rows]})

    @extend_schema(request=VaccinationAppointmentInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = VaccinationAppointmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        site = queries.get_site_for_user(request.user, v["site"])
        person = (
            people_queries.get_person_for_user(request, v["person"]) if v.get("person") else None
        )
        appointment = run_action(
            lambda: actions.do_book_appointment(
                acting_user=request.user,
                site=site,
                slot_at=v["slot_at"],
                person=person,
                work_unit=v["work_unit"],
                headcount=v["headcount"],
                dose_number=v["dose_number"],
                request=request,
            )
        )
        return Response(appointment_dict(appointment), status=status.HTTP_201_CREATED)


class ImportsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="vaccination_imports_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        rows = queries.imports_for(request.user)[:100]
        return Response({"results": [import_dict(r) for r in rows]})

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "create_unknown": {"type": "boolean"},
                },
            }
        },
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": ["a file is needed"]})
        create = str(request.data.get("create_unknown", "")).lower() in ("1", "true", "yes")
        run = run_action(
            lambda: actions.do_import_doses(
                upload,
                acting_user=request.user,
                filename=upload.name,
                create_unknown=create,
                request=request,
            )
        )
        return Response(import_dict(run), status=status.HTTP_201_CREATED)


class ImportView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="vaccination_import", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, import_id: int) -> Response:
        return Response(import_dict(queries.get_import_for_user(request.user, import_id)))


urlpatterns = [
    path("coverage/", CoverageView.as_view(), name="vaccination-coverage"),
    path("sites/", SitesView.as_view(), name="vaccination-sites"),
    path("doses/", DosesView.as_view(), name="vaccination-doses"),
    path("appointments/", AppointmentsView.as_view(), name="vaccination-appointments"),
    path("imports/", ImportsView.as_view(), name="vaccination-imports"),
    path("imports/<int:import_id>/", ImportView.as_view(), name="vaccination-import"),
]
