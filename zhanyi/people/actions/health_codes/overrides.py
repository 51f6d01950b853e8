"""Manual overrides of a code (人工转码): one person asks, a different person
approves or rejects, and an override in force may be ended early."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.people.actions.common import audit_person, require_person
from zhanyi.people.models import (
    Colour,
    HealthCodeOverride,
    Person,
)

from .recompute import decide_and_write
from .rules import protocol


def _check_override_input(colour: str, reason: str, expires_at, now: dt.datetime) -> dict:
    """What is wrong with a requested override, by field (empty: nothing)."""
    errors: dict[str, str] = {}
    if colour not in Colour.values:
        errors["colour"] = _("Choose red, yellow or green.")
    if not reason:
        errors["reason"] = _("Give the reason for the override.")
    if expires_at is None or timezone.is_naive(expires_at):
        errors["expires_at"] = _("Give the date and time at which the override expires.")
    else:
        longest = protocol().health_codes.override_max_days
        if expires_at <= now:
            errors["expires_at"] = _("The expiry must be in the future.")
        elif expires_at > now + dt.timedelta(days=longest):
            errors["expires_at"] = _(
                "An override may last at most %(days)d days (the protocol's limit)."
            ) % {"days": longest}
    return errors


def do_request_override(
    *,
    person: Person,
    colour: str,
    reason: str,
    expires_at: dt.datetime,
    acting_user,
    request=None,
) -> HealthCodeOverride:
    """Ask for a manual override of a person's code; it waits for a second
    person's approval and changes nothing until then."""
    require_person(acting_user, person, "edit_person")
    if person.merged_into_id:
        raise ValidationError(_("A merged person has no code of their own; use the survivor."))
    reason = (reason or "").strip()
    now = timezone.now()
    errors = _check_override_input(colour, reason, expires_at, now)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        override = HealthCodeOverride.objects.create(
            person=person,
            colour=colour,
            reason=reason[:500],
            expires_at=expires_at,
            requested_by=acting_user,
            requested_at=now,
        )
        audit_person(
            "health_code.override_requested",
            acting_user=acting_user,
            person=person,
            request=request,
            detail={
                "override": override.pk,
                "colour": colour,
                "reason": reason[:255],
                "expires_at": expires_at.isoformat(),
            },
        )
    return override


def _lock_pending(override: HealthCodeOverride, acting_user) -> HealthCodeOverride:
    """The override, locked, if it awaits a decision ``acting_user`` may take."""
    locked = HealthCodeOverride.objects.select_for_update().get(pk=override.pk)
    require_person(acting_user, override.person, "approve")
    if locked.requested_by_id == getattr(acting_user, "pk", None):
        raise PermissionDenied(
            _("A second person must decide on an override: you asked for this one.")
        )
    if locked.status != HealthCodeOverride.Status.PENDING:
        raise ValidationError(
            _("This override is no longer awaiting approval (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def do_approve_override(
    *, override: HealthCodeOverride, acting_user, note: str = "", request=None
) -> HealthCodeOverride:
    """Approve a pending override (needs ``approve``, and someone other than
    the requester); the code follows it at once, until it expires."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_pending(override, acting_user)
        if locked.expires_at <= now:
            raise ValidationError(_("This override expired before it was approved."))
        # Any override in force for the person ends: one at a time.
        HealthCodeOverride.objects.filter(
            person_id=locked.person_id, status=HealthCodeOverride.Status.APPROVED
        ).update(status=HealthCodeOverride.Status.ENDED, closed_at=now)
        locked.status = HealthCodeOverride.Status.APPROVED
        locked.decided_by = acting_user
        locked.decided_at = now
        locked.decision_note = (note or "").strip()[:500]
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_person(
            "health_code.override_approved",
            acting_user=acting_user,
            person=override.person,
            request=request,
            detail={"override": locked.pk, "colour": locked.colour, "note": locked.decision_note},
        )
        decide_and_write(
            [locked.person_id],
            trigger=f"override #{locked.pk} approved",
            acting_user=acting_user,
            now=now,
        )
    override.refresh_from_db()
    return override


def do_reject_override(
    *, override: HealthCodeOverride, acting_user, note: str, request=None
) -> HealthCodeOverride:
    """Reject a pending override, saying why; the code stays as the rules decide."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the override is rejected.")})
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_pending(override, acting_user)
        locked.status = HealthCodeOverride.Status.REJECTED
        locked.decided_by = acting_user
        locked.decided_at = now
        locked.closed_at = now
        locked.decision_note = note[:500]
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "closed_at", "decision_note"]
        )
        audit_person(
            "health_code.override_rejected",
            acting_user=acting_user,
            person=override.person,
            request=request,
            detail={"override": locked.pk, "note": locked.decision_note},
        )
    override.refresh_from_db()
    return override


def do_end_override(
    *, override: HealthCodeOverride, acting_user, note: str, request=None
) -> HealthCodeOverride:
    """End an override in force before it expires (``approve``); the rules decide again."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the override ends early.")})
    now = timezone.now()
    with transaction.atomic():
        locked = HealthCodeOverride.objects.select_for_update().get(pk=override.pk)
        require_person(acting_user, override.person, "approve")
        if locked.status != HealthCodeOverride.Status.APPROVED:
            raise ValidationError(_("Only an override in force can be ended."))
        locked.status = HealthCodeOverride.Status.ENDED
        locked.closed_at = now
        locked.decision_note = (f"{locked.decision_note}\n{note}".strip())[:500]
        locked.save(update_fields=["status", "closed_at", "decision_note"])
        audit_person(
            "health_code.override_ended",
            acting_user=acting_user,
            person=override.person,
            request=request,
            detail={"override": locked.pk, "note": note[:255]},
        )
        decide_and_write(
            [locked.person_id],
            trigger=f"override #{locked.pk} ended",
            acting_user=acting_user,
            now=now,
        )
    override.refresh_from_db()
    return override
