"""People (人员) of the synthetic city: ages, sexes, names, identity numbers, phones.

Ages follow household roles (parents 20-some years older than their children,
grandparents a generation above), which yields an age pyramid close to the
2020 census of southern Fujian: about a fifth under 15, an eighth over 64.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhanyi.engine.identity import make_resident_id_array
from zhanyi.engine.synth import gazetteer as gz
from zhanyi.engine.synth import names
from zhanyi.engine.synth.areas import AreaTree
from zhanyi.engine.synth.config import STAGE_NAMES, STAGE_PEOPLE, SynthConfig
from zhanyi.engine.synth.households import (
    COUPLE,
    N_SLOTS,
    NUCLEAR,
    SINGLE,
    SINGLE_PARENT,
    SKIP_GEN,
    THREE_GEN,
    Households,
)

# Mobile prefixes of the three carriers, weighted roughly by subscribers; every
# number under them is valid for region CN in ``phonenumbers``.
_PHONE_PREFIXES = {
    134: 4,
    135: 8,
    136: 6,
    137: 6,
    138: 8,
    139: 9,
    147: 1,
    150: 4,
    151: 3,
    152: 3,
    157: 2,
    158: 4,
    159: 5,
    178: 2,
    182: 3,
    183: 2,
    184: 1,
    187: 4,
    188: 3,
    198: 1,
    130: 3,
    131: 3,
    132: 3,
    155: 2,
    156: 3,
    166: 1,
    175: 1,
    176: 2,
    185: 2,
    186: 4,
    133: 2,
    153: 2,
    173: 1,
    177: 2,
    180: 2,
    181: 2,
    189: 3,
    199: 1,
}


@dataclass
class People:
    """People as parallel arrays (index = person_id - 1)."""

    household: np.ndarray
    slot: np.ndarray
    age: np.ndarray
    male: np.ndarray
    birth: np.ndarray  # datetime64[D]
    village: np.ndarray
    county: np.ndarray
    name: pa.Array
    identity: pa.Array
    phone: pa.Array
    school: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    work: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.household)


def build_people(cfg: SynthConfig, tree: AreaTree, hh: Households) -> People:
    rng = cfg.rng(STAGE_PEOPLE)
    n_h = len(hh)
    kind = hh.kind
    age_s, male_s = _ages_and_sexes(rng, kind, hh.present)
    h_idx, slot = np.nonzero(hh.present)  # row-major: household order, then slot
    age = age_s[h_idx, slot]
    male = male_s[h_idx, slot]
    n = len(h_idx)

    # Birth dates from ages at the end of the window.
    end = np.datetime64(cfg.end_date, "D")
    days_back = np.floor((age + rng.random(n)) * 365.2425).astype(np.int64)
    birth = end - days_back.astype("timedelta64[D]")

    village = hh.village[h_idx]
    county = tree.county_of_village()[village]
    id_code = np.array([int(c.id_code) for c in gz.COUNTIES], dtype=np.int64)[county]
    identity = _identity_numbers(rng, id_code, birth, male)

    # Spouses and grandmothers bring their own surnames; children mostly the father's.
    rng_n = cfg.rng(STAGE_NAMES)
    family = names.surnames(rng_n, n_h)[h_idx]
    own = names.surnames(rng_n, n)
    outsider = (
        (slot == 1)
        | ((slot == 6) | ((slot == 5) & ~male))
        | ((slot == 0) & (kind[h_idx] == SINGLE_PARENT) & ~male)
    )
    surname = np.where(outsider, own, family)
    spouse_name = np.full(n_h, -1, dtype=np.int64)
    spouse_name[h_idx[slot == 1]] = surname[slot == 1]
    kid = (slot >= 2) & (slot <= 4)
    mothers = kid & (spouse_name[h_idx] >= 0) & (rng_n.random(n) < 0.05)
    surname = np.where(mothers, spouse_name[h_idx], surname)
    birth_year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    name = names.person_names(rng_n, surname, male, birth_year)

    phone = _phones(rng, age)
    return People(
        household=h_idx.astype(np.int64),
        slot=slot.astype(np.int8),
        age=age.astype(np.int16),
        male=male,
        birth=birth,
        village=village,
        county=county,
        name=name,
        identity=identity,
        phone=phone,
        school=np.full(n, -1, dtype=np.int64),
        work=np.full(n, -1, dtype=np.int64),
    )


def _ages_and_sexes(
    rng: np.random.Generator, kind: np.ndarray, present: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(households, slots) matrices of whole-year ages and sexes."""
    n = len(kind)
    age = np.zeros((n, N_SLOTS))
    male = np.zeros((n, N_SLOTS), dtype=bool)
    young = rng.random(n)
    # Three-generation homes are young families living with the husband's
    # parents; nuclear ones span toddlers to grown children still at home.
    mother = np.where(
        kind == THREE_GEN, 27 + 20 * rng.beta(2.0, 2.0, n), 28 + 30 * rng.beta(2.2, 1.5, n)
    )
    father = np.maximum(20, mother + rng.normal(2.0, 2.5, n))
    lone = 26 + 24 * rng.beta(2.0, 2.0, n)

    single_young = young < 0.55
    head = np.select(
        [
            kind == SINGLE,
            kind == COUPLE,
            np.isin(kind, (NUCLEAR, THREE_GEN)),
            kind == SINGLE_PARENT,
        ],
        [
            np.where(single_young, rng.uniform(18, 36, n), 58 + 40 * rng.beta(1.5, 2.0, n)),
            np.where(young < 0.3, rng.uniform(22, 36, n), 46 + 42 * rng.beta(1.3, 2.4, n)),
            father,
            lone,
        ],
        0.0,
    )
    age[:, 0] = head
    male[:, 0] = np.select(
        [kind == SINGLE, kind == SINGLE_PARENT],
        [rng.random(n) < np.where(single_young, 0.58, 0.38), rng.random(n) < 0.2],
        True,
    )
    age[:, 1] = np.where(kind == COUPLE, np.maximum(20, head - rng.normal(2.0, 2.5, n)), mother)

    # Children: the parent's age less the parent's age at each birth.
    parent = np.select([kind == SINGLE_PARENT, kind == SKIP_GEN], [lone, np.full(n, 40.0)], mother)
    oldest = np.where(kind == THREE_GEN, 16, 28)
    for j in range(2, 5):
        at_birth = 21 + 15 * rng.beta(2.0, 2.5, n)
        kid = parent - at_birth
        # Too young a parent for this child, or a child long gone from home:
        # draw an age the household can have instead.
        bad = (kid < 0) | (kid > oldest)
        kid = np.where(bad, rng.uniform(0, 1, n) * np.clip(parent - 21, 1, oldest), kid)
        age[:, j] = np.where(kind == SKIP_GEN, rng.uniform(0, 15, n), kid)
        male[:, j] = rng.random(n) < 0.515

    grandpa = np.where(
        kind == SKIP_GEN, 52 + 24 * rng.beta(2.0, 2.0, n), father + rng.uniform(24, 34, n)
    )
    age[:, 5] = grandpa
    age[:, 6] = np.maximum(40, grandpa - rng.normal(2.0, 2.0, n))
    # Of two grandparents slot 5 is the grandfather; a lone one is more often a widow.
    male[:, 5] = np.where(present[:, 6], True, rng.random(n) < 0.35)
    male[:, 6] = False
    return np.clip(np.floor(age), 0, 100).astype(np.int64), male


