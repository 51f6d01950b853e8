"""The room picker (``zhanyi.core.pickers``): a room of an active site, found
by its number or its site's name; a number typed alone means the site's own
room first."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhanyi.core.pickers import RESULTS_SHOWN, PickerField, picker_query, render_results

from .queries import rooms_for


def room_label(room) -> str:
    return f"{room.site.name} · {room.number}"


def _site_first(qs: QuerySet, site_id: int | None) -> QuerySet:
    if not site_id:
        return qs.order_by("site__name", "number")
    here = Case(When(site_id=site_id, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(here=here).order_by("here", "site__name", "number")


class RoomField(PickerField):
    """A room of an active site (the planner places across counties, so any
    active site's room may be named); ``site``: the page's own site."""

    search_url = "quarantine:pick-room"
    placeholder = gettext_lazy("Room number or site…")

    site_id: int | None = None

    def for_site(self, site_id: int) -> None:
        self.site_id = site_id
        self.search_params = urlencode({"site": site_id})

    def choices_for(self, user) -> QuerySet:
        return rooms_for(user)

    def label_of(self, obj) -> str:
        return room_label(obj)

    def resolve_typed(self, queryset: QuerySet, word: str) -> list:
        """``101`` (this site's room 101, else the one room 101), or ``宾馆 101``."""
        site_name, _sep, number = word.replace("·", " ").strip().rpartition(" ")
        qs = queryset.filter(number=number.strip())
        if site_name.strip():
            return list(qs.filter(site__name=site_name.strip())[:2])
        if self.site_id and (here := list(qs.filter(site_id=self.site_id)[:1])):
            return here
        return list(qs[:2])


@require_GET
def pick_room(request: HttpRequest) -> HttpResponse:
    q = picker_query(request)
    rows: list = []
    if q:
        site = request.GET.get("site", "")
        found = rooms_for(request.user).filter(Q(number__startswith=q) | Q(site__name__icontains=q))
        found = _site_first(found, int(site) if site.isdigit() else None)
        rows = [
            (
                r.pk,
                room_label(r),
                _("%(state)s · %(capacity)d places")
                % {"state": r.get_state_display(), "capacity": r.capacity},
            )
            for r in found[: RESULTS_SHOWN + 1]
        ]
    return render_results(request, rows, q=q, empty_message=_("No room found in an active site."))
