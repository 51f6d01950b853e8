"""Reads for the headquarters' pages."""

from __future__ import annotations

from zhanyi.core import metrics
from zhanyi.places.models import Area


def metrics_area(user) -> Area | None:
    """The area figures are computed for: ``metrics.area_for`` (None = all, for
    a superuser without a jurisdiction; PermissionDenied for anyone else without one)."""
    return metrics.area_for(user)


def home_figures(user, *, fresh: bool = False) -> metrics.FigureValues:
    """Every figure for the user's area, as the dashboards show them (cached
    for a few seconds, shared; ``fresh`` computes them again now)."""
    if not user.is_superuser and user.jurisdiction_id is None:
        return metrics.FigureValues()
    return metrics.figures_for(user, fresh=fresh)
