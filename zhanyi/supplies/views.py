"""The supplies desk (物资保障): days of cover per holder and item (red below the
protocol's target), the alerts, the shortfall forecast per area, requests to
approve, the latest movements, and the forms that change them.

Reading needs ``view_person`` and a jurisdiction; writing ``edit_operations``;
approving or refusing a request ``approve``. Every write is an action.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core.forms import add_action_errors
from zhanyi.core.metrics import figures_for, fresh_requested

from . import actions, queries
from .forms import DecisionForm, HolderForm, MovementForm, PeakUseForm, RequestForm
from .models import Item, RequestState

FIGURES = [
    "supplies.holders",
    "supplies.below_target",
    "supplies.shortfalls",
    "supplies.masks",
    "supplies.requests_pending",
]


def _refusal_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_edit = has_capability(user, "edit_operations")
    can_approve = has_capability(user, "approve")
    what = request.POST.get("form")
    holders = queries.holders_for(user)
    forms = {
        "holder": HolderForm(request.POST if what == "holder" else None, user=user),
        "movement": MovementForm(request.POST if what == "movement" else None),
        "peak": PeakUseForm(request.POST if what == "peak" else None),
        "request": RequestForm(request.POST if what == "request" else None),
    }
    for name in ("movement", "peak", "request"):
        forms[name].set_choices(holders)
    if request.method == "POST":
        needed = "approve" if what in ("approve", "refuse") else "edit_operations"
        if not has_capability(user, needed):
            raise PermissionDenied(f"requires {needed}")
        if _post(request, what, forms, holders):
            return redirect("supplies:home")
    items, cover_rows = queries.cover_table(user)
    decision = DecisionForm()
    decision.set_choices(holders)
    return render(
        request,
        "supplies/home.html",
        {
            "figures": figures_for(user, FIGURES, fresh=fresh_requested(request)),
            "items": items,
            "cover_rows": cover_rows,
            "alerts": queries.alerts_for(user)[:200],
            "forecasts": _forecasts(user),
            "pending": queries.requests_for(user).filter(state=RequestState.PENDING)[:100],
            "decided": queries.requests_for(user).exclude(state=RequestState.PENDING)[:20],
            "movements": queries.movements_for(user)[:50],
            "can_edit": can_edit,
            "can_approve": can_approve,
            "forms": forms,
            "decision": decision,
        },
    )


def _forecasts(user) -> list[tuple]:
    """(area, inputs, [(item label, forecast)]) for each area the desk forecasts."""
    labels = {i.code: i.label for i in Item.objects.all()}
    out = []
    areas = queries.forecast_areas(user)
    for area, (inputs, result) in zip(areas, queries.forecasts(areas), strict=True):
        out.append((area, inputs, [(labels.get(f.item, f.item), f) for f in result]))
    return out


def _post(request, what, forms, holders) -> bool:
    """Run the posted form's action; True when done (redirect), False to show errors."""
    form = forms.get(what)
    user = request.user
    try:
        if what == "check":
            counts = actions.do_check_cover(acting_user=user, request=request)
            messages.success(
                request,
                _("Cover checked: %(raised)d alerts raised, %(cleared)d cleared.") % counts,
            )
            return True
        if what in ("approve", "refuse"):
            return _decide(request, what, holders)
        if form is None or not form.is_valid():
            return False
        v = form.cleaned_data
        if what == "holder":
            actions.do_create_holder(
                acting_user=user, name=v["name"], kind=v["kind"], area=v["area"], request=request
            )
        elif what == "movement":
            actions.do_move_stock(
                v["holder"],
                v["item"],
                kind=v["kind"],
                quantity=v["quantity"],
                document_number=v["document_number"],
                to_holder=v["to_holder"],
                acting_user=user,
                request=request,
            )
        elif what == "peak":
            actions.do_set_peak_use(
                v["holder"], v["item"], v["peak_daily_use"], acting_user=user, request=request
            )
        elif what == "request":
            actions.do_request_supplies(
                v["requester"],
                v["item"],
                v["quantity"],
                reason=v["reason"],
                acting_user=user,
                request=request,
            )
        return True
    except ValidationError as error:
        if form is not None:
            add_action_errors(form, error)
        messages.error(request, _refusal_text(error))
    except PermissionDenied:
        messages.error(request, _("That is outside your jurisdiction."))
    return False


def _decide(request, what, holders) -> bool:
    supply_request = queries.get_request_for_user(
        request.user, int(request.POST.get("request_id", 0))
    )
    form = DecisionForm(request.POST)
    form.set_choices(holders)
    if not form.is_valid():
        messages.error(request, _refusal_text(ValidationError(form.errors.as_data())))
        return True
    v = form.cleaned_data
    try:
        if what == "approve":
            if v["supplier"] is None:
                raise ValidationError({"supplier": _("Choose the holder to allocate from.")})
            actions.do_approve_request(
                supply_request,
                v["supplier"],
                quantity=v["quantity"],
                acting_user=request.user,
                request=request,
            )
        else:
            actions.do_refuse_request(
                supply_request, reason=v["reason"], acting_user=request.user, request=request
            )
    except ValidationError as error:
        messages.error(request, _refusal_text(error))
    except PermissionDenied:
        messages.error(request, _("That is outside your jurisdiction."))
    return True
