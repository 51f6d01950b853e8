"""Pages of supply assurance (保供专班).

- ``home``: the figures, the supply network by kind, staple goods and their
  reference prices, the prices over the tolerance; a facility added, a
  reference price set.
- ``facility_detail``: a store's price checks and the sealed homes' orders it
  takes (accept, decline, at the gate).
- ``orders`` / ``order_detail``: the orders of the jurisdiction, each step's
  state, time and who; a sealed home's order link issued.
- ``deliveries``: the volunteer's phone page (390 px): orders at the gate to
  take, orders carried, delivered at the door.
- ``care_list`` / ``care_detail``: the special-care list per village, follow-ups.

Every view checks a capability and reads through ``queries``; every write is an action.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhanyi.accounts.models import User
from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core import audit
from zhanyi.core.forms import add_action_errors
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import figures_for, fresh_requested

from . import actions, queries
from .forms import (
    CareForm,
    DeclineForm,
    FacilityForm,
    FollowUpForm,
    HandOverForm,
    LinkForm,
    PriceCheckForm,
    ReferencePriceForm,
)
from .models import FacilityKind, OrderState

FIGURES = [
    "livelihood.affordable_stores",
    "livelihood.processing_centres",
    "livelihood.storage_centres",
    "livelihood.distribution_centres",
    "livelihood.outlets",
    "livelihood.price_flags",
    "livelihood.orders_open",
    "livelihood.orders_delivered",
    "livelihood.delivery_hours",
    "livelihood.care_open",
    "livelihood.care_overdue",
]


def _require_edit(request: HttpRequest) -> None:
    if not has_capability(request.user, "edit_operations"):
        raise PermissionDenied("requires edit_operations")


def _form_of(request: HttpRequest, name: str, form_class, **kwargs):
    return form_class(request.POST if request.POST.get("form") == name else None, **kwargs)


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    facility_form = _form_of(request, "facility", FacilityForm, user=request.user)
    price_form = _form_of(request, "reference", ReferencePriceForm)
    if request.method == "POST":
        what = request.POST.get("form")
        try:
            if what == "facility":
                _require_edit(request)
                if facility_form.is_valid():
                    facility = actions.do_add_facility(
                        acting_user=request.user, request=request, **facility_form.cleaned_data
                    )
                    return redirect("livelihood:facility", facility_id=facility.pk)
            elif what == "reference" and price_form.is_valid():
                actions.do_set_reference_price(
                    acting_user=request.user, request=request, **price_form.cleaned_data
                )
                messages.success(request, _("Reference price set."))
                return redirect("livelihood:home")
        except ValidationError as error:
            add_action_errors(facility_form if what == "facility" else price_form, error)
    kind = request.GET.get("kind", "")
    facilities = queries.facilities_for(request.user)
    if kind in FacilityKind.values:
        facilities = facilities.filter(kind=kind)
    return render(
        request,
        "livelihood/home.html",
        {
            "figures": figures_for(request.user, FIGURES, fresh=fresh_requested(request)),
            "counts": queries.facility_counts(request.user),
            "facilities": facilities[:200],
            "kinds": FacilityKind.choices,
            "kind": kind,
            "goods": queries.goods(),
            "flagged": queries.price_checks_for(request.user).filter(flagged=True)[:50],
            "can_edit": has_capability(request.user, "edit_operations"),
            "can_approve": has_capability(request.user, "approve"),
            "facility_form": facility_form,
            "price_form": price_form,
        },
    )


def _order_rows(request: HttpRequest, orders, what: str) -> list[dict]:
    """Orders as shown (the address of a home is personal: the read is audited)."""
    rows = [{"o": o, "address": o.household.address} for o in orders]
    if rows:
        audit.record(
            actor=request.user,
            action=f"livelihood.{what}.view",
            object_type="livelihood.order",
            detail={"orders": [r["o"].pk for r in rows]},
            request=request,
        )
    return rows


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def facility_detail(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = queries.get_facility_for_user(request.user, facility_id)
    check_form = _form_of(request, "check", PriceCheckForm)
    if request.method == "POST":
        _require_edit(request)
        try:
            if check_form.is_valid():
                check = actions.do_record_price_check(
                    facility,
                    check_form.cleaned_data["good"],
                    price=check_form.cleaned_data["price"],
                    acting_user=request.user,
                    request=request,
                )
                if check.flagged:
                    messages.warning(
                        request,
                        _("%(good)s at %(price)s is %(deviation)s%% from the reference price.")
                        % {
                            "good": check.good.name,
                            "price": check.price,
                            "deviation": check.deviation_percent,
                        },
                    )
                return redirect("livelihood:facility", facility_id=facility.pk)
        except ValidationError as error:
            add_action_errors(check_form, error)
    orders = queries.orders_for(request.user).filter(
        facility=facility, state__in=[OrderState.PLACED, OrderState.ACCEPTED]
    )
    return render(
        request,
        "livelihood/facility.html",
        {
            "facility": facility,
            "checks": facility.price_checks.select_related("good")[:100],
            "orders": _order_rows(request, orders[:200], "store_orders"),
            "check_form": check_form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def orders(request: HttpRequest) -> HttpResponse:
    link_form = _form_of(request, "link", LinkForm, user=request.user)
    link = None
    if request.method == "POST":
        _require_edit(request)
        if link_form.is_valid():
            person = link_form.cleaned_data["person"]
            if person.household is None:
                link_form.add_error(
                    "person", _("%(name)s has no household.") % {"name": person.name}
                )
            else:
                try:
                    link = actions.do_issue_home_link(
                        person.household,
                        gate=link_form.cleaned_data["gate"],
                        acting_user=request.user,
                        request=request,
                    )
                except ValidationError as error:
                    add_action_errors(link_form, error)
    state = request.GET.get("state", "")
    shown = queries.orders_for(request.user)
    if state in OrderState.values:
        shown = shown.filter(state=state)
    return render(
        request,
        "livelihood/orders.html",
        {
            "orders": _order_rows(request, shown[:200], "orders"),
            "states": OrderState.choices,
            "state": state,
            "link": link,
            "link_url": request.build_absolute_uri(
                reverse("livelihood:home-order", args=[link.token])
            )
            if link
            else "",
            "link_form": link_form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


def _advance(request: HttpRequest, order) -> None:
    """One step of an order from a posted button (the store, the gate, a volunteer)."""
    step = request.POST.get("step")
    common = {"acting_user": request.user, "request": request}
    if step == "accept":
        actions.do_accept_order(order, **common)
    elif step == "decline":
        form = DeclineForm(request.POST)
        actions.do_decline_order(order, reason=form.data.get("reason", ""), **common)
    elif step == "gate":
        actions.do_bring_to_gate(order, **common)
    elif step == "hand":
        name = HandOverForm(request.POST).data.get("volunteer", "").strip()
        volunteer = User.objects.filter(username=name).first() if name else request.user
        actions.do_hand_to_volunteer(order, volunteer=volunteer, **common)
    elif step == "deliver":
        actions.do_deliver_order(order, **common)
    else:
        raise ValidationError(_("Unknown step."))


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = queries.get_order_for_user(request.user, order_id)
    if request.method == "POST":
        _require_edit(request)
        try:
            _advance(request, order)
            return redirect("livelihood:order", order_id=order.pk)
        except ValidationError as error:
            messages.error(request, " ".join(str(m) for m in error.messages))
            return redirect("livelihood:order", order_id=order.pk)
    audit.record(
        actor=request.user,
        action="livelihood.order.view",
        obj=order,
        area=order.area,
        detail={"household": order.household_id},
        request=request,
    )
    return render(
        request,
        "livelihood/order.html",
        {
            "order": order,
            "steps": order.steps.all(),
            "can_edit": has_capability(request.user, "edit_operations"),
            "decline_form": DeclineForm(),
            "hand_form": HandOverForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("edit_operations")
def deliveries(request: HttpRequest) -> HttpResponse:
    """The volunteer's phone page: take an order at the gate, deliver it to the door."""
    if request.method == "POST":
        order = queries.get_order_for_user(request.user, int(request.POST.get("order") or 0))
        try:
            if request.POST.get("step") == "take":
                actions.do_hand_to_volunteer(
                    order, volunteer=request.user, acting_user=request.user, request=request
                )
            elif request.POST.get("step") == "deliver":
                actions.do_deliver_order(order, acting_user=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(str(m) for m in error.messages))
        return redirect("livelihood:deliveries")
    shown = list(queries.deliveries_for(request.user)[:100])
    return render(
        request,
        "livelihood/deliveries.html",
        {"orders": _order_rows(request, shown, "deliveries")},
    )


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def care_list(request: HttpRequest) -> HttpResponse:
    form = _form_of(request, "care", CareForm, user=request.user)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            try:
                actions.do_add_care(
                    form.cleaned_data["person"],
                    kind=form.cleaned_data["kind"],
                    needs=form.cleaned_data["needs"],
                    acting_user=request.user,
                    request=request,
                )
                return redirect("livelihood:care")
            except ValidationError as error:
                add_action_errors(form, error)
    cares = list(queries.care_for(request.user).order_by("area__path", "next_follow_up_at")[:500])
    if cares:
        audit.record(
            actor=request.user,
            action="livelihood.care.list.view",
            object_type="livelihood.care",
            detail={"persons": [c.person_id for c in cares]},
            request=request,
        )
    villages = [
        {
            "area": area,
            "rows": [
                {"c": c, "name": mask_name(c.person.name), "overdue": queries.overdue(c)}
                for c in rows
            ],
        }
        for area, rows in groupby(cares, key=lambda c: c.area)
    ]
    return render(
        request,
        "livelihood/care.html",
        {
            "villages": villages,
            "form": form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def care_detail(request: HttpRequest, care_id: int) -> HttpResponse:
    care = queries.get_care_for_user(request.user, care_id)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            try:
                actions.do_follow_up(
                    care,
                    note=form.cleaned_data["note"],
                    close=form.cleaned_data["close"],
                    acting_user=request.user,
                    request=request,
                )
                return redirect("livelihood:care")
            except ValidationError as error:
                add_action_errors(form, error)
    audit.record(
        actor=request.user,
        action="livelihood.care.view",
        obj=care,
        area=care.area,
        detail={"person": care.person_id},
        request=request,
    )
    return render(
        request,
        "livelihood/care_detail.html",
        {
            "care": care,
            "name": mask_name(care.person.name),
            "follow_ups": care.follow_ups.all()[:50],
            "overdue": queries.overdue(care),
            "form": form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )
