"""The first day (首日准备), shared by its pages and its API: every check with the
page that loads it, and a file of reference data queued for the worker by kind
for a user (confined to the user's jurisdiction; the places app's actions do
the work and write the audit trail)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from zhanyi.core import readiness
from zhanyi.places import jobs as place_jobs
from zhanyi.places import queries as place_queries
from zhanyi.places.models import DataLoad


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


def start_reference_load(kind: str, upload, options: dict[str, Any], *, user) -> DataLoad:
    """Queue ``upload`` for the worker (the pages and the API): the load returns at
    once and shows its progress; ``LoadFileError`` for a file of a kind it cannot load."""
    keep = ("prefix", "mapping", "tolerance", "categories", "coordinate_system")
    return place_jobs.start_data_load(
        kind,
        upload,
        {k: v for k, v in options.items() if k in keep and v not in (None, "")},
        user=user,
        within=place_queries.load_area_for(user),
    )
