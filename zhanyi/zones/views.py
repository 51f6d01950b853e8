"""Pages of the risk zones (分区分级).

- ``home``: the zones by tier with the people inside and the days to lifting,
  the map, proposals from the cases, a zone proposed by hand.
- ``zone_detail``: a zone's extent, rules, history and notices; approve,
  reject, step down, lift (each needs ``approve``).
- ``notice_pdf``: the public notice (通告) of one decision, as PDF.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core import audit
from zhanyi.core.forms import add_action_errors
from zhanyi.core.metrics import area_for, figures_for
from zhanyi.places import map_layers
from zhanyi.places.models import Area, AreaLevel
from zhanyi.places.risk import TIER_COLOURS

from . import actions, documents, queries
from .forms import DecisionForm, ProposeForm
from .lifting import lifting_check, waiting_reasons
from .models import ZoneState
from .rules import CODE_EFFECT_LABELS, DELIVERY_LABELS, MOVEMENT_LABELS, tier_rule

FIGURES = [
    "zones.in_force",
    "zones.sealed",
    "zones.people_sealed",
    "zones.people_inside",
    "zones.days_to_lifting",
]


def _text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    form = ProposeForm()
    if request.method == "POST":
        if request.POST.get("form") == "from_cases":
            try:
                made = actions.do_propose_from_cases(acting_user=request.user, request=request)
            except PermissionDenied as error:
                messages.error(request, _("Not allowed: %(why)s") % {"why": error})
            else:
                messages.success(
                    request,
                    _("%(new)d zone(s) proposed, %(old)d proposed already.")
                    % {"new": len(made.zones), "old": len(made.existing)},
                )
                for line in made.skipped:
                    messages.warning(request, line)
            return redirect("zones:home")
        form = ProposeForm(request.POST)
        if form.is_valid():
            try:
                zone = actions.do_propose_zone(
                    tier=form.cleaned_data["tier"],
                    name=form.cleaned_data["name"],
                    reason=form.cleaned_data["reason"],
                    areas=form.cleaned_data["areas"],
                    places=form.cleaned_data["places"],
                    polygon=form.cleaned_data["polygon"],
                    acting_user=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_action_errors(form, error)
            except PermissionDenied:
                form.add_error(None, _("You may not propose zones."))
            else:
                messages.success(request, _("Zone %(name)s proposed.") % {"name": zone.name})
                return redirect("zones:zone", zone_id=zone.pk)
    now = timezone.now()
    rows = queries.rows(queries.zones_for(request.user), now)
    area = area_for(request.user)
    return render(
        request,
        "zones/home.html",
        {
            "rows": rows,
            "form": form,
            "figures": figures_for(request.user, FIGURES),
            "map_area": area or Area.objects.filter(level=AreaLevel.CITY).first(),
            "map_layers": map_layers.for_page(masked=False),
            "map_words": json.dumps(map_layers.words()),
            "tier_colours": json.dumps(TIER_COLOURS),
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


def _decide(request: HttpRequest, zone, action: str, reason: str):
    if action == "approve":
        return actions.do_approve_zone(zone, acting_user=request.user, request=request)
    if action == "reject":
        return actions.do_reject_zone(
            zone, acting_user=request.user, reason=reason, request=request
        )
    if action == "step_down":
        return actions.do_step_down_zone(
            zone, acting_user=request.user, reason=reason, request=request
        )
    if action == "lift":
        return actions.do_lift_zone(zone, acting_user=request.user, reason=reason, request=request)
    raise Http404("no such decision")


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def zone_detail(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = queries.get_zone_for_user(request.user, zone_id)
    form = DecisionForm()
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                _decide(request, zone, request.POST.get("action", ""), form.cleaned_data["reason"])
            except ValidationError as error:
                messages.error(request, _text(error))
            except PermissionDenied:
                messages.error(request, _("Only someone who may approve zones decides on them."))
            else:
                messages.success(request, _("Decision recorded."))
            return redirect("zones:zone", zone_id=zone.pk)
    now = timezone.now()
    rule = tier_rule(zone.tier, zone.protocol)
    row = queries.rows([zone], now)[0]
    # The zone's own page weighs the residents' tests too (the lists skip them).
    check = lifting_check(zone, now) if row.check else None
    return render(
        request,
        "zones/zone.html",
        {
            "zone": zone,
            "row": row,
            "check": check,
            "waiting": waiting_reasons(check) if check else [],
            "rule": rule,
            "movement": MOVEMENT_LABELS[rule.movement],
            "deliveries": DELIVERY_LABELS[rule.deliveries],
            "code_effect": CODE_EFFECT_LABELS[rule.code_effect],
            "events": zone.events.all(),
            "form": form,
            "can_approve": has_capability(request.user, "approve"),
            "proposed": zone.state == ZoneState.PROPOSED,
            "in_force": zone.state == ZoneState.IN_FORCE,
        },
    )


@require_GET
@capability_required("view_person")
def notice_pdf(request: HttpRequest, zone_id: int, event_id: int) -> HttpResponse:
    zone = queries.get_zone_for_user(request.user, zone_id)
    event = zone.events.exclude(notice="").filter(pk=event_id).first()
    if event is None:
        raise Http404("no notice")
    content = documents.notice_pdf(event)
    audit.record(
        actor=request.user,
        action="zones.notice.print",
        obj=zone,
        area=zone.area,
        detail={"event": event.pk, "kind": event.kind},
        request=request,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{zone.pk}-{event.pk}.pdf"'
    return response
