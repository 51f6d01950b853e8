"""The public notice (通告) of a zone decision as PDF (WeasyPrint), in
Chinese whatever the reader's language, set in the CJK font the quarantine
documents use."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from zhanyi.zones.models import ZoneEvent
from zhanyi.zones.notices import NOTICE_LANGUAGE


def notice_pdf(event: ZoneEvent) -> bytes:
    import weasyprint  # heavy: only the notice pages need it

    title, _, rest = event.notice.partition("\n")
    body = [line for line in rest.split("\n") if line.strip()]
    with translation.override(NOTICE_LANGUAGE):
        html = render_to_string(
            "zones/notice.html", {"title": title, "lines": body[:-1], "signed": body[-1:]}
        )
    return weasyprint.HTML(string=html).write_pdf()
