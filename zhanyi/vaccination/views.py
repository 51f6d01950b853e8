"""Pages of vaccination (疫苗接种).

- ``home``: the figures, coverage by area and by age band against the
  protocol's targets (ECharts), doses by number, the sites, the imports, a new
  site and an import of the immunisation system's export.
- ``record``: the site's phone page: a dose given, the person chosen by name
  or number; a dose recorded twice is refused with the earlier dose.
- ``appointments``: appointments of people and work units, booked and cancelled.
- ``import_detail``: what an import stored and the rows it did not, by line.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core import audit
from zhanyi.core.forms import add_action_errors
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import area_for, figures_for, fresh_requested

from . import actions, queries
from .forms import AppointmentForm, DoseForm, ImportForm, SiteForm
from .models import AppointmentState

FIGURES = [
    "vaccination.doses",
    "vaccination.first_dose",
    "vaccination.fully_vaccinated",
    "vaccination.first_dose_coverage",
    "vaccination.full_course_coverage",
]


def _require_edit(request: HttpRequest) -> None:
    if not has_capability(request.user, "edit_operations"):
        raise PermissionDenied("requires edit_operations")


def chart_data(cov: queries.Coverage) -> dict:
    """What the coverage charts draw: per area and per band, the two rates and targets."""
    return {
        "areas": [a.name for a, _c in cov.by_area],
        "area_first": [c.first_pct for _a, c in cov.by_area],
        "area_full": [c.full_pct for _a, c in cov.by_area],
        "bands": [b.label for b, _c in cov.by_band],
        "band_first": [c.first_pct for _b, c in cov.by_band],
        "band_full": [c.full_pct for _b, c in cov.by_band],
        "first_target": cov.first_target,
        "full_target": cov.full_target,
    }


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    queries.require_view(request.user)
    site_form = SiteForm(
        request.POST if request.POST.get("form") == "site" else None, user=request.user
    )
    import_form = ImportForm(
        request.POST if request.POST.get("form") == "import" else None,
        request.FILES if request.POST.get("form") == "import" else None,
    )
    if request.method == "POST":
        _require_edit(request)
        done = _home_post(request, site_form, import_form)
        if done is not None:
            return done
    cov = queries.coverage(area_for(request.user))
    return render(
        request,
        "vaccination/home.html",
        {
            "figures": figures_for(request.user, FIGURES, fresh=fresh_requested(request)),
            "coverage": cov,
            "rows": [(a, c, cov.shortfall(c)) for a, c in cov.by_area],
            "bands": [(b, c, cov.shortfall(c)) for b, c in cov.by_band],
            "total_shortfall": cov.shortfall(cov.total),
            "chart": chart_data(cov),
            "sites": queries.sites_for(request.user)[:300],
            "imports": queries.imports_for(request.user)[:20],
            "can_edit": has_capability(request.user, "edit_operations"),
            "site_form": site_form,
            "import_form": import_form,
        },
    )


def _home_post(request: HttpRequest, site_form: SiteForm, import_form: ImportForm):
    what = request.POST.get("form")
    if what == "site" and site_form.is_valid():
        d = site_form.cleaned_data
        try:
            site = actions.do_create_site(
                acting_user=request.user,
                name=d["name"],
                area=d["area"],
                kind=d["kind"],
                address=d["address"],
                request=request,
            )
        except ValidationError as error:
            add_action_errors(site_form, error)
            return None
        messages.success(request, _("Site %(site)s created.") % {"site": site.name})
        return redirect("vaccination:home")
    if what == "import" and import_form.is_valid():
        upload = import_form.cleaned_data["file"]
        try:
            run = actions.do_import_doses(
                upload,
                acting_user=request.user,
                filename=upload.name,
                create_unknown=import_form.cleaned_data["create_unknown"],
                request=request,
            )
        except ValidationError as error:
            add_action_errors(import_form, error)
            return None
        return redirect("vaccination:import", import_id=run.pk)
    return None


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def record(request: HttpRequest) -> HttpResponse:
    """The site's phone page (现场登记)."""
    sites = queries.sites_for(request.user).filter(active=True)
    form = DoseForm(request.POST or None, user=request.user, sites=sites)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            d = form.cleaned_data
            try:
                dose = actions.do_record_dose(
                    acting_user=request.user,
                    person=d["person"],
                    vaccine=d["vaccine"],
                    dose_number=d["dose_number"],
                    site=d["site"],
                    batch=d["batch"],
                    request=request,
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Dose %(dose)d of %(vaccine)s recorded for %(name)s.")
                    % {
                        "dose": dose.dose_number,
                        "vaccine": dose.vaccine.name,
                        "name": mask_name(dose.person.name),
                    },
                )
                return redirect("vaccination:record")
    return render(request, "vaccination/record.html", {"form": form})


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def appointments(request: HttpRequest) -> HttpResponse:
    sites = queries.sites_for(request.user).filter(active=True)
    form = AppointmentForm(
        request.POST if request.POST.get("form") == "book" else None,
        user=request.user,
        sites=sites,
    )
    if request.method == "POST":
        _require_edit(request)
        try:
            if request.POST.get("form") == "cancel":
                appointment = queries.get_appointment_for_user(
                    request.user, int(request.POST.get("appointment") or 0)
                )
                actions.do_cancel_appointment(
                    appointment, acting_user=request.user, request=request
                )
                messages.success(request, _("Appointment cancelled."))
                return redirect("vaccination:appointments")
            if form.is_valid():
                d = form.cleaned_data
                actions.do_book_appointment(
                    acting_user=request.user,
                    site=d["site"],
                    slot_at=d["slot_at"],
                    person=d["person"],
                    work_unit=d["work_unit"],
                    headcount=d["headcount"],
                    dose_number=d["dose_number"],
                    request=request,
                )
                messages.success(request, _("Appointment booked."))
                return redirect("vaccination:appointments")
        except ValidationError as error:
            if request.POST.get("form") == "cancel":
                messages.error(request, " ".join(error.messages))
            else:
                add_action_errors(form, error)
    rows = list(queries.appointments_for(request.user).filter(state=AppointmentState.BOOKED)[:300])
    shown = [a.person_id for a in rows if a.person_id]
    if shown:
        audit.record(
            actor=request.user,
            action="vaccination.appointments.view",
            object_type="vaccination.appointments",
            detail={"persons": shown},
            request=request,
        )
    return render(
        request,
        "vaccination/appointments.html",
        {
            "rows": [
                {"a": a, "who": mask_name(a.person.name) if a.person_id else a.work_unit}
                for a in rows
            ],
            "form": form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


@capability_required("view_person")
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    run = queries.get_import_for_user(request.user, import_id)
    return render(request, "vaccination/import.html", {"run": run})
