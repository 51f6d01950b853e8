"""The origin and destination picker: any area of the tree, not only the
user's jurisdiction (a checkpoint of one county stops vehicles from every
other). Area names and codes are not personal data."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhanyi.core.pickers import RESULTS_SHOWN, PickerField, picker_query, render_results
from zhanyi.places.models import Area
from zhanyi.places.pickers import area_label

from . import queries


class RouteAreaField(PickerField):
    """Where a vehicle comes from or goes: an area of the tree, by name or code."""

    search_url = "checkpoints:pick-area"
    key = "code"
    placeholder = gettext_lazy("Area name or code…")

    def choices_for(self, user) -> QuerySet:
        return Area.objects.select_related("parent")

    def label_of(self, obj) -> str:
        return area_label(obj)

    def resolve_typed(self, queryset: QuerySet, word: str) -> list:
        by_code = list(queryset.filter(code=word)[:1])
        return by_code or list(queryset.filter(name=word)[:2])


@require_GET
def pick_area(request: HttpRequest) -> HttpResponse:
    queries.require_view(request.user)
    q = picker_query(request)
    rows: list = []
    if q:
        found = (
            Area.objects.select_related("parent")
            .filter(Q(name__icontains=q) | Q(code__startswith=q))
            .order_by("path")
        )
        rows = [
            (a.code, area_label(a), f"{a.get_level_display()} · {a.code}")
            for a in found[: RESULTS_SHOWN + 1]
        ]
    return render_results(request, rows, q=q, empty_message=_("No area found."))
