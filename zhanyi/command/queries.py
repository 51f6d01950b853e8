"""Reads for the headquarters' pages."""

from __future__ import annotations

from zhanyi.core import metrics


def home_figures(user, *, fresh: bool = False) -> metrics.FigureValues:
    """Every figure for the user's area, as the dashboards show them (cached
    for a few seconds, shared; ``fresh`` computes them again now)."""
    if not user.is_superuser and user.jurisdiction_id is None:
        return metrics.FigureValues()
    return metrics.figures_for(user, fresh=fresh)