def _identity_numbers(
    rng: np.random.Generator, code: np.ndarray, birth: np.ndarray, male: np.ndarray
) -> pa.Array:
    """Unique numbers: the sequence counts up within each (code, birth date, sex)."""
    n = len(code)
    day = birth.astype(np.int64)
    key = (code * 100_000 + (day + 40_000)) * 2 + male
    order = np.argsort(key, kind="stable")
    sk = key[order]
    start = np.r_[True, sk[1:] != sk[:-1]]
    run_start = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    rank = np.arange(n) - run_start
    if n and rank.max() >= 500:
        raise AssertionError("more than 500 people share a birth date, sex and county")
    base = rng.integers(0, 500, n)[order][run_start]  # one random base per group
    seq = np.empty(n, dtype=np.int64)
    seq[order] = 2 * ((base + rank) % 500) + male[order]
    raw = make_resident_id_array(code, birth, seq)
    offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int32) * 18).tobytes())
    return pa.StringArray.from_buffers(n, offsets, pa.py_buffer(raw.tobytes()))


def _phones(rng: np.random.Generator, age: np.ndarray) -> pa.Array:
    """Unique mainland mobile numbers; young children have none (null)."""
    n = len(age)
    p_own = np.select(
        [age < 10, age < 15, age < 18, age < 70, age < 80], [0, 0.45, 0.9, 0.99, 0.85], 0.6
    )
    has = rng.random(n) < p_own
    prefixes = np.array(list(_PHONE_PREFIXES))
    weights = np.array(list(_PHONE_PREFIXES.values()), dtype=float)
    m = int(has.sum())
    number = prefixes[
        rng.choice(len(prefixes), m, p=weights / weights.sum())
    ] * 10**8 + rng.integers(0, 10**8, m)
    # Redraw the rare collisions until every number is unique.
    while True:
        _, first = np.unique(number, return_index=True)
        dup = np.ones(m, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        number[dup] = number[dup] // 10**8 * 10**8 + rng.integers(0, 10**8, int(dup.sum()))
    full = np.zeros(n, dtype=np.int64)
    full[has] = number
    text = pc.cast(pa.array(full), pa.string())
    return pc.if_else(pa.array(has), text, pa.scalar(None, pa.string()))
