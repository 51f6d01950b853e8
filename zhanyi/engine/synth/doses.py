"""An immunisation system's export of dose records (接种记录) for the synthetic city.

The article's mix: 7,575,300 doses; 4,013,600 people with a first dose and
3,811,700 fully vaccinated, so 250,000 courses of one dose (Ad5) and the rest
two-dose inactivated vaccines. ``export_frame`` scales that mix to any number
of doses for a random part of the given people, with the columns and wording
the export uses (姓名, 身份证号, 疫苗名称, 生产企业, 剂次, 批号, 接种单位, 接种时间).
First doses fall between 1 March and mid-July 2021, second doses 28 to 60
days after the first.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

ARTICLE_DOSES = 7_575_300
ARTICLE_FIRST = 4_013_600
ARTICLE_FULL = 3_811_700
#: People whose one dose was the whole course (Ad5): first + full − doses.
ARTICLE_SINGLE = ARTICLE_FIRST + ARTICLE_FULL - ARTICLE_DOSES
#: code, name as exported, maker
VACCINES = [
    ("bbibp", "新冠病毒灭活疫苗(Vero细胞)", "北京生物"),
    ("coronavac", "新冠病毒灭活疫苗(Vero细胞)科兴", "北京科兴中维"),
    ("ad5", "重组新冠病毒疫苗(5型腺病毒载体)", "康希诺"),
]
#: Local time, as the export writes it (no zone).
FIRST_FROM = dt.datetime(2021, 3, 1, 8, 0)  # noqa: DTZ001
FIRST_DAYS = 136


def people_needed(doses: int) -> int:
    """People with at least one dose among ``doses`` in the article's mix."""
    scale = doses / ARTICLE_DOSES
    return doses - round((ARTICLE_FULL - ARTICLE_SINGLE) * scale)


def export_frame(
    people: pl.DataFrame, doses: int, seed: int, *, sites: list[str] | None = None
) -> pl.DataFrame:
    """``doses`` dose records for a random part of ``people`` (columns
    ``identity_number`` and ``name``), shuffled as an export comes."""
    scale = doses / ARTICLE_DOSES
    single = round(ARTICLE_SINGLE * scale)
    second = round((ARTICLE_FULL - ARTICLE_SINGLE) * scale)
    first = doses - second
    if first > people.height:
        raise ValueError(f"{doses:,} doses need {first:,} people; {people.height:,} given")
    rng = np.random.default_rng(seed)
    who = people[rng.choice(people.height, size=first, replace=False)]
    minutes = rng.integers(0, FIRST_DAYS * 24 * 60, first)
    sites = sites or [f"{n}号接种门诊" for n in range(1, 200)]

    def records(rows: pl.DataFrame, code: str, dose: int, at: np.ndarray) -> pl.DataFrame:
        name, maker = next((n, m) for c, n, m in VACCINES if c == code)
        n = rows.height
        times = np.datetime64(FIRST_FROM) + at.astype("timedelta64[m]")
        return pl.DataFrame(
            {
                "姓名": rows["name"],
                "身份证号": rows["identity_number"],
                "疫苗名称": [name] * n,
                "生产企业": [maker] * n,
                "剂次": [f"第{dose}剂"] * n,
                "批号": [f"2021{b:06d}" for b in rng.integers(0, 999_999, n)],
                "接种单位": [sites[i] for i in rng.integers(0, len(sites), n)],
                "接种时间": pl.Series(times).dt.strftime("%Y-%m-%d %H:%M:%S"),
            }
        )

    two = first - single
    half = two // 2
    later = minutes[single : single + second] + rng.integers(28, 61, second) * 24 * 60
    codes = np.where(np.arange(two) < half, "bbibp", "coronavac")
    parts = [records(who.head(single), "ad5", 1, minutes[:single])]
    for code in ("bbibp", "coronavac"):
        mask = codes == code
        parts.append(
            records(who.slice(single).filter(pl.Series(mask)), code, 1, minutes[single:][mask])
        )
        mask2 = mask[:second]
        parts.append(
            records(who.slice(single, second).filter(pl.Series(mask2)), code, 2, later[mask2])
        )
    return pl.concat(parts).sample(fraction=1.0, shuffle=True, seed=seed)
