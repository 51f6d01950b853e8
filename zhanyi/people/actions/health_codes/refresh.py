"""What the clock changes (``do_refresh_codes``): overrides past their expiry
end, and codes past their ``until`` or review time are decided again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zhanyi.core import audit
from zhanyi.people.actions.common import audit_person
from zhanyi.people.models import (
    HealthCode,
    HealthCodeOverride,
)

from .recompute import decide_and_write


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did: overrides that expired, codes decided again, codes changed."""

    expired_overrides: int
    reviewed: int
    changed: int


def do_refresh_codes(*, acting_user, now: dt.datetime | None = None) -> RefreshResult:
    """What the clock changes: overrides past their expiry end (the rules decide
    again) and codes whose ``until`` or review time has passed are decided
    again. Safe to run as often as a scheduler likes."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(
            HealthCodeOverride.objects.select_for_update(of=("self",))
            .filter(status=HealthCodeOverride.Status.APPROVED, expires_at__lte=now)
            .select_related("person__village")
        )
        for override in expired:
            override.status = HealthCodeOverride.Status.EXPIRED
            override.closed_at = now
            override.save(update_fields=["status", "closed_at"])
            audit_person(
                "health_code.override_expired",
                acting_user=acting_user,
                person=override.person,
                detail={"override": override.pk, "expired_at": override.expires_at.isoformat()},
            )
        # Pending requests past their expiry can no longer be approved.
        HealthCodeOverride.objects.filter(
            status=HealthCodeOverride.Status.PENDING, expires_at__lte=now
        ).update(status=HealthCodeOverride.Status.EXPIRED, closed_at=now)
        due = set(HealthCode.objects.filter(review_at__lte=now).values_list("person_id", flat=True))
        due.update(HealthCode.objects.filter(until__lte=now).values_list("person_id", flat=True))
        due.update(o.person_id for o in expired)
        changed = 0
        if due:
            changed, colours = decide_and_write(
                due, trigger="refresh: a time limit passed", acting_user=acting_user, now=now
            )
            audit.record(
                actor=acting_user,
                action="health_code.refresh",
                object_type=HealthCode._meta.label_lower,
                object_label=f"{len(due)} persons",
                detail={
                    "persons": len(due),
                    "changed": changed,
                    "expired_overrides": len(expired),
                    "to_colour": dict(colours),
                },
            )
    return RefreshResult(expired_overrides=len(expired), reviewed=len(due), changed=changed)
