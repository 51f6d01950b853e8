"""Press conferences (新闻发布会): recorded with their speakers and topics."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.places.models import Area
from zhanyi.publicity.models import PressConference

from .common import clean_text, local, require


def _lines(text: str) -> str:
    """One entry a line, blank lines and outer spaces dropped (a pasted list
    with 、 or ; between the entries is split there too)."""
    entries: list[str] = []
    for line in (text or "").replace("；", "\n").replace(";", "\n").splitlines():
        entries.extend(p.strip() for p in line.split("、") if p.strip())
    return "\n".join(entries)


@transaction.atomic
def do_record_conference(
    *,
    acting_user,
    title: str,
    held_at: dt.datetime,
    area: Area,
    speakers: str,
    topics: str,
    place: str = "",
    request=None,
) -> PressConference:
    require(acting_user, "edit_operations", area)
    fields = clean_text(
        PressConference,
        {"title": title, "place": place, "speakers": _lines(speakers), "topics": _lines(topics)},
        required=("title", "speakers", "topics"),
    )
    if PressConference.objects.filter(area=area, held_at=held_at).exists():
        raise ValidationError(
            {
                "held_at": _("%(area)s has a press conference at %(time)s already.")
                % {"area": area.name, "time": local(held_at)}
            }
        )
    conference = PressConference.objects.create(
        held_at=held_at, area=area, recorded_by_name=actor_name(acting_user), **fields
    )
    audit.record(
        actor=acting_user,
        action="publicity.conference",
        obj=conference,
        area=area,
        detail={"title": conference.title, "held_at": held_at.isoformat()},
        request=request,
    )
    return conference
