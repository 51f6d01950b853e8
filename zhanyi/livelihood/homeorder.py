"""The public order pages of sealed homes (封控区居民手机下单): no account. The
household opens its one-time link (``o/<token>/``) or types its short code
(``o/``), chooses a store of its county and writes what it needs; the page
shows the household's own orders and where each is. Both pages are rate-limited
per address (and the order page per link), so codes cannot be guessed in bulk
and a link cannot flood a store."""

from __future__ import annotations

import time

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhanyi.core import ratelimit
from zhanyi.core.forms import add_action_errors

from . import actions
from .actions.orders import stores_for
from .forms import CodeForm, OrderForm
from .models import HomeLink

#: Per address: codes typed (guessing one is 31^8 to one), and order pages opened or sent.
CODE_TRIES, PAGE_HITS, WINDOW_S = 10, 60, 600
#: Per link: orders sent in the window.
ORDERS_PER_LINK = 10


def _limited(request: HttpRequest, scope: str, value: str, limit: int) -> HttpResponse | None:
    until = ratelimit.take(
        ratelimit.key_for(scope, value), limit=limit, window_s=WINDOW_S, now=time.time()
    )
    if until is None:
        return None
    minutes = max(1, round((until - time.time()) / 60))
    return render(
        request,
        "livelihood/home_order_wait.html",
        {"minutes": minutes},
        status=429,
    )


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "livelihood/home_order_expired.html", status=410)


@login_not_required
@require_http_methods(["GET", "POST"])
def enter_code(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if limited := _limited(request, "home-order-code", _address(request), CODE_TRIES):
            return limited
        if form.is_valid():
            code = form.cleaned_data["code"].strip().upper().replace(" ", "")
            link = HomeLink.objects.filter(code=code).first()
            if link is None:
                form.add_error("code", _("No such code."))
            elif timezone.now() >= link.expires_at:
                return _expired(request)
            else:
                return redirect("livelihood:home-order", token=link.token)
    return render(request, "livelihood/home_order_code.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def order_page(request: HttpRequest, token: str) -> HttpResponse:
    if limited := _limited(request, "home-order-page", _address(request), PAGE_HITS):
        return limited
    link = HomeLink.objects.select_related("household", "area").filter(token=token).first()
    if link is None or timezone.now() >= link.expires_at:
        return _expired(request)
    stores = list(stores_for(link))
    form = OrderForm(request.POST or None, stores=stores)
    placed = None
    if request.method == "POST":
        if limited := _limited(request, "home-order-send", link.token, ORDERS_PER_LINK):
            return limited
        if form.is_valid():
            store = next(s for s in stores if str(s.pk) == form.cleaned_data["facility"])
            try:
                placed = actions.do_place_order(
                    link,
                    facility=store,
                    items=form.cleaned_data["items"],
                    phone=form.cleaned_data["phone"],
                    request=request,
                )
                form = OrderForm(stores=stores)
            except ValidationError as error:
                add_action_errors(form, error)
    orders = link.orders.select_related("facility").prefetch_related("steps")[:20]
    return render(
        request,
        "livelihood/home_order.html",
        {
            "form": form,
            "placed": placed,
            "orders": orders,
            "link": link,
            "has_stores": bool(stores),
        },
    )
