"""Writes of directives (指令): issued by the headquarters, acknowledged and
done by their owner (a task force, or an area's staff), verified by the
headquarters; an overdue one is escalated once by the clock's job."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForce
from zhanyi.command.models import Directive, DirectiveState, Meeting
from zhanyi.core import audit
from zhanyi.core.actors import actor_name, actor_user
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area

from .common import is_system, require_in_area

TITLE_MAX: int = Directive._meta.get_field("title").max_length or 200


def _local(value: dt.datetime) -> str:
    return f"{value.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


@transaction.atomic
def do_issue_directive(
    *,
    acting_user,
    title: str,
    area: Area,
    due_at: dt.datetime,
    body: str = "",
    task_force: TaskForce | None = None,
    meeting: Meeting | None = None,
    now: dt.datetime | None = None,
    request=None,
) -> Directive:
    """Issue a directive over ``area``, owned by ``task_force`` (or by the
    area's staff when none), to be done by ``due_at``."""
    require_in_area(acting_user, "approve", area)
    now = now or timezone.now()
    title = " ".join(title.split())
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("A directive needs a title saying what is to be done.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title has %(n)s characters; at most %(max)s.") % {
            "n": len(title),
            "max": TITLE_MAX,
        }
    if due_at <= now:
        errors["due_at"] = _(
            "The deadline %(due)s is not after the directive is issued (%(now)s)."
        ) % {
            "due": _local(due_at),
            "now": _local(now),
        }
    if task_force is not None:
        hq_path = task_force.headquarters.area.path
        if not (area.path.startswith(hq_path) or hq_path.startswith(area.path)):
            errors["task_force"] = _(
                "The %(task_force)s task force of %(hq)s does not work in %(area)s."
            ) % {
                "task_force": task_force.get_kind_display(),
                "hq": task_force.headquarters.name,
                "area": area.name,
            }
    if errors:
        raise ValidationError(errors)
    directive = Directive.objects.create(
        title=title,
        body=body.strip(),
        issued_by=actor_user(acting_user),
        issued_by_name=actor_name(acting_user),
        issued_at=now,
        task_force=task_force,
        area=area,
        due_at=due_at,
        meeting=meeting,
    )
    audit.record(
        actor=acting_user,
        action="directive.issue",
        obj=directive,
        area=area,
        detail={
            "title": title,
            "due_at": due_at.isoformat(),
            "task_force": task_force.kind if task_force else "",
            "meeting": meeting.pk if meeting else None,
        },
        request=request,
    )
    return directive


def _require_owner(directive: Directive, acting_user) -> None:
    """The actor works for the directive's owner: a member of its task force,
    or staff of its area when no task force owns it."""
    require_in_area(acting_user, "edit_operations", directive.area)
    if is_system(acting_user) or directive.task_force_id is None:
        return
    task_force = directive.task_force
    if task_force is not None and acting_user.task_force_id != task_force.pk:
        raise PermissionDenied(
            _("Only a member of the %(task_force)s task force acts on this directive.")
            % {"task_force": task_force.get_kind_display()}
        )


def _state_error(directive: Directive, message: str) -> ValidationError:
    return ValidationError(
        {"state": message % {"title": directive.title, "state": directive.get_state_display()}}
    )


@transaction.atomic
def do_acknowledge_directive(
    directive: Directive, *, acting_user, now: dt.datetime | None = None, request=None
) -> Directive:
    _require_owner(directive, acting_user)
    directive = Directive.objects.select_for_update().get(pk=directive.pk)
    if directive.state != DirectiveState.ISSUED:
        raise _state_error(
            directive, _("“%(title)s” is %(state)s: only an issued directive is acknowledged.")
        )
    directive.state = DirectiveState.ACKNOWLEDGED
    directive.acknowledged_at = now or timezone.now()
    directive.acknowledged_by_name = actor_name(acting_user)
    directive.save(update_fields=["state", "acknowledged_at", "acknowledged_by_name"])
    audit.record(
        actor=acting_user,
        action="directive.acknowledge",
        obj=directive,
        area=directive.area,
        detail={"state": [DirectiveState.ISSUED, DirectiveState.ACKNOWLEDGED]},
        request=request,
    )
    return directive


@transaction.atomic
def do_report_directive_done(
    directive: Directive,
    *,
    acting_user,
    evidence: str,
    evidence_file=None,
    now: dt.datetime | None = None,
    request=None,
) -> Directive:
    """The owner reports the directive done, with its evidence (text, and a
    file if any)."""
    _require_owner(directive, acting_user)
    directive = Directive.objects.select_for_update().get(pk=directive.pk)
    if directive.state != DirectiveState.ACKNOWLEDGED:
        raise _state_error(
            directive,
            _("“%(title)s” is %(state)s: it is reported done once acknowledged, and only once."),
        )
    evidence = evidence.strip()
    if not evidence:
        raise ValidationError({"evidence": _("Say what was done: the evidence is empty.")})
    directive.state = DirectiveState.DONE
    directive.done_at = now or timezone.now()
    directive.done_by_name = actor_name(acting_user)
    directive.evidence = evidence
    fields = ["state", "done_at", "done_by_name", "evidence"]
    if evidence_file is not None:
        directive.evidence_file = evidence_file
        fields.append("evidence_file")
    directive.save(update_fields=fields)
    audit.record(
        actor=acting_user,
        action="directive.done",
        obj=directive,
        area=directive.area,
        detail={
            "evidence": evidence,
            "file": directive.evidence_file.name if directive.evidence_file else "",
            "late": directive.done_at > directive.due_at,
        },
        request=request,
    )
    return directive


@transaction.atomic
def do_verify_directive(
    directive: Directive, *, acting_user, now: dt.datetime | None = None, request=None
) -> Directive:
    """The headquarters checks the evidence and closes the directive."""
    require_in_area(acting_user, "approve", directive.area)
    directive = Directive.objects.select_for_update().get(pk=directive.pk)
    if directive.state != DirectiveState.DONE:
        raise _state_error(
            directive, _("“%(title)s” is %(state)s: a directive is verified once reported done.")
        )
    directive.state = DirectiveState.VERIFIED
    directive.verified_at = now or timezone.now()
    directive.verified_by_name = actor_name(acting_user)
    directive.save(update_fields=["state", "verified_at", "verified_by_name"])
    audit.record(
        actor=acting_user,
        action="directive.verify",
        obj=directive,
        area=directive.area,
        detail={"state": [DirectiveState.DONE, DirectiveState.VERIFIED]},
        request=request,
    )
    return directive


def do_escalate_overdue_directives(*, acting_user, now: dt.datetime) -> int:
    """Mark each open directive past its deadline as escalated, once, and
    tell the area's auditors through the audit trail (the notice the
    headquarters reads on its audit log)."""
    if not is_system(acting_user):
        raise PermissionDenied(_("Escalation is the clock's work."))
    count = 0
    due = Directive.objects.filter(
        state__in=[DirectiveState.ISSUED, DirectiveState.ACKNOWLEDGED],
        due_at__lt=now,
        escalated_at=None,
    ).select_related("area", "task_force")
    for directive in due:
        with transaction.atomic():
            updated = Directive.objects.filter(pk=directive.pk, escalated_at=None).update(
                escalated_at=now
            )
            if not updated:
                continue  # another scheduler escalated it
            audit.record(
                actor=acting_user,
                action="directive.escalate",
                obj=directive,
                area=directive.area,
                detail={
                    "title": directive.title,
                    "due_at": directive.due_at.isoformat(),
                    "owner": directive.owner_label(),
                    "state": directive.state,
                },
            )
            count += 1
    return count
