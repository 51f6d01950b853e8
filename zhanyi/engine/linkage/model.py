"""The probabilistic linkage model (概率匹配模型): Splink on DuckDB.

A Fellegi-Sunter model compares a pushed record with a person of the index
field by field (name, pinyin, birth date, sex, phone, identity number, village)
and adds up the evidence of each comparison level.

Training uses the index alone. The *u* probabilities (how often two different
people agree by chance: two 陈伟 born the same year) are estimated by random
sampling of index pairs, which is what Splink recommends and what the index
measures well. The *m* probabilities (how often the same person's two records
agree) cannot be learnt from an index that holds each person once, so they are
priors taken from how pushed lists go wrong (a typed name is wrong in a few per
cent of records, a phone has changed in one in ten); they are stored in the
model file with the *u* values, where an analyst can read and adjust them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import polars as pl

from zhanyi.engine.linkage.normalise import is_normalised, normalise_records

if TYPE_CHECKING:  # splink itself is imported inside the functions that use it
    from splink.internals.comparison_creator import ComparisonCreator

#: Version 2: the sound-alike name level and the year-and-month birth level.
FORMAT = "zhanyi-linkage-model/2"

# m probabilities: share of true matches at each level, from most to least alike.
M_PRIORS = {
    "name": (0.90, 0.03, 0.02, 0.03, 0.01, 0.01),
    "birth_date": (0.95, 0.02, 0.01, 0.02),
    "sex": (0.98, 0.02),
    "phone": (0.86, 0.04, 0.10),
    "id_number": (0.93, 0.05, 0.02),
    "village": (0.80, 0.05, 0.15),
}


def _quiet_splink() -> None:
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


def comparison_frame(df: pl.DataFrame, uid: str | pl.Expr) -> pl.DataFrame:
    """The columns the model compares, from a normalised frame, with ``uid``."""
    uid_expr = pl.col(uid) if isinstance(uid, str) else uid
    village = (
        pl.col("village_code").cast(pl.String)
        if "village_code" in df.columns
        else pl.lit(None, pl.String)
    )
    return df.select(
        uid_expr.cast(pl.Int64).alias("uid"),
        "name_norm",
        "name_pinyin",
        "name_sound",
        "birth_date_text",
        "birth_year",
        "sex_norm",
        "phone_norm",
        "id_norm",
        pl.col("id_valid").fill_null(False),
        pl.col("id_norm").str.slice(0, 14).alias("id_head"),
        pl.col("id_norm").str.slice(10, 8).alias("id_tail"),
        pl.col("id_norm").str.slice(0, 6).alias("id_division"),
        village.alias("village_code"),
        village.str.slice(0, 9).alias("township_code"),
    )


#: Blocking keys: a record meets the people of the index who share one of these.
BLOCK_KEYS = (
    ("name_pinyin", "birth_year"),
    ("phone_norm",),
    ("name_pinyin", "village_code"),
)

#: Blocking keys for a mistyped identity number, used only when one side's
#: number is not valid. A swapped pair of digits or one wrong digit leaves the
#: number's head (first 14) or tail (last 8) intact, or else its division code,
#: which with the pinyin name still finds the person. Two valid numbers never
#: differ by one substitution or one swap of neighbours (the check character,
#: ISO 7064 MOD 11-2, catches both), so between two valid numbers these keys
#: find only other people: at 5 million people, the people born the same day in
#: the same county and the namesakes of a county, most of Splink's pairs.
ID_TYPO_KEYS = (
    ("id_head",),
    ("id_tail",),
    ("name_pinyin", "id_division"),
)


def blocking_rules() -> list:
    from splink.blocking_rule_library import CustomRule, block_on

    def typo_rule(key: tuple[str, ...]) -> CustomRule:
        same = " AND ".join(f'l."{c}" = r."{c}"' for c in key)
        return CustomRule(f'{same} AND NOT (l."id_valid" AND r."id_valid")')

    return [block_on(*key) for key in BLOCK_KEYS] + [typo_rule(key) for key in ID_TYPO_KEYS]


def _settings(link_type: Literal["link_only", "link_and_dedupe", "dedupe_only"]):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    def levels(name: str, creators: list) -> list:
        priors = M_PRIORS[name]
        return [creators[0]] + [
            c.configure(m_probability=m) for c, m in zip(creators[1:], priors, strict=True)
        ]

    comparisons: list[ComparisonCreator | dict[str, Any]] = [
        cl.CustomComparison(
            output_column_name="name",
            comparison_levels=levels(
                "name",
                [
                    cll.NullLevel("name_norm"),
                    cll.ExactMatchLevel("name_norm").configure(tf_adjustment_column="name_norm"),
                    cll.ExactMatchLevel("name_pinyin"),
                    cll.ExactMatchLevel("name_sound"),
                    cll.DamerauLevenshteinLevel("name_norm", 1),
                    cll.JaroWinklerLevel("name_pinyin", 0.88),
                    cll.ElseLevel(),
                ],
            ),
        ),
        cl.CustomComparison(
            output_column_name="birth_date",
            comparison_levels=levels(
                "birth_date",
                [
                    cll.NullLevel("birth_date_text"),
                    cll.ExactMatchLevel("birth_date_text"),
                    cll.DamerauLevenshteinLevel("birth_date_text", 1),
                    cll.CustomLevel(
                        'substr("birth_date_text_l", 1, 7) = substr("birth_date_text_r", 1, 7)',
                        label_for_charts="Same year and month",
                    ),
                    cll.ElseLevel(),
                ],
            ),
        ),
        cl.CustomComparison(
            output_column_name="sex",
            comparison_levels=levels(
                "sex", [cll.NullLevel("sex_norm"), cll.ExactMatchLevel("sex_norm"), cll.ElseLevel()]
            ),
        ),
        cl.CustomComparison(
            output_column_name="phone",
            comparison_levels=levels(
                "phone",
                [
                    cll.NullLevel("phone_norm"),
                    cll.ExactMatchLevel("phone_norm"),
                    cll.DamerauLevenshteinLevel("phone_norm", 1),
                    cll.ElseLevel(),
                ],
            ),
        ),
        cl.CustomComparison(
            output_column_name="id_number",
            comparison_levels=levels(
                "id_number",
                [
                    cll.NullLevel("id_norm"),
                    cll.ExactMatchLevel("id_norm"),
                    cll.DamerauLevenshteinLevel("id_norm", 1),
                    cll.ElseLevel(),
                ],
            ),
        ),
        cl.CustomComparison(
            output_column_name="village",
            comparison_levels=levels(
                "village",
                [
                    cll.NullLevel("village_code"),
                    cll.ExactMatchLevel("village_code"),
                    cll.ExactMatchLevel("township_code"),
                    cll.ElseLevel(),
                ],
            ),
        ),
    ]
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="uid",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )


@dataclass
class LinkageModel:
    """A trained model: Splink's settings (with m and u) and where they came from."""

    settings: dict
    meta: dict = field(default_factory=dict)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        payload = {"format": FORMAT, "meta": self.meta, "settings": self.settings}
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> LinkageModel:
        path = Path(path)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"linkage model {path}: cannot read it ({exc})") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ValueError(f"linkage model {path}: not a {FORMAT} file")
        return cls(settings=payload["settings"], meta=payload.get("meta", {}))

    def settings_for(self, link_type: str, prior: float) -> dict:
        settings = json.loads(json.dumps(self.settings))
        settings["link_type"] = link_type
        settings["probability_two_random_records_match"] = prior
        settings.pop("sql_dialect", None)
        # Blocking is how candidates are found, not what was trained: always
        # the code's current rules, whatever the file holds.
        settings["blocking_rules_to_generate_predictions"] = [
            rule.get_blocking_rule("duckdb").as_dict() for rule in blocking_rules()
        ]
        return settings


