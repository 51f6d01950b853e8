"""Writes of the emergency plan (应急预案): drafting a version, editing the
draft, approving it into force (the version before it is superseded)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.command.models import PlanState, PlanVersion
from zhanyi.command.workflows import blocking
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.engine import flowcharts
from zhanyi.places.models import Area, AreaLevel

from .common import require_city

TITLE_MAX: int = PlanVersion._meta.get_field("title").max_length or 200


def _city() -> Area | None:
    return Area.objects.filter(level=AreaLevel.CITY).first()


def _checked_charts(charts: Any) -> list[dict]:
    """The flowcharts as stored, from ``Flowchart`` objects, their stored
    form or the standard file's TOML text; refused when not state machines."""
    try:
        if isinstance(charts, str):
            parsed = flowcharts.from_toml(charts)
        else:
            parsed = [
                c if isinstance(c, flowcharts.Flowchart) else flowcharts.parse(c) for c in charts
            ]
            flowcharts.parse_all(c.as_dict() for c in parsed)
    except (flowcharts.FlowchartError, AttributeError, TypeError) as exc:
        raise ValidationError(
            {"flowcharts": _("The flowcharts do not read: %(error)s.") % {"error": exc}}
        ) from exc
    return [c.as_dict() for c in parsed]


def _check_fields(number: int, title: str, exclude: int | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("A plan version needs a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title has %(n)s characters; at most %(max)s.") % {
            "n": len(title),
            "max": TITLE_MAX,
        }
    if number < 1:
        errors["number"] = _("A version number is 1 or more.")
    elif PlanVersion.objects.filter(number=number).exclude(pk=exclude or 0).exists():
        errors["number"] = _("Version %(number)s exists already.") % {"number": number}
    return errors


@transaction.atomic
def do_draft_plan_version(
    *,
    acting_user,
    number: int,
    title: str,
    effective_on: dt.date,
    text: str = "",
    charts: Any = None,
    now: dt.datetime | None = None,
    request=None,
) -> PlanVersion:
    """A new draft of the plan. Its flowcharts, unless given, are those of
    the version in force, or the standard ones when none is."""
    require_city(acting_user, "edit_operations")
    now = now or timezone.now()
    title = " ".join(title.split())
    errors = _check_fields(number, title)
    if errors:
        raise ValidationError(errors)
    if charts is None:
        in_force = PlanVersion.objects.filter(state=PlanState.IN_FORCE).first()
        charts = in_force.flowcharts if in_force else flowcharts.standard()
    plan = PlanVersion.objects.create(
        number=number,
        title=title,
        effective_on=effective_on,
        text=text.strip(),
        flowcharts=_checked_charts(charts),
        created_by_name=actor_name(acting_user),
        created_at=now,
        updated_at=now,
    )
    audit.record(
        actor=acting_user,
        action="plan.draft",
        obj=plan,
        area=_city(),
        detail={"number": number, "title": title, "flowcharts": len(plan.flowcharts)},
        request=request,
    )
    return plan


@transaction.atomic
def do_edit_plan_version(
    plan: PlanVersion,
    *,
    acting_user,
    number: int | None = None,
    title: str | None = None,
    effective_on: dt.date | None = None,
    text: str | None = None,
    charts: Any = None,
    now: dt.datetime | None = None,
    request=None,
) -> PlanVersion:
    """Change a draft; a version approved once is never changed again."""
    require_city(acting_user, "edit_operations")
    plan = PlanVersion.objects.select_for_update().get(pk=plan.pk)
    if plan.state != PlanState.DRAFT:
        raise ValidationError(
            {
                "state": _(
                    "Version %(number)s is %(state)s: only a draft is edited; "
                    "draft a new version instead."
                )
                % {"number": plan.number, "state": plan.get_state_display()}
            }
        )
    changes: dict[str, list[Any]] = {}
    new_title = " ".join(title.split()) if title is not None else plan.title
    new_number = number if number is not None else plan.number
    errors = _check_fields(new_number, new_title, exclude=plan.pk)
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {
        "number": new_number,
        "title": new_title,
        "effective_on": effective_on if effective_on is not None else plan.effective_on,
        "text": text.strip() if text is not None else plan.text,
        "flowcharts": _checked_charts(charts) if charts is not None else plan.flowcharts,
    }
    for name, value in values.items():
        old = getattr(plan, name)
        if old != value:
            changes[name] = (
                [str(old), str(value)] if name != "flowcharts" else [len(old), len(value)]
            )
            setattr(plan, name, value)
    if not changes:
        return plan
    plan.updated_at = now or timezone.now()
    plan.save(update_fields=[*changes, "updated_at"])
    audit.record(
        actor=acting_user,
        action="plan.edit",
        obj=plan,
        area=_city(),
        detail=changes,
        request=request,
    )
    return plan


@transaction.atomic
def do_approve_plan_version(
    plan: PlanVersion, *, acting_user, now: dt.datetime | None = None, request=None
) -> PlanVersion:
    """Put a draft in force; the version in force until now is superseded.
    Refused when a flowchart of a workflow zhanyi runs names a state its code
    does not know or lacks a transition its code makes: the workflows could
    not follow it."""
    require_city(acting_user, "approve")
    plan = PlanVersion.objects.select_for_update().get(pk=plan.pk)
    if plan.state != PlanState.DRAFT:
        raise ValidationError(
            {
                "state": _("Version %(number)s is %(state)s: only a draft is approved.")
                % {"number": plan.number, "state": plan.get_state_display()}
            }
        )
    problems = [f"{chart.key}: {d.detail}" for chart in plan.charts() for d in blocking(chart)]
    if problems:
        raise ValidationError(
            {
                "flowcharts": _(
                    "The workflows cannot follow these flowcharts (a state the code does "
                    "not know, or a transition the code makes that is not drawn): %(problems)s."
                )
                % {"problems": "; ".join(problems)}
            }
        )
    now = now or timezone.now()
    previous = PlanVersion.objects.select_for_update().filter(state=PlanState.IN_FORCE).first()
    if previous is not None:
        previous.state = PlanState.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["state", "superseded_at"])
    plan.state = PlanState.IN_FORCE
    plan.approved_at = now
    plan.approved_by_name = actor_name(acting_user)
    plan.save(update_fields=["state", "approved_at", "approved_by_name"])
    audit.record(
        actor=acting_user,
        action="plan.approve",
        obj=plan,
        area=_city(),
        detail={"number": plan.number, "superseded": previous.number if previous else None},
        request=request,
    )
    return plan
