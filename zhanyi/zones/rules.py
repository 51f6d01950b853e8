"""The protocol file's ``[zones]`` rules as the zones app reads them, and
the labels users see for their keys."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhanyi.engine.protocol import DEFAULT_PROTOCOL, Protocol, load_protocol
from zhanyi.engine.zones import TierRule

_PROTOCOLS: dict[str, Protocol] = {}

MOVEMENT_LABELS = {
    "stay_home": _("Sealed: nobody leaves home, services at the door"),  # 足不出户
    "stay_in_zone": _("Nobody leaves the zone, no gatherings"),  # 人不出区
    "entry_only": _("People may come in but not go out"),  # 只进不出
    "no_gatherings": _("No gatherings; tighter public controls"),  # 严禁聚集
}
DELIVERY_LABELS = {
    "to_the_door": _("Delivered to the door"),
    "at_the_gate": _("Handed over at the zone's gate"),
    "as_usual": _("As usual"),
}
CODE_EFFECT_LABELS = {
    "": _("None"),
    "home": _("Home quarantine (red code)"),
    "home_health_monitoring": _("Home health monitoring (yellow code)"),
}


def protocol(name: str = DEFAULT_PROTOCOL) -> Protocol:
    """The protocol file's rules (read once per process)."""
    if name not in _PROTOCOLS:
        _PROTOCOLS[name] = load_protocol(name)
    return _PROTOCOLS[name]


def tier_rule(tier: str, name: str = DEFAULT_PROTOCOL) -> TierRule:
    return protocol(name).zones.tier(tier)
