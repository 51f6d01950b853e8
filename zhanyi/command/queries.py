"""Reads for the headquarters' pages."""

from __future__ import annotations

from zhanyi.core import metrics
from zhanyi.places.models import Area


def metrics_area(user) -> Area | None:
    """The area figures are computed for: the user's jurisdiction (None = all)."""
    if user.is_superuser and user.jurisdiction_id is None:
        return None
    return user.jurisdiction


def home_figures(user, *, fresh: bool = False) -> metrics.FigureValues:
    """Every figure for the user's area, as the dashboards show them (cached
    for a few seconds, shared; ``fresh`` computes them again now)."""
    if not user.is_superuser and user.jurisdiction_id is None:
        return metrics.FigureValues()
    return metrics.figures_for(user, fresh=fresh)
