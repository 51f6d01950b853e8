"""Keys without a database constraint, and the rows whose id points at nothing.

Bulk tables (hand-offs, contacts, health codes, samples, round targets) keep
their foreign keys in Django (``on_delete``, joins, merges) but declare
``db_constraint=False``: PostgreSQL would check each key of each row at
commit, which costs more than writing the rows. ``unconstrained_keys`` finds
every such key from the models (nothing is listed by hand, so a new one is
covered when it is declared) and ``dangling`` counts the rows whose id names
no row of the target table. ``zhanyi integrity`` runs both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef


@dataclass(frozen=True)
class Dangling:
    """Rows of ``key`` (``app.Model.field``) whose id points at no ``target`` row."""

    key: str
    target: str
    count: int
    examples: tuple  # (row pk, the id it holds), a few


def unconstrained_keys() -> list[models.ForeignKey]:
    """Every concrete foreign key (and one-to-one) of a managed model that has
    no database constraint, in a stable order."""
    keys = []
    for model in apps.get_models():
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        for field in meta.local_fields:
            if isinstance(field, models.ForeignKey) and not field.db_constraint:
                keys.append(field)
    return sorted(keys, key=_name)


def _name(field: models.ForeignKey) -> str:
    return f"{field.model._meta.label}.{field.name}"


def dangling(field: models.ForeignKey, *, examples: int = 5) -> Dangling:
    """The rows whose ``field`` holds an id that no target row has (NULL is fine)."""
    target = field.related_model
    to = field.target_field.attname
    rows = (
        field.model._base_manager.exclude(**{f"{field.attname}__isnull": True})
        # NOT EXISTS: an anti-join, however large the target table.
        .filter(~Exists(target._base_manager.filter(**{to: OuterRef(field.attname)})))
        .order_by()
    )
    count = rows.count()
    shown = tuple(rows.order_by("pk").values_list("pk", field.attname)[:examples]) if count else ()
    return Dangling(_name(field), target._meta.label, count, shown)


def check(*, examples: int = 5) -> tuple[list[str], list[Dangling]]:
    """(every unconstrained key checked, those with dangling rows)."""
    keys = unconstrained_keys()
    found = [d for d in (dangling(f, examples=examples) for f in keys) if d.count]
    return [_name(f) for f in keys], found
