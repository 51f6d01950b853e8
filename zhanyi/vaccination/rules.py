"""The protocol's ``[vaccination]`` rules as the app reads them, and age bands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhanyi.engine.protocol import DEFAULT_PROTOCOL, VaccinationRule, load_protocol

_RULES: dict[str, VaccinationRule] = {}


def rules(name: str = DEFAULT_PROTOCOL) -> VaccinationRule:
    """The protocol file's vaccination rules (read once per process)."""
    if name not in _RULES:
        _RULES[name] = load_protocol(name).vaccination
    return _RULES[name]


@dataclass(frozen=True)
class AgeBand:
    """People aged ``low`` to ``high`` (``None``: and older) on the day counted."""

    index: int
    low: int
    high: int | None

    @property
    def label(self) -> str:
        if self.high is None:
            return _("%(low)d and over") % {"low": self.low}
        return _("%(low)d–%(high)d") % {"low": self.low, "high": self.high}


def age_bands(rule: VaccinationRule | None = None) -> list[AgeBand]:
    edges = list((rule or rules()).age_bands)
    return [
        AgeBand(i, low, edges[i + 1] - 1 if i + 1 < len(edges) else None)
        for i, low in enumerate(edges)
    ]


def born_by(day: dt.date, years: int) -> dt.date:
    """The latest birth date of someone at least ``years`` old on ``day``."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


#: The band of people younger than the first band, and of an unknown birth date.
TOO_YOUNG, UNKNOWN_AGE = -1, -2


def band_cutoffs(day: dt.date, bands: list[AgeBand] | None = None) -> list[dt.date]:
    """Each band's latest birth date on ``day``: someone born on or before
    ``cutoffs[i]`` is in band ``i`` or an older one."""
    return [born_by(day, b.low) for b in bands or age_bands()]


def band_of(birth_date: dt.date | None, day: dt.date) -> int:
    """The age band of someone born on ``birth_date``, on ``day``."""
    if birth_date is None:
        return UNKNOWN_AGE
    return sum(birth_date <= cutoff for cutoff in band_cutoffs(day)) - 1
