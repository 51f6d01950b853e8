"""The hospital care pages (定点医院救治): the desk (hospitals and beds, the
cases in hospital by condition, the monitoring after discharge, alerts) and a
patient's page (condition over time, ward rounds, tests, the discharge
criteria one by one, transfer, discharge, daily check-ins), phone-sized.

Reading needs ``view_person`` and a jurisdiction; a patient's page is an
audited read. Hospitals and wards need ``edit_operations``, a patient's record
``edit_person``. Every write is an action.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core.forms import add_action_errors
from zhanyi.core.metrics import figures_for, fresh_requested

from . import actions, queries
from .forms import (
    AdmitForm,
    CheckInForm,
    CloseAlertForm,
    ConditionForm,
    DischargeForm,
    HospitalForm,
    ObservationForm,
    TestForm,
    TransferForm,
    WardForm,
)
from .models import Condition

FIGURES = [
    "care.in_hospital",
    "care.severe_or_critical",
    "care.admitted_today",
    "care.discharged",
    "care.monitoring",
    "care.alerts_open",
]


def _refusal(request, form, error: ValidationError) -> None:
    if form is not None:
        add_action_errors(form, error)
    messages.error(request, " ".join(str(m) for m in error.messages))


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    what = request.POST.get("form")
    hospitals = queries.hospitals_for(user)
    wards = queries.wards_for(user)
    forms = {
        "hospital": HospitalForm(request.POST if what == "hospital" else None, user=user),
        "ward": WardForm(request.POST if what == "ward" else None, hospitals=hospitals),
        "admit": AdmitForm(request.POST if what == "admit" else None, user=user, wards=wards),
    }
    if request.method == "POST":
        needed = "edit_person" if what == "admit" else "edit_operations"
        if not has_capability(user, needed):
            raise PermissionDenied(f"requires {needed}")
        form = forms.get(what)
        if form is not None and form.is_valid():
            v = form.cleaned_data
            try:
                if what == "hospital":
                    actions.do_create_hospital(
                        acting_user=user,
                        name=v["name"],
                        area=v["area"],
                        designated=v["designated"],
                        request=request,
                    )
                elif what == "ward":
                    actions.do_add_ward(
                        v["hospital"],
                        acting_user=user,
                        name=v["name"],
                        beds=v["beds"],
                        request=request,
                    )
                else:
                    admission = actions.do_admit(
                        v["person"],
                        v["ward"],
                        condition=v["condition"],
                        admitted_at=v["admitted_at"],
                        acting_user=user,
                        request=request,
                    )
                    messages.success(request, _("Admitted."))
                    return redirect("care:admission", admission_id=admission.pk)
                return redirect("care:home")
            except ValidationError as error:
                _refusal(request, form, error)
            except PermissionDenied:
                messages.error(request, _("That is outside your jurisdiction."))
    in_hospital = queries.admissions_for(user).filter(discharged_at=None)
    by_condition = dict(in_hospital.values_list("condition").annotate(n=Count("id")))
    return render(
        request,
        "care/home.html",
        {
            "figures": figures_for(user, FIGURES, fresh=fresh_requested(request)),
            "by_condition": [(label, by_condition.get(key, 0)) for key, label in Condition.choices],
            "wards": wards,
            "patients": in_hospital.order_by("hospital__name", "ward__name", "admitted_at")[:300],
            "referrals": queries.referrals_for(user)[:200],
            "now": timezone.now(),
            "monitoring": queries.monitoring_for(user),
            "alerts": queries.alerts_for(user)[:100],
            "can_edit": has_capability(user, "edit_operations"),
            "can_treat": has_capability(user, "edit_person"),
            "forms": forms,
        },
    )


def _admission_forms(request, what, wards) -> dict:
    post = request.POST
    return {
        "condition": ConditionForm(post if what == "condition" else None),
        "observation": ObservationForm(post if what == "observation" else None),
        "test": TestForm(post if what == "test" else None),
        "transfer": TransferForm(post if what == "transfer" else None, wards=wards),
        "discharge": DischargeForm(post if what == "discharge" else None),
        "check_in": CheckInForm(post if what == "check_in" else None),
        "close_alert": CloseAlertForm(post if what == "close_alert" else None),
    }


def _act(request, admission, what: str, v: dict) -> str:
    """Run the posted form's action; the message to show."""
    user = request.user
    if what == "condition":
        actions.do_record_condition(
            admission, v["condition"], acting_user=user, at=v["at"], note=v["note"], request=request
        )
        return _("Condition recorded.")
    if what == "observation":
        actions.do_record_observation(
            admission,
            acting_user=user,
            at=v["at"],
            temperature=v["temperature"],
            respiratory=v["respiratory"],
            imaging=v["imaging"],
            request=request,
        )
        return _("Observation recorded.")
    if what == "test":
        actions.do_record_test(
            admission,
            acting_user=user,
            result=v["result"],
            sample=v["sample"],
            sampled_at=v["sampled_at"],
            ct_orf1ab=v["ct_orf1ab"],
            ct_n=v["ct_n"],
            request=request,
        )
        return _("Test recorded.")
    if what == "transfer":
        actions.do_transfer(
            admission,
            v["to_ward"],
            acting_user=user,
            reason=v["reason"],
            at=v["at"],
            request=request,
        )
        return _("Transferred.")
    if what == "discharge":
        actions.do_discharge(admission, acting_user=user, at=v["at"], request=request)
        return _("Discharged; the health monitoring after discharge begins.")
    if what == "check_in":
        actions.do_check_in(
            admission,
            acting_user=user,
            temperature=v["temperature"],
            symptoms=v["symptoms"],
            note=v["note"],
            at=v["at"],
            request=request,
        )
        return _("Check-in recorded.")
    alert = queries.get_alert_for_user(user, v["alert"])
    if alert.admission_id != admission.pk:
        raise PermissionDenied("alert of another admission")
    actions.do_close_alert(alert, acting_user=user, outcome=v["outcome"], request=request)
    return _("Alert closed.")


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def admission(request: HttpRequest, admission_id: int) -> HttpResponse:
    user = request.user
    stay = queries.get_admission_for_user(request, admission_id)
    what = request.POST.get("form", "")
    wards = queries.wards_for(user)
    forms = _admission_forms(request, what, wards)
    if request.method == "POST":
        if not has_capability(user, "edit_person"):
            raise PermissionDenied("requires edit_person")
        form = forms.get(what)
        if form is not None and form.is_valid():
            try:
                messages.success(request, _act(request, stay, what, form.cleaned_data))
                return redirect("care:admission", admission_id=stay.pk)
            except ValidationError as error:
                _refusal(request, form, error)
            except PermissionDenied:
                messages.error(request, _("That is outside your jurisdiction."))
        stay.refresh_from_db()
    queries.record_view(request, stay)
    return render(
        request,
        "care/admission.html",
        {
            "stay": stay,
            "criteria": queries.criteria(stay) if stay.in_hospital else [],
            "conditions": stay.conditions.all(),
            "observations": stay.observations.all(),
            "tests": stay.tests.all(),
            "transfers": stay.transfers.select_related("from_ward__hospital", "to_ward__hospital"),
            "check_ins": stay.check_ins.all(),
            "alerts": stay.alerts.all(),
            "can_treat": has_capability(user, "edit_person"),
            "forms": forms,
        },
    )
