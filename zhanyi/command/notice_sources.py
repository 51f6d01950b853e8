"""The decisions publicity drafts public notices (通告) from, for the
registry ``zhanyi.publicity.sources``: the zones' decisions (each with the
notice text the zones app drafted, in Chinese) and the headquarters'
directives. Publicity may import neither app; the headquarters, above both,
reads them here. Imported by ``CommandConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.metrics import area_filter
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area
from zhanyi.publicity.sources import Draft, register
from zhanyi.zones.models import ZoneEvent

from .models import Directive


def _is_id(key: str) -> bool:
    """A key that can be a row's id (digits a bigint holds)."""
    return key.isascii() and key.isdigit() and len(key) < 19


def _when(draft_at) -> str:
    return f"{draft_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


@register("zone_decision", gettext_lazy("Zone decision"))
class ZoneDecisions:
    """A zone's decision (in force, stepped down, lifted) with its drafted notice."""

    def _draft(self, event: ZoneEvent) -> Draft:
        title, _sep, body = event.notice.strip().partition("\n")
        return Draft(
            kind="zone_decision",
            key=str(event.pk),
            label=_("Zone decision: %(zone)s · %(event)s · %(when)s")
            % {"zone": event.zone.name, "event": event.get_kind_display(), "when": _when(event.at)},
            title=title.strip(),
            body=body.strip() or title.strip(),
            area=event.zone.area,
            at=event.at,
        )

    def _events(self):
        return ZoneEvent.objects.exclude(notice="").select_related("zone__area")

    def drafts(self, area: Area | None, limit: int) -> list[Draft]:
        events = self._events().filter(**area_filter(area, "zone__area__path"))
        return [self._draft(e) for e in events.order_by("-at", "-id")[:limit]]

    def draft(self, key: str) -> Draft | None:
        event = self._events().filter(pk=int(key)).first() if _is_id(key) else None
        return self._draft(event) if event is not None else None


@register("directive", gettext_lazy("Directive"))
class Directives:
    """A directive of the headquarters that the public must hear about."""

    def _draft(self, directive: Directive) -> Draft:
        return Draft(
            kind="directive",
            key=str(directive.pk),
            label=_("Directive: %(title)s · %(when)s")
            % {"title": directive.title, "when": _when(directive.issued_at)},
            title=directive.title,
            body=directive.body or directive.title,
            area=directive.area,
            at=directive.issued_at,
        )

    def drafts(self, area: Area | None, limit: int) -> list[Draft]:
        directives = Directive.objects.filter(**area_filter(area, "area__path")).select_related(
            "area"
        )
        return [self._draft(d) for d in directives.order_by("-issued_at", "-id")[:limit]]

    def draft(self, key: str) -> Draft | None:
        found = Directive.objects.filter(pk=int(key)).first() if _is_id(key) else None
        return self._draft(found) if found is not None else None
