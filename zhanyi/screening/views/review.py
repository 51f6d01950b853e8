"""The review queue (人工核对): records the linkage was unsure of."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhanyi.people import display
from zhanyi.people.linkage import LinkageUnavailable
from zhanyi.people.models import Person
from zhanyi.screening import actions, exports, queries

from .common import PAGE_SIZE, abilities


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.review_queue_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    exports.record_list_view(request, "review", page)
    return render(request, "screening/review.html", {"page": page, **abilities(request.user)})


@require_http_methods(["GET", "POST"])
def review_record(request: HttpRequest, record_id: int) -> HttpResponse:
    record = queries.get_review_record_for_user(request.user, record_id)
    candidates = list(Person.objects.filter(pk__in=record.candidates).select_related("village"))
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "reject":
                actions.do_reject_candidates(record, acting_user=request.user, request=request)
            else:
                person = next(
                    (p for p in candidates if str(p.pk) == request.POST.get("person", "")), None
                )
                if person is None:
                    raise ValidationError(_("Choose one of the candidates."))
                actions.do_confirm_candidate(
                    record, person, acting_user=request.user, request=request
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except LinkageUnavailable as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The record is decided and dispatched."))
            return redirect("screening:review")
    exports.record_view(request, record, candidates)
    return render(
        request,
        "screening/review_record.html",
        {
            "record": record,
            "identity": display.identity_for(request.user, record.identity_number),
            "phone": display.phone_for(request.user, record.phone),
            "candidates": [
                {
                    "person": p,
                    "identity": display.identity_for(request.user, p.identity_number),
                    "phone": display.phone_for(request.user, p.phone),
                }
                for p in candidates
            ],
            **abilities(request.user),
        },
    )
