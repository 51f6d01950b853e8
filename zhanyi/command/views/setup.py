"""The first day (首日准备): what the city has loaded, what is missing, and the
pages that load its division codes, boundaries and places (the worker loads
an upload; the load's page shows its progress until it is done).

The checks come from every app's ``readiness.py`` (``zhanyi.core.readiness``),
each with the page or the command that loads it. The administrator
(``manage_users``) loads the files; a commander (``approve``) sees the list.
A load is confined to the user's jurisdiction: rows outside it are refused.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.command.forms import DataLoadForm
from zhanyi.command.setup import checks, start_reference_load
from zhanyi.core import readiness
from zhanyi.places import actions as place_actions
from zhanyi.places import queries as place_queries
from zhanyi.places.models import DataLoad, LoadKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def first_day(request: HttpRequest) -> HttpResponse:
    if not (
        has_capability(request.user, "manage_users") or has_capability(request.user, "approve")
    ):
        raise PermissionDenied(_("The first-day page is for administrators and commanders."))
    rows = checks()
    return render(
        request,
        "command/setup.html",
        {
            "rows": rows,
            "done": sum(r["status"].state == readiness.DONE for r in rows),
            "loads": place_queries.visible_loads(request.user)[:20],
            "can_load": has_capability(request.user, "manage_users"),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("manage_users")
def load_file(request: HttpRequest, kind: str) -> HttpResponse:
    place_queries.load_area_for(request.user)
    form = DataLoadForm(request.POST or None, request.FILES or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            load = start_reference_load(
                kind, form.cleaned_data["file"], form.cleaned_data, user=request.user
            )
        except place_actions.LoadFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("command:setup-load", data_load_id=load.pk)
    return render(
        request,
        "command/setup_load.html",
        {"form": form, "kind": kind, "kind_label": LoadKind(kind).label},
    )


@require_GET
@capability_required("manage_users")
def load_detail(request: HttpRequest, data_load_id: int) -> HttpResponse:
    load = place_queries.get_load_for_user(request.user, data_load_id)
    running = load.status in (DataLoad.Status.QUEUED, DataLoad.Status.RUNNING)
    return render(request, "command/setup_load_detail.html", {"load": load, "running": running})


@require_GET
@capability_required("manage_users")
def load_errors(request: HttpRequest, data_load_id: int) -> HttpResponse:
    load = place_queries.get_load_for_user(request.user, data_load_id)
    if not load.error_file:
        return HttpResponse(status=404)
    response = HttpResponse(bytes(load.error_file), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{load.kind}-errors-{load.pk}.xlsx"'
    return response
