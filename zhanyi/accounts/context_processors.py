"""Navigation by task force, shown on every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .landing import FIELD_TAB_LABELS, landing_page, landing_url
from .models import Role
from .roles import has_capability

# (url name, label, capability needed or None): modules appear as their apps land.
NAVIGATION = [
    ("command:home", _("Command"), None),
    ("command:report-list", _("Reports"), None),
    ("command:directives", _("Directives"), None),
    ("command:supervision", _("Supervision"), None),
    ("command:plans", _("Emergency plan"), "approve"),
    ("places:area-list", _("Areas"), None),
    ("people:search", _("People"), "view_person"),
    ("tracing:home", _("Tracing"), "view_person"),
    ("screening:home", _("Screening"), "view_person"),
    ("testing:home", _("Testing"), "view_person"),
    ("quarantine:home", _("Quarantine"), "view_person"),
    ("teams:list", _("Teams"), "view_person"),
    ("coldchain:home", _("Cold chain"), "view_person"),
    ("zones:home", _("Risk zones"), "view_person"),
    ("livelihood:home", _("Supply assurance"), "view_person"),
    ("vaccination:home", _("Vaccination"), "view_person"),
    ("supplies:home", _("Supplies"), "view_person"),
    ("checkpoints:home", _("Checkpoints"), "view_person"),
    ("workforce:home", _("People in the field"), "view_person"),
    ("clinics:home", _("Fever clinics"), "view_person"),
    ("publicity:home", _("Publicity"), "view_person"),
    ("care:home", _("Hospital care"), "view_person"),
    ("accounts:user-list", _("Users"), "manage_users"),
    ("accounts:audit-log", _("Audit log"), "view_audit"),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for url_name, label, capability in NAVIGATION:
        if capability and not has_capability(user, capability):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        active = request.path == "/" if url == "/" else request.path.startswith(url)
        items.append({"name": url_name, "url": url, "label": label, "active": active})
    return {"nav_items": items, "tab_items": _tabs(request, items, user)}


TABS_SHOWN = 4


def _tabs(request: HttpRequest, items: list[dict], user) -> list[dict]:
    """The phone's bottom tab bar: the user's own work first (their landing
    page), then the first modules they may open; the rest stay in the menu."""
    start = landing_url(user)
    own = next((i for i in items if i["url"] == start), None)
    first = {
        "name": "accounts:landing",
        "url": start,
        "label": own["label"] if own else _("My work"),
        "active": request.path == start,
    }
    if user.role == Role.FIELD:
        first["label"] = FIELD_TAB_LABELS.get(landing_page(user), _("My tasks"))
    rest = [i for i in items if i["url"] != start]
    return [first, *rest[: TABS_SHOWN - 1]]
