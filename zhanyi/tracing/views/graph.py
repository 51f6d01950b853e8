"""Chains of transmission (传播链) of the cases in the user's jurisdiction."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhanyi.tracing import actions, queries


@require_GET
def graph(request: HttpRequest) -> HttpResponse:
    """Chains of transmission of the cases in the user's jurisdiction."""
    queries.require_tracing_access(request.user)
    return render(request, "tracing/graph.html", {"case": None})


@require_GET
def graph_data(request: HttpRequest) -> JsonResponse:
    """The graph's nodes and edges; ``?masked=1`` masks the names (a wall screen)."""
    case_id = request.GET.get("case", "")
    case = queries.get_case_for_user(request, int(case_id)) if case_id.isdigit() else None
    if case is None:
        queries.require_tracing_access(request.user)
    masked = request.GET.get("masked") == "1"
    graph = queries.transmission_graph(request.user, case, masked=masked)
    actions.record_graph_view(
        acting_user=request.user, case=case, graph=graph, masked=masked, request=request
    )
    return JsonResponse(graph)
