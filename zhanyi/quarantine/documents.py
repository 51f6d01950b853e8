"""Documents as PDF (WeasyPrint): the quarantine notice (隔离告知书) and the
release certificate (解除隔离证明), one at a time or in bulk for a site.

The text is Chinese whatever the reader's language (the person keeps the
paper), set in a CJK font from Debian's packages (``make fonts``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.quarantine.models import Monitoring, Placement, PlacementState

from .actions.release import monitoring_days, quarantine_end

NOTICE, CERTIFICATE = "notice", "certificate"


def _page(kind: str, placement: Placement, base_url: str) -> dict:
    monitoring = Monitoring.objects.filter(placement=placement).first()
    return {
        "monitoring": monitoring,
        "report_link": base_url + reverse("quarantine:self-report", args=[monitoring.token])
        if monitoring
        else "",
        "code_link": base_url + reverse("quarantine:self-report-code"),
        "kind": kind,
        "p": placement,
        "person": placement.person,
        "site": placement.site,
        "room": placement.room,
        "starts_on": placement.starts_at.astimezone(LOCAL_TZ).date(),
        "ends_on": quarantine_end(placement).astimezone(LOCAL_TZ).date(),
        "released_on": placement.ended_at.astimezone(LOCAL_TZ).date()
        if placement.ended_at
        else None,
        "monitoring_days": monitoring_days(placement),
        "issued_on": timezone.now().astimezone(LOCAL_TZ).date(),
    }


def render_pdf(kind: str, placements: Iterable[Placement], base_url: str = "") -> bytes:
    """One page per placement; a certificate only for a released placement, with
    the self-report link and code of the home health monitoring that follows.
    ``base_url``: the site's address the links start with."""
    import weasyprint  # heavy: only the document pages need it

    pages = []
    for placement in placements:
        if kind == CERTIFICATE and placement.state != PlacementState.RELEASED:
            raise ValidationError(
                {
                    "placement": _("%(name)s is not released: no certificate yet.")
                    % {"name": placement.person.name}
                }
            )
        pages.append(_page(kind, placement, base_url))
    with translation.override("zh-hans"):
        html = render_to_string("quarantine/documents.html", {"pages": pages})
    return weasyprint.HTML(string=html).write_pdf()
