"""Address resolution (地址解析): from a written address to a village of the area tree.

Pushed lists write addresses every way: with or without ``福建省漳州市`` and the
county, ``江平社区`` as ``江平居委会`` or ``江平社区居民委员会``, ``西桥街道`` as
``西桥街道办``, in traditional characters, with spaces and full-width digits.
``Gazetteer.resolve`` reads the township first and then a village of that
township after it; an address naming a township but no village of it resolves
to the township only (the township's manual queue takes it); a village named
without its township resolves when its name is unique in the city (or in the
county the address names).

With a places index (``places``: name, area_code, the compounds, schools and
markets of each village), an address that names a place resolves to the
place's village (``碧湖花园3栋``, or a township and a compound of it). A
township or village name with one wrong character (``西乔街道``, ``碧和社区``
written ``璧和社区``) is still read when only one name of the city (of the
township, for a village) is that close.

Confidence: 1.0 township and village with its suffix; 0.9 township and the
village's bare name; 0.8 a village alone (with its suffix), unique, or a
township and one of its places; 0.7 the bare names of township and village
(``西桥碧和``), or a place alone, unique; 0.6 a name one character off; 0.5
township only; 0 nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from zhanyi.engine.linkage.normalise import to_simplified

AREA_COLUMNS = ("code", "name", "level", "parent_code")
RESULT_SCHEMA = {
    "address": pl.String,
    "village_code": pl.String,
    "township_code": pl.String,
    "county_code": pl.String,
    "confidence": pl.Float64,
    "matched_text": pl.String,
}
_VILLAGE_SUFFIXES = (
    "社区居民委员会",
    "社区居委会",
    "居民委员会",
    "村民委员会",
    "社区",
    "居委会",
    "村委会",
    "村委",
    "居委",
    "村",
)
_TOWNSHIP_SUFFIXES = ("街道办事处", "街道办", "街道", "办事处", "片区", "畲族乡", "镇", "乡")
_COUNTY_SUFFIXES = ("区", "县", "市")
_PROVINCE = re.compile(r"^(福建省|福建)")


def _stem(name: str, suffixes: tuple[str, ...]) -> str:
    for s in suffixes:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class _Township:
    code: str
    county: str
    villages: re.Pattern  # stems of its villages, with an optional suffix
    by_stem: dict[str, str]  # village stem → code


def _one_off(names: list[str], suffix: str = "") -> re.Pattern:
    """Each of ``names`` (at least two characters) with any one character
    replaced, followed by ``suffix`` (a regular expression)."""
    variants = {
        re.escape(n[:i]) + "[^\\d]" + re.escape(n[i + 1 :])
        for n in names
        if len(n) >= 2
        for i in range(len(n))
    }
    if not variants:
        return re.compile("$^")
    return re.compile(f"(?:{'|'.join(sorted(variants, key=len, reverse=True))}){suffix}")


class Gazetteer:
    """Resolves addresses against an area tree (columns code, name, level,
    parent_code; levels city/county/township/village/grid) and, when given,
    the places index (columns name, area_code: a village's or a grid's)."""

    def __init__(self, areas: pl.DataFrame, places: pl.DataFrame | None = None) -> None:
        missing = [c for c in AREA_COLUMNS if c not in areas.columns]
        if missing:
            raise ValueError(f"the area table lacks the column(s) {', '.join(missing)}")
        rows = areas.select(AREA_COLUMNS).to_dicts()
        counties = {r["code"]: r["name"] for r in rows if r["level"] == "county"}
        townships = {r["code"]: r for r in rows if r["level"] == "township"}
        villages = [r for r in rows if r["level"] == "village"]
        if not townships:
            raise ValueError("the area table has no townships")
        suffix = _alternation(list(_VILLAGE_SUFFIXES))

        self._townships: dict[str, _Township] = {}
        stems_of: dict[str, dict[str, str]] = {code: {} for code in townships}
        self._village_names: dict[str, list[str]] = {}  # stem → village codes, city-wide
        self._village_parent: dict[str, str] = {}
        for v in villages:
            if v["parent_code"] not in townships:
                continue
            stem = _stem(v["name"], _VILLAGE_SUFFIXES)
            stems_of[v["parent_code"]][stem] = v["code"]
            self._village_names.setdefault(stem, []).append(v["code"])
            self._village_parent[v["code"]] = v["parent_code"]
        for code, t in townships.items():
            stems = stems_of[code]
            pattern = (
                re.compile(f"({_alternation(list(stems))})({suffix})?")
                if stems
                else re.compile("$^")
            )
            self._townships[code] = _Township(code, t["parent_code"], pattern, stems)

        # Township names: full names, then stems followed by a suffix variant.
        self._township_by_word: dict[str, str] = {}
        for code, t in townships.items():
            self._township_by_word[t["name"]] = code
            stem = _stem(t["name"], _TOWNSHIP_SUFFIXES)
            for s in _TOWNSHIP_SUFFIXES:
                self._township_by_word.setdefault(stem + s, code)
        self._township_re = re.compile(_alternation(list(self._township_by_word)))
        # Bare township stems (西桥 for 西桥街道), trusted only right before one
        # of the township's villages.
        self._township_by_stem: dict[str, str] = {}
        for code, t in townships.items():
            stem = _stem(t["name"], _TOWNSHIP_SUFFIXES)
            if len(stem) >= 2:
                self._township_by_stem.setdefault(stem, code)
        self._township_stem_re = re.compile(_alternation(list(self._township_by_stem)))
        self._county_words: dict[str, str] = {}
        for code, name in counties.items():
            self._county_words[name] = code
            short = _stem(name, _COUNTY_SUFFIXES)
            if len(short) >= 2:
                self._county_words.setdefault(short, code)
        self._county_re = re.compile(_alternation(list(self._county_words))) if counties else None
        self._any_village_re = re.compile(f"({_alternation(list(self._village_names))})({suffix})")
        self._county_of_township = {code: t["parent_code"] for code, t in townships.items()}
        self._suffix = suffix
        self._town_names = {code: t["name"] for code, t in townships.items()}
        self._fuzzy_towns: re.Pattern | None = None
        self._fuzzy_villages: dict[str, re.Pattern] = {}
        self._places_of(rows, places)

    def _places_of(self, rows: list[dict], places: pl.DataFrame | None) -> None:
        """Place name → village codes (a grid's place counts for its village)."""
        self._place_villages: dict[str, set[str]] = {}
        self._place_lengths: list[int] = []
        if places is None or places.height == 0:
            return
        village_of = {r["code"]: r["code"] for r in rows if r["level"] == "village"}
        for r in rows:
            if r["level"] == "grid" and r["parent_code"] in village_of:
                village_of[r["code"]] = r["parent_code"]
        names = to_simplified(places["name"].cast(pl.String).str.replace_all(r"\s+", ""))
        for name, area in zip(names.to_list(), places["area_code"].to_list(), strict=True):
            village = village_of.get(str(area))
            if name and len(name) >= 3 and village is not None:
                self._place_villages.setdefault(name, set()).add(village)
        # Longest first: 碧湖花园二期 before 碧湖花园.
        self._place_lengths = sorted({len(n) for n in self._place_villages}, reverse=True)

    def _place_village(self, text: str, township: str | None) -> str | None:
        """The village of the place ``text`` names, if only one (of ``township``)."""
        # Dictionary look-ups of every substring of a place's length: tens of
        # thousands of names make a slow regular expression.
        for start in range(len(text)):
            for length in self._place_lengths:
                villages = self._place_villages.get(text[start : start + length])
                if villages is None:
                    continue
                if township is not None:
                    villages = {v for v in villages if self._village_parent.get(v) == township}
                if len(villages) == 1:
                    return next(iter(villages))
        return None

    def _fuzzy_village(self, text: str, township: str) -> str | None:
        """A village of ``township`` written with one wrong character and its suffix."""
        town = self._townships[township]
        if township not in self._fuzzy_villages:
            self._fuzzy_villages[township] = _one_off(list(town.by_stem), f"(?:{self._suffix})")
        found = set()
        for m in self._fuzzy_villages[township].finditer(text):
            stem = _stem(m.group(0), _VILLAGE_SUFFIXES)
            found |= {
                code
                for s, code in town.by_stem.items()
                if len(s) == len(stem) and sum(a != b for a, b in zip(s, stem, strict=True)) == 1
            }
        return next(iter(found)) if len(found) == 1 else None

    def _fuzzy_township(self, text: str) -> tuple[str, int] | None:
        """A township written with one wrong character (and its own suffix):
        its code and where the rest of the address starts."""
        if self._fuzzy_towns is None:
            self._fuzzy_towns = _one_off(list(self._town_names.values()))
        for m in self._fuzzy_towns.finditer(text):
            word = m.group(0)
            codes = {
                code
                for code, name in self._town_names.items()
                if len(name) == len(word)
                and sum(a != b for a, b in zip(name, word, strict=True)) == 1
            }
            if len(codes) == 1:
                return next(iter(codes)), m.end()
        return None

    def resolve(self, addresses: list[str] | pl.Series) -> pl.DataFrame:
        """One row per address, in order: address, village_code, township_code,
        county_code, confidence, matched_text (nulls when not resolved)."""
        series = (
            addresses if isinstance(addresses, pl.Series) else pl.Series(addresses, dtype=pl.String)
        )
        series = series.cast(pl.String).rename("address")
        clean = to_simplified(series.str.replace_all(r"[\s\u3000,，、]+", ""))
        uniq = clean.drop_nulls().unique().to_list()
        found = {text: self._resolve_one(text) for text in uniq}
        rows = [found.get(t) if t is not None else None for t in clean.to_list()]
        empty = (None, None, None, 0.0, None)
        cols: list[Sequence[object]] = (
            list(zip(*[r or empty for r in rows], strict=True)) if rows else [[]] * 5
        )
        return pl.DataFrame(
            {
                "address": series,
                "village_code": pl.Series(cols[0], dtype=pl.String),
                "township_code": pl.Series(cols[1], dtype=pl.String),
                "county_code": pl.Series(cols[2], dtype=pl.String),
                "confidence": pl.Series(cols[3], dtype=pl.Float64),
                "matched_text": pl.Series(cols[4], dtype=pl.String),
            },
            schema=RESULT_SCHEMA,
        )

    def _resolve_one(self, text: str) -> tuple:
        text = _PROVINCE.sub("", text)
        counties = set()
        if self._county_re is not None:
            counties = {self._county_words[m.group(0)] for m in self._county_re.finditer(text)}
        for m in self._township_re.finditer(text):
            tcode = self._township_by_word[m.group(0)]
            town = self._townships[tcode]
            rest = text[m.end() :]
            best = None
            for vm in town.villages.finditer(rest):
                if vm.group(2):
                    best = (vm, 1.0)
                    break
                if best is None and vm.start() == 0:
                    best = (vm, 0.9)
            if best is not None:
                vm, conf = best
                vcode = town.by_stem[vm.group(1)]
                return (vcode, tcode, town.county, conf, m.group(0) + vm.group(0))
            return self._township_only(rest, tcode, m.group(0))
        # A bare township stem right before a village of that township.
        for m in self._township_stem_re.finditer(text):
            tcode = self._township_by_stem[m.group(0)]
            town = self._townships[tcode]
            after = town.villages.match(text, m.end())
            if after is not None:
                vcode = town.by_stem[after.group(1)]
                return (vcode, tcode, town.county, 0.7, m.group(0) + after.group(0))
        # No township: a village named with its suffix, unique in the city or county.
        for vm in self._any_village_re.finditer(text):
            codes = self._village_names[vm.group(1)]
            if counties:
                narrowed = [
                    c
                    for c in codes
                    if self._county_of_township[self._village_parent[c]] in counties
                ]
                codes = narrowed or codes
            if len(codes) == 1:
                vcode = codes[0]
                tcode = self._village_parent[vcode]
                return (vcode, tcode, self._county_of_township[tcode], 0.8, vm.group(0))
        # A place of the index named alone, unique in the city.
        place_village = self._place_village(text, None)
        if place_village is not None:
            tcode = self._village_parent[place_village]
            return (place_village, tcode, self._county_of_township[tcode], 0.7, None)
        # A township with one wrong character, then what follows it.
        fuzzy = self._fuzzy_township(text)
        if fuzzy is not None:
            tcode, end = fuzzy
            town = self._townships[tcode]
            after = town.villages.search(text, end)
            if after is not None and (after.group(2) or after.start() == end):
                return (town.by_stem[after.group(1)], tcode, town.county, 0.6, None)
            return self._township_only(text[end:], tcode, None)
        return (None, None, None, 0.0, None)

    def _township_only(self, rest: str, tcode: str, matched: str | None) -> tuple:
        """A township without a village of it by name: one of its places, or
        one of its villages with one wrong character, else the township alone."""
        county = self._townships[tcode].county
        vcode = self._place_village(rest, tcode)
        if vcode is not None:
            return (vcode, tcode, county, 0.8, matched)
        vcode = self._fuzzy_village(rest, tcode)
        if vcode is not None:
            return (vcode, tcode, county, 0.6, matched)
        return (None, tcode, county, 0.5, matched)
