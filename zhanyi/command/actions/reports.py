"""Writes of the twice-daily report (每日两报): taking it, and the desk's commentary.

A report is taken for a slot, a day's 12:00 or 20:00 by default
(``settings.REPORT_TIMES``, local time): the clock's job takes the latest
slot that has passed when nobody has taken it yet, and a commander may take
one by hand (the page, the API, ``zhanyi command report take``). Every number
in it is a registered figure computed then (``metrics.compute``, never the
dashboards' cache), for the city and each county.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from zhanyi.command.models import Report, ReportFigure
from zhanyi.core import audit, metrics
from zhanyi.core.actors import actor_name
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area, AreaLevel

from .common import require_city


def report_times() -> list[dt.time]:
    return [dt.time.fromisoformat(t.zfill(5)) for t in settings.REPORT_TIMES]


def latest_slot(now: dt.datetime) -> dt.datetime:
    """The last report slot at or before ``now`` (today's or yesterday's)."""
    local = now.astimezone(LOCAL_TZ)
    for day in (local.date(), local.date() - dt.timedelta(days=1)):
        for at in reversed(report_times()):
            slot = dt.datetime.combine(day, at, tzinfo=LOCAL_TZ)
            if slot <= local:
                return slot
    raise AssertionError("a day always has a slot")  # pragma: no cover


def report_areas() -> list[Area]:
    """The areas a report covers: the city, then each county."""
    city = list(Area.objects.filter(level=AreaLevel.CITY).order_by("path"))
    counties = list(Area.objects.filter(level=AreaLevel.COUNTY).order_by("path"))
    return city + counties


def _check_slot(scheduled_for: dt.datetime, now: dt.datetime) -> None:
    local = scheduled_for.astimezone(LOCAL_TZ)
    if local.timetz().replace(tzinfo=None) not in report_times() or local.second:
        raise ValidationError(
            {
                "scheduled_for": _("A report is taken at %(times)s, not at %(time)s.")
                % {"times": ", ".join(settings.REPORT_TIMES), "time": f"{local:%H:%M}"}
            }
        )
    if scheduled_for > now:
        raise ValidationError(
            {
                "scheduled_for": _("The %(time)s report cannot be taken before its time.")
                % {"time": f"{local:%Y-%m-%d %H:%M}"}
            }
        )
    if Report.objects.filter(scheduled_for=scheduled_for).exists():
        raise ValidationError(
            {
                "scheduled_for": _("The %(time)s report has been taken already.")
                % {"time": f"{local:%Y-%m-%d %H:%M}"}
            }
        )


def do_take_report(
    *, acting_user, scheduled_for: dt.datetime, now: dt.datetime | None = None, request=None
) -> Report:
    """Take the report of ``scheduled_for``: every registered figure for the
    city and each county, computed now, with the change since the report
    before it.

    The figures are computed before the write begins: computing them takes a
    while at a city's scale, and on SQLite a transaction holds the one write
    lock from its start, so a report computed inside it kept every login and
    every desk waiting (and failing after the busy timeout) meanwhile. The
    report and its figures are then written in one short transaction."""
    require_city(acting_user, "approve")
    now = now or timezone.now()
    _check_slot(scheduled_for, now)
    _previous_report(scheduled_for)  # refuse early, before the long part
    values = _compute_figures()
    with transaction.atomic():
        previous_report = _previous_report(scheduled_for)
        before = {}
        if previous_report is not None:
            before = {(f.area_id, f.name): f.value for f in previous_report.figures.all()}
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    scheduled_for=scheduled_for,
                    taken_at=now,
                    taken_by=actor_name(acting_user),
                    previous=previous_report,
                )
        except IntegrityError:
            raise ValidationError(
                {
                    "scheduled_for": _("The %(time)s report has been taken already.")
                    % {"time": f"{scheduled_for.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"}
                }
            ) from None
        rows = []
        for area, name, label, unit, order, value in values:
            old = before.get((area.pk, name))
            rows.append(
                ReportFigure(
                    report=report,
                    area=area,
                    name=name,
                    label=label,
                    unit=unit,
                    order=order,
                    value=value,
                    previous_value=old,
                    change=None if old is None else value - old,
                )
            )
        ReportFigure.objects.bulk_create(rows)
        audit.record(
            actor=acting_user,
            action="report.take",
            obj=report,
            detail={
                "scheduled_for": scheduled_for.isoformat(),
                "figures": len(rows),
                "previous": previous_report.pk if previous_report else None,
            },
            request=request,
        )
    return report


def _previous_report(scheduled_for: dt.datetime) -> Report | None:
    """The report before ``scheduled_for``; refused when a later one exists."""
    previous = Report.objects.filter(scheduled_for__lt=scheduled_for).order_by("-scheduled_for")
    previous_report = previous.first()
    if previous_report is not None and hasattr(previous_report, "next"):
        raise ValidationError(
            {
                "scheduled_for": _("A later report than %(time)s has been taken already.")
                % {"time": f"{scheduled_for.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"}
            }
        )
    return previous_report


def _compute_figures() -> list[tuple[Area, str, str, str, int, float]]:
    """Every registered figure for the city and each county, computed now:
    (area, name, label, unit, order, value), labels in the site's language.
    A figure with a form for many areas is computed once for all of them
    (one grouped query, ``metrics.compute_in``), the others area by area."""
    registered = metrics.registered()
    with override(settings.LANGUAGE_CODE):
        labels = {f.name: (str(f.label), str(f.unit)) for f in registered}
    values = []
    areas = report_areas()
    for area, figures in zip(areas, metrics.compute_in(areas), strict=True):
        for value in figures:
            name = value["name"]
            values.append(
                (
                    area,
                    name,
                    labels[name][0],
                    labels[name][1],
                    metrics.get(name).order,
                    float(value["value"]),
                )
            )
    return values


def do_take_due_report(*, acting_user, now: dt.datetime) -> Report | None:
    """The clock's job: take the latest slot's report unless it is taken (or
    a later one is, after a clock change)."""
    slot = latest_slot(now)
    if Report.objects.filter(scheduled_for__gte=slot).exists():
        return None
    try:
        return do_take_report(acting_user=acting_user, scheduled_for=slot, now=now)
    except ValidationError:
        return None  # another scheduler took it between our look and our write


@transaction.atomic
def do_comment_report(report: Report, *, acting_user, commentary: str, request=None) -> Report:
    """The coordination desk's commentary on a report (its numbers never change)."""
    require_city(acting_user, "approve")
    commentary = commentary.strip()
    old = report.commentary
    report.commentary = commentary
    report.commentary_by = actor_name(acting_user)
    report.commentary_at = timezone.now()
    report.save(update_fields=["commentary", "commentary_by", "commentary_at"])
    audit.record(
        actor=acting_user,
        action="report.comment",
        obj=report,
        detail={"old": old, "new": commentary},
        request=request,
    )
    return report
