"""Media reports (媒体报道): one report, or an outlet's reports of a day counted."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.places.models import Area
from zhanyi.publicity.models import MediaKind, MediaLevel, MediaReport, PressConference

from .common import clean_text, require

#: The most reports one row counts (the article's largest tally: 12,206).
MAX_COUNT = 1_000_000


@transaction.atomic
def do_record_media_report(
    *,
    acting_user,
    outlet: str,
    level: str,
    kind: str,
    published_on: dt.date,
    area: Area,
    title: str = "",
    url: str = "",
    count: int = 1,
    conference: PressConference | None = None,
    now: dt.datetime | None = None,
    request=None,
) -> MediaReport:
    require(acting_user, "edit_operations", area)
    errors: dict[str, list[str]] = {}
    if level not in MediaLevel.values:
        errors["level"] = [_("Unknown level of media: %(level)s.") % {"level": level}]
    if kind not in MediaKind.values:
        errors["kind"] = [_("Unknown kind of media: %(kind)s.") % {"kind": kind}]
    if not 1 <= count <= MAX_COUNT:
        errors["count"] = [
            _("Count from one to %(max)s reports (given: %(count)s).")
            % {"count": count, "max": f"{MAX_COUNT:,}"}
        ]
    today = timezone.localdate(now or timezone.now())
    if published_on > today:
        errors["published_on"] = [
            _("%(date)s is still to come.") % {"date": published_on.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    fields = clean_text(
        MediaReport, {"outlet": outlet, "title": title, "url": url}, required=("outlet",)
    )
    report = MediaReport.objects.create(
        level=level,
        kind=kind,
        published_on=published_on,
        area=area,
        count=count,
        conference=conference,
        recorded_by_name=actor_name(acting_user),
        recorded_at=now or timezone.now(),
        **fields,
    )
    audit.record(
        actor=acting_user,
        action="publicity.media",
        obj=report,
        area=area,
        detail={"outlet": report.outlet, "level": level, "kind": kind, "count": count},
        request=request,
    )
    return report
