"""The screening desk (协查工作台): figures, open tasks and queues."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhanyi.accounts.roles import capability_required
from zhanyi.core.metrics import FigureValues, area_for, figures_for, fresh_requested, registered
from zhanyi.screening import queries
from zhanyi.screening.actions.linking import can_review
from zhanyi.screening.metrics import breakdowns_shown

from .common import abilities


def _screening_figures(request: HttpRequest) -> FigureValues:
    names = [f.name for f in registered() if f.name.startswith("screening.")]
    return figures_for(request.user, names, fresh=fresh_requested(request))


@require_GET
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    """The screening desk: figures, my open tasks, the queues for those who work them."""
    user = request.user
    queries.require_jurisdiction(user)
    breakdowns = breakdowns_shown(area_for(user), fresh=fresh_requested(request))
    context = {
        "figures": _screening_figures(request),
        "open_tasks": queries.open_tasks_for(user)[:10],
        "overdue_count": queries.overdue_tasks_for(user).count(),
        "review_count": queries.review_queue_for(user).count() if can_review(user) else 0,
        "by_source": breakdowns["source"],
        "by_area": breakdowns["area"],
        **abilities(user),
    }
    return render(request, "screening/home.html", context)