#: People drawn from the index before sampling pairs: 300,000 people make 45
#: billion pairs, plenty to draw a million random ones from, and Splink's
#: sampler then works on a table of that size rather than the whole city.
SAMPLE_PEOPLE = 300_000


def train_model(
    index: pl.DataFrame,
    *,
    seed: int = 20210910,
    max_pairs: float = 1_000_000,
    sample_people: int = SAMPLE_PEOPLE,
) -> LinkageModel:
    """Estimate u by random sampling of ``index`` pairs; m from ``M_PRIORS``.

    ``index`` needs person_id and the input columns (see ``normalise_records``);
    it may be normalised already. Pairs are drawn among ``sample_people``
    people drawn at random (all of them in a smaller index); the u of rare
    agreements comes from the whole index's value counts.
    """
    from splink import DuckDBAPI, Linker

    _quiet_splink()
    if "person_id" not in index.columns:
        raise ValueError("the index lacks the column person_id")
    if index.height < 2:
        raise ValueError("the index needs at least two people to train on")
    norm = index if is_normalised(index) else normalise_records(index)
    sample = norm.sample(sample_people, seed=seed) if norm.height > sample_people else norm
    frame = comparison_frame(sample, "person_id")
    con = duckdb.connect()
    con.register("_index_arrow", frame.to_arrow())
    con.execute("create table index_t as select * from _index_arrow")
    linker = Linker("index_t", _settings("dedupe_only"), DuckDBAPI(connection=con))
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    settings = linker.misc.save_model_to_json()
    con.close()
    filled = _fill_rare_u(settings, norm)
    meta = {
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "index_people": int(index.height),
        "seed": seed,
        "max_pairs": max_pairs,
        "sample_people": min(sample_people, int(norm.height)),
        "m": "priors (M_PRIORS)",
        "u": "random sampling of index pairs",
        "u_from_value_counts": filled,
    }
    return LinkageModel(settings=settings, meta=meta)


