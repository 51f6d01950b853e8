"""What a city has loaded on its first day (首日准备), and what is still missing.

A city that installs zhanyi in the first hours of an outbreak loads its areas,
boundaries, people, places, staff, headquarters and data feeds, and needs to
see at a glance what is done. Each app says what it needs in its own
``readiness.py`` with ``@check`` (found by Django's module autodiscovery, as the
admin finds ``admin.py``): a label, its place in the list, the page and the
command that load it, and a function measuring it now. The first-day page
(``command``) and ``zhanyi status`` list the checks in order.

A check measures with plain counts from its own app's tables, and answers a
``Status``: done, partial or missing, one line saying what is there (or what is
not), and a few lines of detail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DONE, PARTIAL, MISSING = "done", "partial", "missing"
STATE_LABELS = {
    DONE: gettext_lazy("Loaded"),
    PARTIAL: gettext_lazy("Partly loaded"),
    MISSING: gettext_lazy("Missing"),
}


@dataclass(frozen=True)
class Status:
    state: str  # DONE, PARTIAL or MISSING
    summary: str
    details: list[str] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass(frozen=True)
class Check:
    key: str
    label: Any  # a lazy translation
    order: int
    measure: Callable[[], Status]
    #: The URL name of the page that loads it ("" when there is none).
    url: str = ""
    #: The command line that loads it.
    command: str = ""


_CHECKS: dict[str, Check] = {}


def check(key: str, label: Any, *, order: int, url: str = "", command: str = ""):
    """Declare a check: ``@check("areas", _("Areas"), order=10, url=…, command=…)``
    on a function of no arguments returning a ``Status``."""

    def register(fn: Callable[[], Status]) -> Callable[[], Status]:
        _CHECKS[key] = Check(key, label, order, fn, url, command)
        return fn

    return register


def registered() -> list[Check]:
    autodiscover_modules("readiness")
    return sorted(_CHECKS.values(), key=lambda c: (c.order, c.key))


def run() -> list[tuple[Check, Status]]:
    """Every check measured now, in order. A check that fails to measure says
    so as missing, rather than hiding the others."""
    out = []
    for item in registered():
        try:
            status = item.measure()
        except Exception as error:
            status = Status(MISSING, _("Could not be measured: %(error)s") % {"error": error})
        out.append((item, status))
    return out


def counted(n: int, *, done_at: int = 1, summary: str) -> Status:
    """A status from one count: done at ``done_at`` or more, missing at none."""
    if n >= done_at:
        return Status(DONE, summary)
    return Status(PARTIAL if n else MISSING, summary)


@check("protocol", gettext_lazy("Protocol edition"), order=70, command="zhanyi trace protocol")
def _protocol() -> Status:
    from zhanyi.engine.protocol import DEFAULT_PROTOCOL, load_protocol

    info = load_protocol(DEFAULT_PROTOCOL).info
    return Status(
        DONE,
        _("%(title)s (edition %(edition)s, in force from %(date)s)")
        % {"title": info.title or info.name, "edition": info.edition, "date": info.effective_date},
    )
