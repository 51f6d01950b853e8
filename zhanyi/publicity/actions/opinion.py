"""Public-opinion items (舆情): recorded when found, followed up to their end."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.places.models import Area
from zhanyi.publicity.models import OpinionFollowUp, OpinionItem, OpinionState

from .common import clean_text, local, require


@transaction.atomic
def do_record_opinion(
    *,
    acting_user,
    summary: str,
    platform: str,
    area: Area,
    found_at: dt.datetime,
    url: str = "",
    now: dt.datetime | None = None,
    request=None,
) -> OpinionItem:
    require(acting_user, "edit_operations", area)
    now = now or timezone.now()
    if found_at > now:
        raise ValidationError(
            {"found_at": _("%(time)s is still to come.") % {"time": local(found_at)}}
        )
    fields = clean_text(
        OpinionItem,
        {"summary": summary, "platform": platform, "url": url},
        required=("summary", "platform"),
    )
    item = OpinionItem.objects.create(
        area=area, found_at=found_at, recorded_by_name=actor_name(acting_user), **fields
    )
    audit.record(
        actor=acting_user,
        action="publicity.opinion",
        obj=item,
        area=area,
        detail={"summary": item.summary, "platform": item.platform},
        request=request,
    )
    return item


@transaction.atomic
def do_follow_up_opinion(
    item: OpinionItem,
    *,
    acting_user,
    note: str,
    resolve: bool = False,
    now: dt.datetime | None = None,
    request=None,
) -> OpinionFollowUp:
    """A step of the follow-up (what was done); ``resolve`` closes the item."""
    require(acting_user, "edit_operations", item.area)
    item = OpinionItem.objects.select_for_update().get(pk=item.pk)
    if item.state == OpinionState.RESOLVED:
        raise ValidationError(
            {
                "state": _("“%(summary)s” was resolved at %(time)s: it takes no more follow-up.")
                % {"summary": item.summary, "time": local(item.resolved_at or item.found_at)}
            }
        )
    fields = clean_text(OpinionFollowUp, {"note": note}, required=("note",))
    now = now or timezone.now()
    if now < item.found_at:
        raise ValidationError(
            {"at": _("%(time)s is before the item was found.") % {"time": local(now)}}
        )
    step = OpinionFollowUp.objects.create(
        item=item, at=now, by_name=actor_name(acting_user), resolved=resolve, **fields
    )
    old = item.state
    item.state = OpinionState.RESOLVED if resolve else OpinionState.FOLLOWING
    item.resolved_at = now if resolve else None
    item.save(update_fields=["state", "resolved_at"])
    audit.record(
        actor=acting_user,
        action="publicity.opinion.follow_up",
        obj=item,
        area=item.area,
        detail={"note": step.note, "state": [old, item.state]},
        request=request,
    )
    return step