#: How much likelier a near miss (one edit) is than an exact agreement between
#: two different people, for levels random sampling never observes.
NEAR_MISS_FACTOR = 20.0


def _fill_rare_u(settings: dict, frame: pl.DataFrame) -> list[str]:
    """Give levels that random sampling never saw a u of their own.

    Two random people almost never share a phone or an identity number, so a
    sample of a million pairs observes no agreement and Splink leaves u empty,
    which would make the strongest evidence count for nothing. For an exact
    level u is the chance that two random non-null values agree, from the
    index's value counts (sum of squared shares); a one-edit level gets
    ``NEAR_MISS_FACTOR`` times that. Returns the labels filled.
    """
    filled = []
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        others = [lv for lv in levels if lv.get("label_for_charts") != "All other comparisons"]
        if all(lv.get("u_probability") for lv in others):
            continue
        exact_u = None
        for level in others:
            label = level.get("label_for_charts", "")
            if label.startswith("Exact match on "):
                column = label.removeprefix("Exact match on ").strip()
                if column not in frame.columns:
                    continue
                if exact_u is None or not level.get("u_probability"):
                    agree = _agreement(frame[column])
                    exact_u = agree if exact_u is None else exact_u
                    if not level.get("u_probability"):
                        level["u_probability"] = max(agree, 1e-12)
                        filled.append(label)
            elif exact_u and not level.get("u_probability"):
                level["u_probability"] = min(0.5, exact_u * NEAR_MISS_FACTOR)
                filled.append(label)
    return filled


def _agreement(values: pl.Series) -> float:
    """Chance that two random non-null values are equal: sum of squared shares."""
    values = values.drop_nulls()
    total = values.len()
    if not total:
        return 0.0
    if values.n_unique() == total:
        return 1.0 / total
    counts = values.value_counts()["count"].cast(pl.Float64)
    return float((counts**2).sum()) / total**2
