"""Configuration of the synthetic city (合成城市) and its random streams."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

#: People in the full-scale city: Zhangzhou's 2020 census, rounded.
FULL_PEOPLE = 5_050_000
#: Villages and communities (村居) in the full-scale city, from the article.
FULL_VILLAGES = 1_938
#: Students and staff of the first school testing round, 13 September 2021.
FULL_SCHOOL_ROUND = 1_083_000
#: Residents of the sealed compound (万益学府花园) in the article.
FULL_SEALED_COMPOUND = 1_095

SCALES = {"small": 20_000, "medium": 200_000, "full": FULL_PEOPLE}

DEFAULT_SEED = 20210916
#: Local date (Asia/Shanghai) of the first case in the Taiwanese Investment Zone.
DEFAULT_END_DATE = dt.date(2021, 9, 16)

# Stage numbers keep every random stream independent of the others, so adding
# draws to one stage never changes the output of another.
STAGE_AREAS = 1
STAGE_HOUSEHOLDS = 2
STAGE_PEOPLE = 3
STAGE_NAMES = 4
STAGE_PLACES = 5
STAGE_ASSIGN = 6
STAGE_PERSONA = 7
STAGE_STAYS = 8


@dataclass(frozen=True)
class SynthConfig:
    """What to generate: how many people, from which seed, over which days."""

    people: int = SCALES["small"]
    seed: int = DEFAULT_SEED
    days: int = 14
    #: Last local day of the stay window; the window is ``days`` days ending here.
    end_date: dt.date = DEFAULT_END_DATE
    #: People per stay file. Part of the output's identity: chunks, not workers,
    #: fix the random streams, so any worker count gives the same bytes.
    chunk_people: int = 200_000
    scale: str = field(default="small")

    def __post_init__(self) -> None:
        if self.people < 1_000:
            raise ValueError("the synthetic city needs at least 1,000 people")
        if not 1 <= self.days <= 366:
            raise ValueError("days must be between 1 and 366")
        if self.chunk_people < 1_000:
            raise ValueError("chunk_people must be at least 1,000")

    @classmethod
    def for_scale(
        cls,
        scale: str | int,
        *,
        seed: int = DEFAULT_SEED,
        days: int = 14,
        end_date: dt.date = DEFAULT_END_DATE,
        **kwargs: Any,
    ) -> SynthConfig:
        """A configuration for ``"small"``, ``"medium"``, ``"full"`` or a head count."""
        if isinstance(scale, str) and scale.strip().isdigit():
            scale = int(scale.strip())
        if isinstance(scale, str):
            if scale not in SCALES:
                raise ValueError(f"unknown scale {scale!r}; use one of {sorted(SCALES)} or N")
            people, name = SCALES[scale], scale
        else:
            people, name = int(scale), str(int(scale))
        return cls(people=people, seed=seed, days=days, end_date=end_date, scale=name, **kwargs)

    @property
    def fraction(self) -> float:
        """This city's size relative to the full city."""
        return self.people / FULL_PEOPLE

    @property
    def geo_scale(self) -> float:
        """How much the map's detail shrinks: villages, compounds, schools, shops.

        The square root of ``fraction``, so a small city keeps a readable map
        (a hundred-odd villages) instead of a handful of huge ones.
        """
        return 1.0 if self.people >= FULL_PEOPLE else min(1.0, self.fraction**0.5)

    def place_size(self, real: float) -> float:
        """People served by (or working at) one place whose real figure is ``real``."""
        return real * self.fraction / self.geo_scale

    @property
    def start_date(self) -> dt.date:
        return self.end_date - dt.timedelta(days=self.days - 1)

    @property
    def dates(self) -> list[dt.date]:
        return [self.start_date + dt.timedelta(days=i) for i in range(self.days)]

    @property
    def n_chunks(self) -> int:
        return -(-self.people // self.chunk_people)

    def rng(self, stage: int, *keys: int) -> np.random.Generator:
        """An independent PCG64 stream for one stage (and chunk, day, …)."""
        seq = np.random.SeedSequence([self.seed, stage, *keys])
        return np.random.Generator(np.random.PCG64(seq))

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["end_date"] = self.end_date.isoformat()
        out["start_date"] = self.start_date.isoformat()
        return out
