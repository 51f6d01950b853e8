from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhanyi.accounts.models import Headquarters
from zhanyi.command import groups, queries
from zhanyi.core import metrics
from zhanyi.places import queries as place_queries


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    fresh = metrics.fresh_requested(request)
    area = None
    children = []
    if user.is_superuser or user.jurisdiction_id:
        area = place_queries.root_area_for(user)
        children = place_queries.children_with_counts(area)
    return render(
        request,
        "command/home.html",
        {
            "area": area,
            "children": children,
            "figures": (figures := queries.home_figures(user, fresh=fresh)),
            "groups": groups.grouped(figures),
            "headquarters": Headquarters.objects.prefetch_related("task_forces")
            .select_related("area")
            .order_by("id"),
        },
    )


def figures_fragment(request: HttpRequest) -> HttpResponse:
    """The live counts, refreshed in place by HTMX (``?fresh=1``: computed now)."""
    figures = queries.home_figures(request.user, fresh=metrics.fresh_requested(request))
    return render(
        request, "command/_figures.html", {"figures": figures, "groups": groups.grouped(figures)}
    )
