"""Public notices (通告): drafted by hand or from a decision of the
headquarters (``publicity.sources``), approved, published with a date."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area
from zhanyi.publicity import sources
from zhanyi.publicity.models import Notice, NoticeState

from .common import clean_text, require


def _from_source(kind: str, key: str) -> sources.Draft:
    source = sources.get(kind)
    if source is None:
        known = ", ".join(s.kind for s in sources.registered())
        raise ValidationError(
            {
                "source": _("No source of notices %(kind)s (known: %(known)s).")
                % {"kind": kind, "known": known}
            }
        )
    draft = source.provider.draft(str(key))
    if draft is None:
        raise ValidationError(
            {
                "source": _("No %(source)s %(key)s to draft a notice from.")
                % {"source": source.label, "key": key}
            }
        )
    existing = Notice.objects.filter(source_kind=kind, source_key=draft.key).first()
    if existing is not None:
        raise ValidationError(
            {
                "source": _("“%(title)s” is drafted from this decision already.")
                % {"title": existing.title}
            }
        )
    return draft


@transaction.atomic
def do_draft_notice(
    *,
    acting_user,
    title: str = "",
    body: str = "",
    area: Area | None = None,
    source_kind: str = "",
    source_key: str = "",
    now: dt.datetime | None = None,
    request=None,
) -> Notice:
    """Draft a notice: from a decision (``source_kind``/``source_key``: its
    title, text and area, the title and text given replacing the drafted
    ones), or by hand (a title, a text and an area)."""
    draft = _from_source(source_kind, source_key) if source_kind else None
    if draft is not None:
        area = draft.area
        title = title.strip() or draft.title
        body = body.strip() or draft.body
    if area is None:
        raise ValidationError({"area": _("Say which area the notice is for.")})
    require(acting_user, "edit_operations", area)
    fields = clean_text(Notice, {"title": title, "body": body}, required=("title", "body"))
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                area=area,
                source_kind=draft.kind if draft else "",
                source_key=draft.key if draft else "",
                source_label=draft.label[:255] if draft else "",
                drafted_at=now or timezone.now(),
                drafted_by_name=actor_name(acting_user),
                **fields,
            )
    except IntegrityError:
        raise ValidationError(
            {"source": _("A notice is drafted from this decision already.")}
        ) from None
    audit.record(
        actor=acting_user,
        action="publicity.notice.draft",
        obj=notice,
        area=area,
        detail={"title": notice.title, "source": f"{notice.source_kind}:{notice.source_key}"},
        request=request,
    )
    return notice


def _state_error(notice: Notice, message: str) -> ValidationError:
    return ValidationError(
        {"state": message % {"title": notice.title, "state": notice.get_state_display()}}
    )


@transaction.atomic
def do_approve_notice(
    notice: Notice, *, acting_user, now: dt.datetime | None = None, request=None
) -> Notice:
    """The headquarters approves a drafted notice (``approve`` over its area)."""
    require(acting_user, "approve", notice.area)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != NoticeState.DRAFT:
        raise _state_error(notice, _("“%(title)s” is %(state)s: only a draft is approved."))
    notice.state = NoticeState.APPROVED
    notice.approved_at = now or timezone.now()
    notice.approved_by_name = actor_name(acting_user)
    notice.save(update_fields=["state", "approved_at", "approved_by_name"])
    audit.record(
        actor=acting_user,
        action="publicity.notice.approve",
        obj=notice,
        area=notice.area,
        detail={"state": [NoticeState.DRAFT, NoticeState.APPROVED]},
        request=request,
    )
    return notice


@transaction.atomic
def do_publish_notice(
    notice: Notice,
    *,
    acting_user,
    published_on: dt.date,
    channel: str = "",
    request=None,
) -> Notice:
    """Record an approved notice published on ``published_on`` (not before
    its approval's day), in ``channel``."""
    require(acting_user, "approve", notice.area)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != NoticeState.APPROVED:
        raise _state_error(
            notice, _("“%(title)s” is %(state)s: a notice is published once approved, and once.")
        )
    approved_on = (notice.approved_at or timezone.now()).astimezone(LOCAL_TZ).date()
    if published_on < approved_on:
        raise ValidationError(
            {
                "published_on": _("%(date)s is before the notice was approved (%(approved)s).")
                % {"date": published_on.isoformat(), "approved": approved_on.isoformat()}
            }
        )
    fields = clean_text(Notice, {"channel": channel})
    notice.state = NoticeState.PUBLISHED
    notice.published_on = published_on
    notice.channel = fields["channel"]
    notice.published_by_name = actor_name(acting_user)
    notice.save(update_fields=["state", "published_on", "channel", "published_by_name"])
    audit.record(
        actor=acting_user,
        action="publicity.notice.publish",
        obj=notice,
        area=notice.area,
        detail={"published_on": published_on.isoformat(), "channel": notice.channel},
        request=request,
    )
    return notice
