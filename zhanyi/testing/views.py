"""Pages of the testing task force (核酸检测专班).

- ``home``: the rounds in the user's jurisdiction, the figures, a new round.
- ``round_detail``: the round dashboard: coverage by area, turnaround by
  stage per site and lab (ECharts), who is still due, the re-test list.
- ``scan``: a sampling point's phone page; a barcode scanner acting as a
  keyboard types the tube and then each person's code, Enter after each.
- ``upload``: a lab's result file.
- ``samples_upload``: a sampling point's offline shift, as a file.
- ``pool_size``: Dorfman's recommendation for a prevalence.

Every view checks a capability and reads through ``queries`` (jurisdiction).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import figures_for, fresh_requested
from zhanyi.engine.pooling import recommend_pool_size, simulate_dorfman

from . import actions, queries
from .forms import (
    PoolSizeForm,
    ResultUploadForm,
    RoundForm,
    SampleUploadForm,
    ScanForm,
    pool_size_choices,
)

FIGURES = [
    "testing.samples_today",
    "testing.tubes_pending",
    "testing.positive_tubes",
    "testing.coverage",
]


def _problems_text(error: actions.InputError) -> list[str]:
    return [
        (f"{_('Row')} {p.row}, " if p.row is not None else "") + f"{p.field}: {p.message}"
        for p in error.problems
    ]


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    rounds = queries.rounds_for(request.user)[:50]
    can_edit = has_capability(request.user, "edit_operations")
    form = RoundForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("requires edit_operations")
        if form.is_valid():
            v = form.cleaned_data
            try:
                r = actions.do_create_round(
                    acting_user=request.user,
                    name=v["name"],
                    kind=v["kind"],
                    scope_areas=v["areas"],
                    starts_at=v["starts_at"],
                    ends_at=v["ends_at"],
                    pool_size=v["pool_size"],
                    min_age=v["min_age"],
                    max_age=v["max_age"],
                    request=request,
                )
            except actions.InputError as e:
                for text in _problems_text(e):
                    form.add_error(None, text)
            except PermissionDenied:
                form.add_error("areas", _("The area is outside your jurisdiction."))
            else:
                messages.success(request, _("Round created."))
                return redirect("testing:round", round_id=r.pk)
    figures = figures_for(request.user, FIGURES, fresh=fresh_requested(request))
    return render(
        request,
        "testing/home.html",
        {"rounds": rounds, "form": form, "can_edit": can_edit, "figures": figures},
    )


@require_GET
@capability_required("view_person")
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    r = queries.get_round_for_user(request.user, round_id)
    level = request.GET.get("level") or None
    try:
        total, rows = queries.coverage(request.user, r, level=level)
    except actions.InputError as e:
        return HttpResponseBadRequest("; ".join(_problems_text(e)))
    by_site = queries.turnaround(request.user, r, by="site")
    by_lab = queries.turnaround(request.user, r, by="lab")
    retests = queries.retest_list(request.user, r)
    chart = {
        "areas": [row.area.name for row in rows[:30]],
        "tested": [row.tested for row in rows[:30]],
        "sampled": [row.sampled - row.tested for row in rows[:30]],
        "due": [row.not_sampled for row in rows[:30]],
        "stages": [
            _("Sample to delivery"),
            _("Delivery to receipt"),
            _("Receipt to test"),
            _("Test to report"),
        ],
        "labels": {
            "tested": _("Tested"),
            "sampled": _("Awaiting result"),
            "due": _("Not sampled"),
            "median": _("Median hours"),
        },
        "sites": [
            {
                "name": s["name"],
                "values": [
                    (s[k] or {}).get("median_h")
                    for k in (
                        "sample_to_deliver",
                        "deliver_to_receive",
                        "receive_to_test",
                        "test_to_report",
                    )
                ],
            }
            for s in by_site[:10]
        ],
    }
    return render(
        request,
        "testing/round.html",
        {
            "round": r,
            "total": total,
            "rows": rows,
            "by_site": by_site,
            "by_lab": by_lab,
            "retests": [
                {
                    "name": mask_name(h.person.name),
                    "area": h.area.name,
                    "due_at": h.due_at,
                    "tube": h.detail.get("tube"),
                }
                for h in retests[:100]
            ],
            "retest_count": retests.count(),
            "chart": chart,
        },
    )


@require_GET
@capability_required("edit_operations")
def scan(request: HttpRequest) -> HttpResponse:
    """The sampling point's page: the round under way chosen, the pool size
    there for tubes outside a round."""
    sites = queries.sites_for(request.user)
    rounds = list(queries.open_rounds_for(request.user)[:20])
    chosen = request.GET.get("round", "")
    if not any(str(r.pk) == chosen for r in rounds):
        chosen = str(rounds[0].pk) if rounds else ""
    sizes = pool_size_choices()
    return render(
        request,
        "testing/scan.html",
        {
            "sites": sites,
            "rounds": rounds,
            "chosen_round": chosen,
            "pool_sizes": [k for k, _label in sizes],
            "default_pool_size": sizes[0][0],
        },
    )


@require_POST
@capability_required("edit_operations")
def scan_submit(request: HttpRequest) -> HttpResponse:
    """One scanned code (HTMX): the fragment says what happened to it."""
    form = ScanForm(request.POST)
    context: dict = {"ok": False}
    if not form.is_valid():
        context["errors"] = [
            f"{form.fields[k].label or k}: {v[0]}" if k in form.fields else v[0]
            for k, v in form.errors.items()
        ]
        return render(request, "testing/_scan_result.html", context)
    v = form.cleaned_data
    site = queries.get_site_for_user(request.user, v["site"])
    round_ = queries.get_round_for_user(request.user, v["round"]) if v.get("round") else None
    try:
        result = actions.do_scan(
            acting_user=request.user,
            barcode=v["tube"],
            codes=[v["code"]],
            site=site,
            round=round_,
            pool_size=None if round_ else v.get("pool_size"),
            request=request,
        )
    except actions.InputError as e:
        context["errors"] = [p.message for p in e.problems]
        context["tube_closed"] = any(p.code == "closed" for p in e.problems)
        return render(request, "testing/_scan_result.html", context)
    context.update(
        ok=bool(result.accepted),
        result=result,
        errors=[p.message for p in result.refused],
        tube_closed=result.closed,
    )
    return render(request, "testing/_scan_result.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("edit_operations")
def upload(request: HttpRequest) -> HttpResponse:
    form = ResultUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            lab = queries.get_lab(form.cleaned_data["lab"].strip())
        except Http404:
            form.add_error("lab", _("No laboratory with this code."))
        else:
            f = form.cleaned_data["file"]
            rows, problems = actions.parse_results_csv(f.file)
            report = actions.do_record_results(
                acting_user=request.user,
                lab=lab,
                rows=rows,
                via="file",
                filename=f.name,
                parse_problems=problems,
                request=request,
            )
    return render(request, "testing/upload.html", {"form": form, "report": report})


@require_http_methods(["GET", "POST"])
@capability_required("edit_operations")
def samples_upload(request: HttpRequest, round_id: int) -> HttpResponse:
    r = queries.get_round_for_user(request.user, round_id)
    form = SampleUploadForm(request.POST or None, request.FILES or None)
    report = filename = None
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        filename = f.name
        swabs, problems = actions.read_sample_file(f, f.name)
        try:
            report = actions.do_upload_samples(
                acting_user=request.user,
                round=r,
                swabs=swabs,
                parse_problems=problems,
                request=request,
            )
        except PermissionDenied:
            form.add_error("file", _("The file names a sampling site outside your jurisdiction."))
    return render(
        request,
        "testing/samples_upload.html",
        {"round": r, "form": form, "report": report, "filename": filename},
    )


@require_GET
@capability_required("view_person")
def pool_size(request: HttpRequest) -> HttpResponse:
    rule = actions.common.testing_rule()
    form = PoolSizeForm(request.GET or None)
    rec = sim = None
    if form.is_valid():
        v = form.cleaned_data
        rec = recommend_pool_size(
            v["prevalence"],
            sizes=rule.pool_sizes,
            cap=v["cap"] or rule.max_pool_size,
            population=v["population"] or 1,
        )
        sim = simulate_dorfman(200_000, v["prevalence"], rec.best.pool_size, seed=2021)
    return render(request, "testing/pool_size.html", {"form": form, "rec": rec, "sim": sim})
