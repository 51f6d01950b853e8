"""Pages of the quarantine task force (隔离转运专班).

- ``home``: the figures, capacity against the protocol (shortfall in red), the
  sites with their occupancy, who waits (the 8-hour clock), the proposals to
  review and confirm, a new site, a person added by hand.
- ``site_detail``: a site's rooms and the people in them; rooms added, a room
  cleaned, the three-zones-two-passages check, activation of a reserve site,
  health checks, moves and release (refused with the protocol's reasons).

Every view checks a capability and reads through ``queries`` (jurisdiction);
every write is an action.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core import audit
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import area_for, figures_for, fresh_requested

from . import actions, documents, queries
from .forms import (
    HealthCheckForm,
    MoveForm,
    QueueAddForm,
    RoomsForm,
    RoomStateForm,
    SiteForm,
    ZonesForm,
)
from .models import ACTIVE_STATES, PlacementState

FIGURES = [
    "quarantine.sites",
    "quarantine.rooms_vacant",
    "quarantine.occupancy",
    "quarantine.waiting",
    "quarantine.overdue",
    "quarantine.oldest_wait_hours",
    "quarantine.placed_within_deadline",
    "quarantine.in_quarantine",
]


def _refusal_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    can_edit = has_capability(request.user, "edit_operations")
    site_form = SiteForm(
        request.POST if request.POST.get("form") == "site" else None, user=request.user
    )
    queue_form = QueueAddForm(
        request.POST if request.POST.get("form") == "queue" else None, user=request.user
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("requires edit_operations")
        done = _home_post(request, site_form, queue_form)
        if done is not None:
            return done
    now = timezone.now()
    waiting = list(queries.queue(request.user)[:200])
    proposed = list(
        queries.placements_for(request.user).filter(state=PlacementState.PROPOSED)[:500]
    )
    shown = [h.person_id for h in waiting] + [p.person_id for p in proposed]
    if shown:
        audit.record(
            actor=request.user,
            action="quarantine.list.view",
            object_type="quarantine.queue",
            detail={"persons": shown},
            request=request,
        )
    sites = list(queries.sites_for(request.user)[:500])
    return render(
        request,
        "quarantine/home.html",
        {
            "map_area": area_for(request.user),
            "sites_map": [
                {
                    "name": s.name,
                    "value": [s.lon, s.lat, queries.occupancy(s)],
                    "url": reverse("quarantine:site", args=[s.pk]),
                }
                for s in sites
            ],
            "figures": figures_for(request.user, FIGURES, fresh=fresh_requested(request)),
            "capacities": queries.capacities_for(request.user),
            "sites": sites,
            "waiting": [
                {"h": h, "name": mask_name(h.person.name), "overdue": h.due_at < now}
                for h in waiting
            ],
            "proposed": [{"p": p, "name": mask_name(p.person.name)} for p in proposed],
            "trips": queries.trips_board(request.user, now),
            "now": now,
            "can_edit": can_edit,
            "site_form": site_form,
            "queue_form": queue_form,
        },
    )


def _home_post(request: HttpRequest, site_form: SiteForm, queue_form: QueueAddForm):
    what = request.POST.get("form")
    try:
        if what == "plan":
            _proposals, figures = actions.do_plan_placements(
                acting_user=request.user, request=request
            )
            messages.success(
                request,
                _("%(proposed)d people proposed; %(waiting)d households still waiting.")
                % {"proposed": figures["proposed"], "waiting": figures["waiting_households"]},
            )
            return redirect("quarantine:home")
        if what == "confirm":
            proposed = queries.placements_for(request.user).filter(state=PlacementState.PROPOSED)
            done = actions.do_confirm_placements(
                list(proposed), acting_user=request.user, request=request
            )
            messages.success(request, _("%(n)d people placed.") % {"n": len(done)})
            return redirect("quarantine:home")
        if what == "trips":
            trips = actions.do_plan_trips(acting_user=request.user, request=request)
            messages.success(request, _("%(n)d trips planned.") % {"n": len(trips)})
            return redirect("quarantine:home")
        if what == "site" and site_form.is_valid():
            v = site_form.cleaned_data
            site = actions.do_create_site(
                acting_user=request.user,
                name=v["name"],
                area=v["area"],
                address=v["address"],
                lon=v["lon"],
                lat=v["lat"],
                kind=v["kind"],
                state="reserve" if v["reserve"] else "active",
                request=request,
            )
            return redirect("quarantine:site", site_id=site.pk)
        if what == "queue" and queue_form.is_valid():
            person = queue_form.cleaned_data["person"]
            actions.do_add_to_queue(
                person,
                kind=queue_form.cleaned_data["kind"],
                acting_user=request.user,
                request=request,
            )
            return redirect("quarantine:home")
    except ValidationError as error:
        messages.error(request, _refusal_text(error))
    except PermissionDenied:
        messages.error(request, _("That is outside your jurisdiction."))
    return None


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def site_detail(request: HttpRequest, site_id: int) -> HttpResponse:
    site = queries.get_site_for_user(request.user, site_id)
    can_edit = has_capability(request.user, "edit_operations")
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("requires edit_operations")
        try:
            _site_post(request, site)
        except ValidationError as error:
            messages.error(request, _refusal_text(error))
        except PermissionDenied:
            messages.error(request, _("You may not do that here."))
        return redirect("quarantine:site", site_id=site.pk)
    placements = list(
        queries.placements_for(request.user)
        .filter(site=site, state__in=ACTIVE_STATES)
        .prefetch_related("health_checks")
        .order_by("room__number")
    )
    if placements:
        audit.record(
            actor=request.user,
            action="quarantine.site.view",
            obj=site,
            area=site.area,
            detail={"persons": [p.person_id for p in placements]},
            request=request,
        )
    return render(
        request,
        "quarantine/site.html",
        {
            "site": site,
            "occupancy": queries.occupancy(site),
            "rooms": site.rooms.order_by("number"),
            "placements": [
                {
                    "p": p,
                    "name": mask_name(p.person.name),
                    "last_check": next(iter(p.health_checks.all()), None),
                }
                for p in placements
            ],
            "released": [
                {"p": p, "name": mask_name(p.person.name)}
                for p in queries.placements_for(request.user)
                .filter(site=site, state=PlacementState.RELEASED)
                .order_by("-ended_at")[:50]
            ],
            "can_edit": can_edit,
            "can_approve": has_capability(request.user, "approve"),
            "rooms_form": RoomsForm(),
            "zones_form": ZonesForm(initial=site.zones_checklist),
            "room_state_form": RoomStateForm(),
            "check_form": HealthCheckForm(),
            "move_form": MoveForm(user=request.user, site_id=site.pk),
        },
    )


def _site_post(request: HttpRequest, site) -> None:
    what = request.POST.get("form")
    user = request.user
    if what == "rooms":
        form = RoomsForm(request.POST)
        if form.is_valid():
            v = form.cleaned_data
            numbers = [str(n) for n in range(v["first"], v["last"] + 1)]
            actions.do_add_rooms(
                site, numbers, capacity=v["capacity"], acting_user=user, request=request
            )
            messages.success(request, _("%(n)d rooms added.") % {"n": len(numbers)})
    elif what == "zones":
        form = ZonesForm(request.POST)
        if form.is_valid():
            actions.do_check_zones(site, form.cleaned_data, acting_user=user, request=request)
            messages.success(request, _("Checklist recorded."))
    elif what == "activate":
        actions.do_activate_site(site, acting_user=user, request=request)
        messages.success(request, _("The site is active."))
    elif what == "room_state":
        form = RoomStateForm(request.POST)
        room = site.rooms.filter(pk=request.POST.get("room")).first()
        if form.is_valid() and room is not None:
            actions.do_set_room_state(
                room, form.cleaned_data["state"], acting_user=user, request=request
            )
    else:
        placement = queries.get_placement_for_user(user, int(request.POST.get("placement") or 0))
        if what == "check":
            form = HealthCheckForm(request.POST)
            if form.is_valid():
                actions.do_record_health_check(
                    placement,
                    temperature=form.cleaned_data["temperature"],
                    symptoms=form.cleaned_data["symptoms"],
                    acting_user=user,
                    request=request,
                )
                messages.success(request, _("Health check recorded."))
        elif what == "move":
            form = MoveForm(request.POST, user=user, site_id=site.pk)
            if form.is_valid():
                actions.do_move_placement(
                    placement, form.cleaned_data["room"], acting_user=user, request=request
                )
            else:
                messages.error(request, " ".join(form.errors["room"]))
        elif what == "release":
            actions.do_release(
                placement,
                acting_user=user,
                different_reagents=bool(request.POST.get("different_reagents")),
                close_contact_negative=bool(request.POST.get("close_contact_negative")),
                request=request,
            )
            messages.success(request, _("Released."))


@require_POST
@capability_required("edit_operations")
def confirm_one(request: HttpRequest, placement_id: int) -> HttpResponse:
    placement = queries.get_placement_for_user(request.user, placement_id)
    try:
        actions.do_confirm_placements([placement], acting_user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _refusal_text(error))
    return redirect("quarantine:home")


def _pdf(request: HttpRequest, kind: str, placements: list, filename: str, obj) -> HttpResponse:
    try:
        content = documents.render_pdf(kind, placements, request.build_absolute_uri("/")[:-1])
    except ValidationError as error:
        return HttpResponseBadRequest(_refusal_text(error))
    audit.record(
        actor=request.user,
        action=f"quarantine.{kind}.print",
        obj=obj,
        area=getattr(obj, "area", None),
        detail={"persons": [p.person_id for p in placements]},
        request=request,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@capability_required("view_person")
def placement_document(request: HttpRequest, placement_id: str, kind: str) -> HttpResponse:
    """The quarantine notice or release certificate of one person, as PDF."""
    placement = queries.get_placement_for_user(request.user, int(placement_id))
    return _pdf(request, kind, [placement], f"{kind}-{placement.pk}.pdf", placement)


@require_GET
@capability_required("view_person")
def site_documents(request: HttpRequest, site_id: str, kind: str) -> HttpResponse:
    """Every notice of the people in a site, or every certificate of those released
    from it today or before, one page each."""
    site = queries.get_site_for_user(request.user, int(site_id))
    state = PlacementState.PLACED if kind == documents.NOTICE else PlacementState.RELEASED
    placements = list(
        queries.placements_for(request.user)
        .filter(site=site, state=state)
        .order_by("room__number")[:2000]
    )
    if not placements:
        return HttpResponseBadRequest(_("Nobody to print for."))
    return _pdf(request, kind, placements, f"{kind}s-site-{site.pk}.pdf", site)


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def monitoring_list(request: HttpRequest) -> HttpResponse:
    """The village team's daily visit list: everyone under home quarantine or home
    health monitoring in the user's jurisdiction, with their last report; a visit's
    reading is recorded here."""
    now = timezone.now()
    if request.method == "POST":
        monitoring = queries.get_monitoring_for_user(
            request.user, int(request.POST.get("monitoring") or 0)
        )
        form = HealthCheckForm(request.POST)
        if form.is_valid():
            try:
                actions.do_self_report(
                    monitoring,
                    temperature=form.cleaned_data["temperature"],
                    symptoms=form.cleaned_data["symptoms"],
                    by_visit=True,
                    acting_user=request.user,
                    request=request,
                )
                messages.success(request, _("Visit recorded."))
            except ValidationError as error:
                messages.error(request, _refusal_text(error))
        return redirect("quarantine:monitoring")
    rows = list(queries.monitorings_for(request.user).filter(ends_at__gt=now)[:500])
    if rows:
        audit.record(
            actor=request.user,
            action="quarantine.monitoring.list",
            object_type="quarantine.monitoring",
            detail={"persons": [m.person_id for m in rows]},
            request=request,
        )
    return render(
        request,
        "quarantine/monitoring.html",
        {
            "rows": [
                {
                    "m": m,
                    "name": mask_name(m.person.name),
                    "last": next(iter(m.reports.all()), None),
                }
                for m in rows
            ],
            "can_edit": has_capability(request.user, "edit_operations"),
            "check_form": HealthCheckForm(),
        },
    )


@require_GET
@capability_required("view_person")
def trips_board(request: HttpRequest) -> HttpResponse:
    """The transfer board alone, for the quarantine page to refresh every 20 s:
    each trip's state, who is picked up, the deadline, and late trips flagged.
    It names nobody (plates, sites and counts), so its reads are not audited."""
    now = timezone.now()
    return render(
        request,
        "quarantine/_trips.html",
        {"trips": queries.trips_board(request.user, now), "now": now},
    )


@require_http_methods(["GET", "POST"])
@capability_required("edit_operations")
def driver(request: HttpRequest) -> HttpResponse:
    """The driver's phone page: their trips not yet delivered, the next pick-up
    first; a person picked up, a trip delivered."""
    if request.method == "POST":
        try:
            if request.POST.get("stop"):
                stop = queries.get_stop_for_driver(request.user, int(request.POST["stop"]))
                actions.do_pick_up(stop, acting_user=request.user, request=request)
            else:
                trip = queries.get_trip_for_driver(request.user, int(request.POST.get("trip") or 0))
                actions.do_deliver(trip, acting_user=request.user, request=request)
        except ValidationError as error:
            messages.error(request, _refusal_text(error))
        return redirect("quarantine:driver")
    trips = list(queries.trips_for_driver(request.user))
    stops = [s for t in trips for s in t.stops.all()]
    if stops:
        audit.record(
            actor=request.user,
            action="quarantine.driver.view",
            object_type="quarantine.trip",
            detail={"persons": [s.placement.person_id for s in stops]},
            request=request,
        )
    return render(
        request,
        "quarantine/driver.html",
        {
            "trips": [
                {
                    "t": t,
                    "stops": [
                        {
                            "s": s,
                            "name": mask_name(s.placement.person.name),
                            "address": s.placement.person.address
                            or getattr(s.placement.person.household, "address", ""),
                        }
                        for s in t.stops.all()
                    ],
                }
                for t in trips
            ],
        },
    )
