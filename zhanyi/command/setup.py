"""The first day (首日准备), shared by its pages and its API: every check with the
page that loads it, and a file of reference data loaded by kind for a user
(confined to the user's jurisdiction; the places app's actions do the work and
write the audit trail)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from zhanyi.core import readiness
from zhanyi.places import actions as place_actions
from zhanyi.places import queries as place_queries
from zhanyi.places.actions import LoadResult
from zhanyi.places.models import LoadKind


def _url(name: str) -> str:
    if not name:
        return ""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def checks() -> list[dict[str, Any]]:
    """Every check measured now, with the address of the page that loads it."""
    return [
        {"check": check, "status": status, "url": _url(check.url)}
        for check, status in readiness.run()
    ]


def do_load_reference_file(
    kind: str, upload, options: dict[str, Any], *, acting_user, request=None
) -> LoadResult:
    """Load ``upload`` (a file with a name) as division codes, boundaries or
    places; raises ``LoadFileError`` for a file that cannot be loaded at all."""
    within = place_queries.load_area_for(acting_user)
    common = {"acting_user": acting_user, "within": within, "request": request}
    if kind == LoadKind.AREAS:
        return place_actions.do_load_divisions(
            upload,
            upload.name,
            prefix=options.get("prefix") or "",
            mapping=options.get("mapping") or {},
            **common,
        )
    if kind == LoadKind.BOUNDARIES:
        return place_actions.do_load_boundaries(
            upload, upload.name, tolerance_m=float(options.get("tolerance") or 200.0), **common
        )
    return place_actions.do_load_places(
        upload,
        upload.name,
        categories=options.get("categories") or {},
        mapping=options.get("mapping") or {},
        **common,
    )
