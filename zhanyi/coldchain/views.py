"""Pages of the cold-chain work (进口冷链食品).

- ``home``: the figures, the cold stores, the batches (held first, with the
  documents they lack), a new store, a new batch, a spreadsheet from customs,
  and every complete batch released at once.
- ``batch_detail``: a batch's documents and release (refused with what is
  missing), its workers per step, where it went, its samples; a positive
  sample seals it and hands its people to testing and their village teams.
- ``import_detail``: a spreadsheet's warnings and refused rows, and the error file.

Every view checks a capability and reads through ``queries`` (jurisdiction);
every write is an action.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core import audit
from zhanyi.core.forms import add_action_errors
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import figures_for, fresh_requested
from zhanyi.handoffs.models import Handoff

from . import actions, exports, queries
from .actions.batches import release_refusal
from .forms import (
    BatchForm,
    DistributionForm,
    DocumentsForm,
    HandlingForm,
    ImportForm,
    SampleForm,
    StoreForm,
)
from .models import DOCUMENTS, BatchState

FIGURES = [
    "coldchain.batches",
    "coldchain.tonnes",
    "coldchain.held",
    "coldchain.released",
    "coldchain.positive_samples",
]


def _refusal_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    can_edit = has_capability(request.user, "edit_operations")
    what = request.POST.get("form")
    stores = queries.stores_for(request.user)
    store_form = StoreForm(request.POST if what == "store" else None, user=request.user)
    batch_form = BatchForm(request.POST if what == "batch" else None)
    import_form = ImportForm(
        request.POST if what == "import" else None, request.FILES if what == "import" else None
    )
    batch_form.set_stores(stores)
    import_form.set_stores(stores)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("requires edit_operations")
        done = _home_post(request, what, store_form, batch_form, import_form)
        if done is not None:
            return done
    state = request.GET.get("state", "")
    batches = queries.batches_for(request.user)
    if state in BatchState.values:
        batches = batches.filter(state=state)
    return render(
        request,
        "coldchain/home.html",
        {
            "figures": figures_for(request.user, FIGURES, fresh=fresh_requested(request)),
            "stores": stores,
            "batches": batches.order_by("state", "-arrived_at")[:300],
            "states": BatchState.choices,
            "state": state,
            "imports": queries.imports_for(request.user)[:10],
            "can_edit": can_edit,
            "store_form": store_form,
            "batch_form": batch_form,
            "import_form": import_form,
        },
    )


def _home_post(request, what, store_form, batch_form, import_form):
    try:
        if what == "store" and store_form.is_valid():
            v = store_form.cleaned_data
            actions.do_create_store(
                acting_user=request.user,
                name=v["name"],
                area=v["area"],
                address=v["address"],
                request=request,
            )
            return redirect("coldchain:home")
        if what == "batch" and batch_form.is_valid():
            v = batch_form.cleaned_data
            batch = actions.do_create_batch(
                acting_user=request.user,
                code=v["code"],
                product=v["product"],
                origin_country=v["origin_country"],
                weight_tonnes=v["weight_tonnes"],
                store=v["store"],
                arrived_at=v["arrived_at"],
                documents={n: v[n] for n in DOCUMENTS},
                request=request,
            )
            return redirect("coldchain:batch", batch_id=batch.pk)
        if what == "import" and import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            run = actions.do_import_batches(
                upload,
                upload.name,
                acting_user=request.user,
                default_store=import_form.cleaned_data["store"],
                request=request,
            )
            return redirect("coldchain:import", run_id=run.pk)
        if what == "release_complete":
            released = actions.do_release_complete_batches(
                queries.batches_for(request.user), acting_user=request.user, request=request
            )
            messages.success(request, _("%(n)d batches released.") % {"n": released})
            return redirect("coldchain:home")
    except ValidationError as error:
        form = {"store": store_form, "batch": batch_form, "import": import_form}.get(what)
        if form is not None and hasattr(form, "cleaned_data"):
            add_action_errors(form, error)
        messages.error(request, _refusal_text(error))
    except PermissionDenied:
        messages.error(request, _("That is outside your jurisdiction."))
    return None


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = queries.get_batch_for_user(request.user, batch_id)
    can_edit = has_capability(request.user, "edit_operations")
    what = request.POST.get("form")
    forms = {
        "documents": DocumentsForm(
            request.POST if what == "documents" else None,
            initial={n: getattr(batch, n) for n in DOCUMENTS},
        ),
        "handling": HandlingForm(request.POST if what == "handling" else None, user=request.user),
        "distribution": DistributionForm(
            request.POST if what == "distribution" else None, user=request.user
        ),
        "sample": SampleForm(request.POST if what == "sample" else None),
    }
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("requires edit_operations")
        if _batch_post(request, batch, what, forms):
            return redirect("coldchain:batch", batch_id=batch.pk)
    handlings = list(batch.handlings.select_related("person"))
    distributions = list(batch.distributions.select_related("receiver", "area"))
    persons = sorted({h.person_id for h in handlings} | {d.receiver_id for d in distributions})
    if persons:
        audit.record(
            actor=request.user,
            action="coldchain.batch.view",
            obj=batch,
            area=batch.store.area,
            detail={"persons": persons},
            request=request,
        )
    return render(
        request,
        "coldchain/batch.html",
        {
            "batch": batch,
            "documents": [(label, getattr(batch, name)) for name, label in DOCUMENTS.items()],
            "refusal": release_refusal(batch),
            "handlings": [{"h": h, "name": mask_name(h.person.name)} for h in handlings],
            "distributions": [{"d": d, "name": mask_name(d.receiver.name)} for d in distributions],
            "samples": batch.samples.all(),
            "traced": Handoff.objects.filter(origin=f"coldchain.batch:{batch.pk}").count(),
            "can_edit": can_edit,
            "forms": forms,
        },
    )


def _batch_post(request, batch, what, forms) -> bool:
    """Run the posted form's action; True when done (redirect), False to show errors."""
    form = forms.get(what)
    try:
        if what == "release":
            actions.do_release_batch(batch, acting_user=request.user, request=request)
            messages.success(request, _("Batch %(code)s released.") % {"code": batch.code})
            return True
        if form is None or not form.is_valid():
            return False
        v = form.cleaned_data
        if what == "documents":
            actions.do_set_documents(batch, v, acting_user=request.user, request=request)
        elif what == "handling":
            actions.do_record_handling(
                batch,
                v["person"],
                step=v["step"],
                handled_at=v["handled_at"],
                acting_user=request.user,
                request=request,
            )
        elif what == "distribution":
            actions.do_distribute(
                batch,
                buyer=v["buyer"],
                receiver=v["receiver"],
                quantity_tonnes=v["quantity_tonnes"],
                delivered_on=v["delivered_on"],
                area=v["area"],
                acting_user=request.user,
                request=request,
            )
        elif what == "sample":
            sample = actions.do_record_sample(
                batch,
                kind=v["kind"],
                result=v["result"],
                sampled_at=v["sampled_at"],
                acting_user=request.user,
                request=request,
            )
            if sample.traced_people:
                messages.warning(
                    request,
                    _("Batch sealed; %(n)d people handed to testing and their village teams.")
                    % {"n": sample.traced_people},
                )
        return True
    except ValidationError as error:
        if form is not None:
            add_action_errors(form, error)
        messages.error(request, _refusal_text(error))
    except PermissionDenied:
        messages.error(request, _("You may not do that here."))
    return what == "release"


@require_GET
@capability_required("view_person")
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = queries.get_import_for_user(request.user, run_id)
    return render(request, "coldchain/import.html", {"run": run})


@require_GET
@capability_required("view_person")
def import_errors(request: HttpRequest, run_id: int) -> HttpResponse:
    run = queries.get_import_for_user(request.user, run_id)
    response = HttpResponse(
        exports.error_workbook(run),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="coldchain-import-{run.pk}-errors.xlsx"'
    )
    return response
