"""The area and place pickers (``zhanyi.core.pickers``): an area found by its
name (or code) in the user's jurisdiction, a place by its name."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhanyi.core import jurisdiction
from zhanyi.core.pickers import RESULTS_SHOWN, PickerField, picker_query, render_results

from .models import Area, AreaLevel, Place
from .queries import visible_areas


def area_label(area: Area) -> str:
    return f"{area.parent.name} · {area.name}" if area.parent_id else area.name


def _levels(text: str) -> list[str]:
    return [lv for lv in text.split(",") if lv in AreaLevel.values]


class AreaField(PickerField):
    """Areas of the user's jurisdiction (of ``levels``, if given), typed by name or code."""

    search_url = "places:pick-area"
    placeholder = gettext_lazy("Area name or code…")

    def __init__(self, *, levels: list[str] | None = None, key: str = "pk", **kwargs) -> None:
        """``key``: what the form posts, ``"pk"`` or ``"code"`` (the area codes a
        round is made of, as its API takes them)."""
        self.levels = list(levels or [])
        self.key = key
        params = {"levels": ",".join(self.levels), "key": "code" if key == "code" else ""}
        self.search_params = urlencode({k: v for k, v in params.items() if v})
        super().__init__(**kwargs)

    def choices_for(self, user) -> QuerySet:
        qs = visible_areas(user).select_related("parent")
        return qs.filter(level__in=self.levels) if self.levels else qs

    def label_of(self, obj) -> str:
        return area_label(obj)

    def resolve_typed(self, queryset: QuerySet, word: str) -> list:
        by_code = list(queryset.filter(code=word)[:1])
        return by_code or list(queryset.filter(name=word)[:2])


def places_for(user) -> QuerySet[Place]:
    return jurisdiction.scope(Place.objects.select_related("area"), user, "area__path")


class PlaceField(PickerField):
    """A place of the user's jurisdiction, found by its name."""

    search_url = "places:pick-place"
    placeholder = gettext_lazy("Place name…")

    def choices_for(self, user) -> QuerySet:
        return places_for(user)

    def label_of(self, obj) -> str:
        return f"{obj.name} · {obj.area.name}"

    def resolve_typed(self, queryset: QuerySet, word: str) -> list:
        return super().resolve_typed(queryset, word) or list(queryset.filter(name=word)[:2])


@require_GET
def pick_area(request: HttpRequest) -> HttpResponse:
    q = picker_query(request)
    rows: list = []
    if q:
        qs = visible_areas(request.user).select_related("parent")
        if levels := _levels(request.GET.get("levels", "")):
            qs = qs.filter(level__in=levels)
        found = qs.filter(Q(name__icontains=q) | Q(code__startswith=q)).order_by("path")
        rows = [
            (
                a.code if request.GET.get("key") == "code" else a.pk,
                area_label(a),
                f"{a.get_level_display()} · {a.code}",
            )
            for a in found[: RESULTS_SHOWN + 1]
        ]
    return render_results(
        request, rows, q=q, empty_message=_("No area found in your jurisdiction.")
    )


@require_GET
def pick_place(request: HttpRequest) -> HttpResponse:
    q = picker_query(request)
    rows: list = []
    if q:
        found = places_for(request.user).filter(name__icontains=q).order_by("name", "pk")
        rows = [
            (p.pk, f"{p.name} · {p.area.name}", p.get_kind_display())
            for p in found[: RESULTS_SHOWN + 1]
        ]
    return render_results(
        request, rows, q=q, empty_message=_("No place found in your jurisdiction.")
    )
