"""The health-code part of the demo replay (健康码).

``replay_health_codes`` runs after the outbreak is replayed: it decides every
person's code again as of the replay's clock (the story happens in September
2021, so codes decided "now" would all have expired), through the same
``do_recompute_codes`` every app calls, and leaves one override request
waiting for a second person's approval, so that the approval queue has
something to show. Calling it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Count

from zhanyi.core import jurisdiction
from zhanyi.core.audit import SystemActor
from zhanyi.core.masking import mask_name

from .actions.health_codes import all_person_ids, do_recompute_codes, do_request_override
from .models import HealthCode, HealthCodeOverride

DEMO_ACTOR = SystemActor("demo:health_codes")
DEMO_REASON = "陪同家属就医，两次核酸阴性，申请转绿（演示）"


def replay_health_codes(
    *, as_of: dt.datetime, requester, say: Callable[[str], None] = print
) -> dict:
    """Decide every code as of ``as_of`` and leave one override request by
    ``requester`` (a user with ``edit_person``) awaiting approval."""
    ids = all_person_ids()
    changed = do_recompute_codes(
        ids, reason="demo: codes as of the replay's clock", acting_user=DEMO_ACTOR, now=as_of
    )
    by_colour = dict(
        HealthCode.objects.values_list("colour").annotate(n=Count("person")).order_by()
    )
    say(
        f"Health codes: {by_colour.get('red', 0):,} red, {by_colour.get('yellow', 0):,} yellow "
        f"({changed:,} changed)."
    )
    requested = False
    if not HealthCodeOverride.objects.filter(reason=DEMO_REASON).exists():
        candidate = (
            jurisdiction.scope(
                HealthCode.objects.filter(colour="yellow", person__merged_into=None),
                requester,
                "person__village__path",
            )
            .select_related("person__village")
            .order_by("person_id")
            .first()
        )
        if candidate is not None:
            do_request_override(
                person=candidate.person,
                colour="green",
                reason=DEMO_REASON,
                # Overrides expire by the real clock, so the request stays open
                # for a reviewer of the demo.
                expires_at=max(as_of, dt.datetime.now(dt.UTC)) + dt.timedelta(days=2),
                acting_user=requester,
            )
            requested = True
            person = candidate.person
            say(
                f"Health codes: an override for {mask_name(person.name)} of "
                f"{person.village.name if person.village else '-'} awaits approval."
            )
    return {
        "persons": len(ids),
        "changed": changed,
        "red": by_colour.get("red", 0),
        "yellow": by_colour.get("yellow", 0),
        "override_requested": requested,
    }
