"""Door-to-door campaigns (入户排查): campaigns, their households and visits."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core import jurisdiction
from zhanyi.core.forms import add_action_errors
from zhanyi.people.models import Household
from zhanyi.screening import actions, queries
from zhanyi.screening.forms import (
    CampaignForm,
    VisitForm,
)

from .common import PAGE_SIZE


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def campaigns(request: HttpRequest) -> HttpResponse:
    form = None
    if has_capability(request.user, "edit_operations"):
        form = CampaignForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                campaign = actions.do_start_campaign(
                    acting_user=request.user,
                    name=form.cleaned_data["name"],
                    villages=list(form.cleaned_data["villages"]),
                    request=request,
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                return redirect("screening:campaign", campaign_id=campaign.pk)
    elif request.method == "POST":
        raise PermissionDenied("requires the 'edit_operations' capability")
    return render(
        request,
        "screening/campaigns.html",
        {"campaigns": queries.campaigns_for(request.user), "form": form},
    )


@require_GET
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    the_campaign = queries.get_campaign_for_user(request.user, campaign_id)
    villages = jurisdiction.scope(the_campaign.villages.all(), request.user, "path")
    households = Household.objects.filter(village__in=villages).select_related("village")
    visited = dict(
        the_campaign.visits.filter(household__in=households).values_list("household_id", "pk")
    )
    page = Paginator(households.order_by("village__path", "address"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "screening/campaign.html",
        {
            "campaign": the_campaign,
            "villages": villages,
            "page": page,
            "visited": visited,
            "visited_count": len(visited),
            "household_count": households.count(),
        },
    )


@require_http_methods(["GET", "POST"])
def visit(request: HttpRequest, campaign_id: int, household_id: int) -> HttpResponse:
    the_campaign = queries.get_campaign_for_user(request.user, campaign_id)
    household = get_object_or_404(Household.objects.select_related("village"), pk=household_id)
    if not jurisdiction.can_see_area(request.user, household.village):
        raise Http404("no such household")
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_record_visit(
                the_campaign,
                household,
                acting_user=request.user,
                letter_delivered=data["letter_delivered"],
                questions_asked=data["questions_asked"],
                notice_posted=data["notice_posted"],
                nobody_home=data["nobody_home"],
                notes=data["notes"],
                arrivals=form.arrivals(),
                request=request,
            )
        except ValidationError as error:
            for problems in getattr(error, "message_dict", {"": error.messages}).values():
                for problem in problems:
                    form.add_error(None, problem)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("screening:campaign", campaign_id=the_campaign.pk)
    return render(
        request,
        "screening/visit.html",
        {"campaign": the_campaign, "household": household, "form": form},
    )
