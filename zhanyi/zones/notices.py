"""Public notices (通告) drafted from each zone decision.

A notice is drafted in Simplified Chinese, the language of the public it
addresses, whatever language the deciding user reads; it is stored with the
decision (``ZoneEvent.notice``) and printed as a PDF (``documents.py``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.zones.models import Zone, ZoneEventKind
from zhanyi.zones.rules import DELIVERY_LABELS, MOVEMENT_LABELS, tier_rule

NOTICE_LANGUAGE = "zh-hans"


def extent_text(zone: Zone) -> str:
    names = [a.name for a in zone.areas.order_by("path")]
    names += [p.name for p in zone.places.order_by("name")]
    return "、".join(names)


def _when(moment: dt.datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    return _("%(month)d/%(day)d %(hour)02d:%(minute)02d") % {
        "month": local.month,
        "day": local.day,
        "hour": local.hour,
        "minute": local.minute,
    }


def _measures(zone: Zone) -> list[str]:
    rule = tier_rule(zone.tier, zone.protocol)
    lines = [
        _("Movement: %(rule)s.") % {"rule": MOVEMENT_LABELS[rule.movement]},
        _("Supplies: %(rule)s.") % {"rule": DELIVERY_LABELS[rule.deliveries]},
    ]
    if rule.test_every_days:
        lines.append(
            _("Every resident is tested for nucleic acid every %(days)d day(s).")
            % {"days": rule.test_every_days}
        )
    lines.append(
        _("The zone steps down after %(days)d days without a new case.")
        % {"days": rule.days_without_case}
    )
    return lines


def draft_notice(zone: Zone, kind: str, at: dt.datetime, *, from_tier: str = "") -> str:
    """The notice of one decision on ``zone`` (``ZoneEventKind``), as text."""
    with translation.override(NOTICE_LANGUAGE):
        where = extent_text(zone)
        tier = zone.get_tier_display()
        if kind == ZoneEventKind.APPROVED:
            title = _("Notice on declaring %(where)s a %(tier)s") % {"where": where, "tier": tier}
            body = [
                _("From %(when)s, %(where)s is a %(tier)s.")
                % {"when": _when(zone.starts_at or at), "where": where, "tier": tier},
                _("Reason: %(reason)s") % {"reason": zone.reason},
                *_measures(zone),
            ]
        elif kind == ZoneEventKind.STEPPED_DOWN:
            old = str(dict(zone._meta.get_field("tier").choices).get(from_tier, from_tier))
            title = _("Notice on stepping %(where)s down to a %(tier)s") % {
                "where": where,
                "tier": tier,
            }
            body = [
                _("From %(when)s, %(where)s is no longer a %(old)s but a %(tier)s.")
                % {"when": _when(at), "where": where, "old": old, "tier": tier},
                *_measures(zone),
            ]
        else:
            title = _("Notice on lifting the %(tier)s over %(where)s") % {
                "where": where,
                "tier": tier,
            }
            body = [
                _("From %(when)s, the %(tier)s over %(where)s is lifted.")
                % {"when": _when(at), "where": where, "tier": tier},
            ]
        body.append(_("Residents are asked to cooperate with every measure."))
        local = at.astimezone(LOCAL_TZ)
        signed = _("%(year)d-%(month)02d-%(day)02d, the epidemic prevention headquarters") % {
            "year": local.year,
            "month": local.month,
            "day": local.day,
        }
        return "\n".join([title, "", *body, "", signed])
