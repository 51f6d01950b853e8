"""Navigation by task force, shown on every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label): modules appear here as their apps land.
NAVIGATION = [
    ("command:home", _("Command")),
    ("places:area-list", _("Areas")),
    ("people:search", _("People")),
]


def navigation(request: HttpRequest) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    items = []
    for url_name, label in NAVIGATION:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "url": url,
                "label": label,
                "active": request.path.startswith(url) and (url != "/" or request.path == "/"),
            }
        )
    return {"nav_items": items}
