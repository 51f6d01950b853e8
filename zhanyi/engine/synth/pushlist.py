"""A faulty push list (协查推送名单) for the synthetic city, with its truth.

Regions with outbreaks push lists of people to screen: close contacts,
secondary contacts, spatiotemporal companions, arrivals from risk areas. The
article's figures for Zhangzhou from 10 September 2021: 163,000 records,
127,000 people found in the city, 20,500 not in the city; the rest were the
same people pushed more than once. ``generate_push_list`` draws such a list
from the person index, with the faults real lists have:

* the same person twice or more (another category, another origin, another
  clerk's spelling);
* people not in the city at all (identity numbers of Putian, Xiamen and
  Quanzhou, names like the city's);
* typos in names (a homophone or another character), traditional characters,
  stray spaces;
* two adjacent digits swapped in the identity number, the number missing
  (companion lists often carry only a phone), a lower-case ``x``;
* phones missing or with one wrong digit;
* old addresses (the person moved: another village, or only the township of
  an address that no longer exists), and the many ways an address is written;
* birth dates missing or in another format, sex missing.

It returns the records and the truth (record_key → true person_id, null for
people not in the city, plus the person key shared by duplicates and the
faults applied), so that linkage can be scored. ``write_push_list`` writes
the records as the senders do: xlsx, or csv in UTF-8 or GBK.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from zhanyi.engine import identity

CATEGORIES = ("close_contact", "secondary_contact", "companion", "risk_area_arrival")
CATEGORY_P = (0.15, 0.20, 0.35, 0.30)
CATEGORY_LABELS = {
    "close_contact": "密接",
    "secondary_contact": "次密接",
    "companion": "时空伴随",
    "risk_area_arrival": "中高风险地区来返人员",
}
#: Origin city → (share of records, county-level division codes, county names).
ORIGINS = {
    "莆田市": (
        0.5,
        ("350302", "350303", "350304", "350305", "350322"),
        "城厢区 涵江区 荔城区 秀屿区 仙游县",
    ),
    "厦门市": (
        0.3,
        ("350203", "350205", "350206", "350211", "350212"),
        "思明区 海沧区 湖里区 集美区 同安区",
    ),
    "泉州市": (
        0.2,
        ("350502", "350503", "350504", "350505", "350581"),
        "鲤城区 丰泽区 洛江区 泉港区 石狮市",
    ),
}
#: Default fault rates, each the share of records it touches.
FAULTS = {
    "duplicate": 0.095,  # share of records that repeat a person already listed
    "not_in_city": 0.139,  # share of distinct people who are not in the index
    "name_typo": 0.03,
    "traditional": 0.04,
    "name_spaces": 0.01,
    "id_swapped": 0.015,
    "id_missing": 0.06,  # and 0.35 of companions
    "id_lowercase": 0.01,
    "phone_missing": 0.10,
    "phone_typo": 0.01,
    "address_moved": 0.05,
    "address_township_only": 0.02,
    "address_variant": 0.35,
    "birth_date_missing": 0.30,
    "sex_missing": 0.10,
}
OUTPUT_COLUMNS = (
    "record_key",
    "name",
    "id_number",
    "phone",
    "sex",
    "birth_date",
    "address",
    "category",
    "origin",
    "exposure_at",
    "arrived_at",
)
#: Headers of a written list: the names senders use (the screening template's).
HEADERS = {
    "record_key": "序号",
    "name": "姓名",
    "id_number": "身份证号",
    "phone": "手机号",
    "sex": "性别",
    "birth_date": "出生日期",
    "address": "现住址",
    "category": "人员类别",
    "origin": "推送地",
    "exposure_at": "末次接触时间",
    "arrived_at": "抵达时间",
}
_MOBILE_PREFIXES = (134, 135, 136, 137, 138, 139, 150, 151, 152, 158, 159, 182, 186, 187, 188, 189)
_ROADS = ("拱辰", "镇海", "梅峰", "胜利", "东园", "湖滨", "仙港", "嘉禾", "厦禾", "湖里", "丰泽")
#: Lists are dated in China time, as their senders write them.
_START = dt.datetime(2021, 9, 10, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _people_frame(people: pl.DataFrame) -> pl.DataFrame:
    if "identity_number" in people.columns and "id_number" not in people.columns:
        people = people.rename({"identity_number": "id_number"})
    need = ("person_id", "name", "id_number", "phone", "birth_date", "sex", "address")
    missing = [c for c in need if c not in people.columns]
    if missing:
        raise ValueError(f"the people table lacks the column(s) {', '.join(missing)}")
    if "village_code" not in people.columns:
        people = people.with_columns(pl.lit(None, pl.String).alias("village_code"))
    return people.select(*need, "village_code")


@lru_cache(maxsize=1)
def _s2t() -> dict[str, str]:
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "STCharacters.txt"
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1 and parts[0] != parts[1]:
            table[parts[0]] = parts[1]
    return table


def _traditional(text: str) -> str:
    table = _s2t()
    return "".join(table.get(c, c) for c in text)


def _homophones(chars: list[str]) -> dict[str, list[str]]:
    """Character → other characters of the pool read the same (tones ignored)."""
    from pypinyin import Style, lazy_pinyin

    by_sound: dict[str, list[str]] = {}
    for c in chars:
        by_sound.setdefault(lazy_pinyin(c, style=Style.NORMAL)[0], []).append(c)
    out = {}
    for group in by_sound.values():
        for c in group:
            others = [o for o in group if o != c]
            if others:
                out[c] = others
    return out


def _swap_digits(number: str, rng: np.random.Generator) -> str:
    """Two adjacent, different digits of the 17 swapped (the check character stays)."""
    spots = [i for i in range(6, 16) if number[i] != number[i + 1]]
    if not spots:
        spots = [i for i in range(16) if number[i] != number[i + 1]]
    i = spots[int(rng.integers(len(spots)))]
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def _address_variant(address: str, rng: np.random.Generator) -> str:
    kind = int(rng.integers(6))
    if kind == 0:
        return address.replace("漳州市", "", 1)
    if kind == 1:
        return "福建省" + address
    if kind == 2:
        return address.replace("社区", "居委会", 1).replace("村", "村委会", 1)
    if kind == 3:
        return address.replace("街道", "街道 ", 1).replace("镇", "镇 ", 1)
    if kind == 4:
        return address.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    # Without city and county: township first.
    for cut in ("区", "县"):
        at = address.find(cut, 3)
        if 0 < at < 8:
            return address[at + 1 :]
    return address


def _township_only(address: str, village_name: str | None, rng: np.random.Generator) -> str:
    """An old address: the township still named, the village part gone or renamed."""
    if village_name and village_name in address:
        head = address[: address.index(village_name)]
        return f"{head}{_ROADS[int(rng.integers(len(_ROADS)))]}旧街{int(rng.integers(1, 200))}号"
    return address


def _outsiders(rng: np.random.Generator, names: np.ndarray, n: int) -> dict[str, list]:
    cities = list(ORIGINS)
    city_p = np.array([ORIGINS[c][0] for c in cities])
    city = rng.choice(len(cities), n, p=city_p / city_p.sum())
    county = rng.integers(0, 5, n)
    division = np.array([int(ORIGINS[cities[c]][1][k]) for c, k in zip(city, county, strict=True)])
    days = rng.integers(
        (dt.date(1940, 1, 1) - dt.date(1970, 1, 1)).days,
        (dt.date(2015, 12, 31) - dt.date(1970, 1, 1)).days,
        n,
    )
    birth = days.astype("datetime64[D]")
    male = rng.random(n) < 0.51
    seq = rng.integers(0, 500, n) * 2 + male.astype(np.int64)
    ids = identity.make_resident_ids(division, birth, seq)
    name = names[rng.integers(0, len(names), n)]
    phone = np.array(_MOBILE_PREFIXES)[rng.integers(0, len(_MOBILE_PREFIXES), n)] * 10**8
    phone = phone + rng.integers(0, 10**8, n)
    addresses = []
    for c, k in zip(city, county, strict=True):
        road = _ROADS[int(rng.integers(len(_ROADS)))]
        cname = ORIGINS[cities[c]][2].split()[k]
        addresses.append(f"福建省{cities[c]}{cname}{road}路{int(rng.integers(1, 300))}号")
    return {
        "name": list(name),
        "id_number": ids,
        "phone": [str(p) for p in phone],
        "birth_date": [dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + int(d)) for d in days],
        "sex": ["male" if m else "female" for m in male],
        "address": addresses,
        "origin": [cities[c] for c in city],
    }


def _fault_rates(faults: dict[str, float] | None) -> dict[str, float]:
    """``FAULTS`` with the rates ``faults`` overrides, each checked."""
    rates = dict(FAULTS)
    for key, value in (faults or {}).items():
        if key not in FAULTS:
            raise ValueError(f"unknown fault {key!r}; known: {', '.join(FAULTS)}")
        if not 0 <= value <= 1:
            raise ValueError(f"fault rate {key}={value} is not between 0 and 1")
        rates[key] = value
    return rates


def _distinct_persons(
    people: pl.DataFrame, n_unique: int, rates: dict[str, float], rng: np.random.Generator
) -> tuple[dict[str, list], pl.DataFrame, np.ndarray]:
    """The distinct persons of the list, as columns (people of the city first,
    then outsiders); the city's persons chosen, and the names drawn from."""
    n_out = round(n_unique * rates["not_in_city"])
    n_in = min(n_unique - n_out, people.height)
    n_out = n_unique - n_in
    chosen = people[np.sort(rng.choice(people.height, n_in, replace=False))]
    names = people["name"].drop_nulls().to_numpy()
    outs = _outsiders(rng, names, n_out)
    base = {
        "person_id": chosen["person_id"].to_list() + [None] * n_out,
        "name": chosen["name"].to_list() + outs["name"],
        "id_number": chosen["id_number"].to_list() + outs["id_number"],
        "phone": chosen["phone"].to_list() + outs["phone"],
        "birth_date": chosen["birth_date"].to_list() + outs["birth_date"],
        "sex": chosen["sex"].to_list() + outs["sex"],
        "address": chosen["address"].to_list() + outs["address"],
        "village_code": chosen["village_code"].to_list() + [None] * n_out,
        "home_origin": [None] * n_in + outs["origin"],
    }
    return base, chosen, names


@dataclass
class _Faults:
    """The faults a record may get, drawn with ``u`` (one row of uniform draws
    per record) and ``rng``, in a fixed order so that a seed gives one list.
    Each method notes the faults it applied in ``applied``."""

    rng: np.random.Generator
    rates: dict[str, float]
    #: Characters of the city's names, and those that sound alike.
    pool: list[str]
    sounds_like: dict[str, list[str]]
    village_name: dict[str, str]
    in_city_addresses: list[str]

    @classmethod
    def for_city(
        cls,
        rng: np.random.Generator,
        rates: dict[str, float],
        names: np.ndarray,
        chosen: pl.DataFrame,
        areas: pl.DataFrame,
    ) -> _Faults:
        """The faults of a list drawn from ``chosen`` in the city of ``areas``."""
        pool = sorted({c for name in names[: min(len(names), 200_000)] for c in str(name)[1:]})
        villages = areas.filter(pl.col("level") == "village").select("code", "name")
        return cls(
            rng=rng,
            rates=rates,
            pool=pool,
            sounds_like=_homophones(pool),
            village_name=dict(villages.iter_rows()),
            in_city_addresses=chosen["address"].to_list() or [""],
        )

    def name(self, name: str, ur: np.ndarray, applied: list[str]) -> str:
        """A homophone or another character in the given name."""
        rng = self.rng
        if ur[0] < self.rates["name_typo"] and len(name) >= 2:
            i = 1 + int(rng.integers(len(name) - 1))
            alike = self.sounds_like.get(name[i])
            if alike and ur[1] < 0.6:
                new = alike[int(rng.integers(len(alike)))]
            else:
                new = self.pool[int(rng.integers(len(self.pool)))]
            if new != name[i]:
                name = name[:i] + new + name[i + 1 :]
                applied.append("name_typo")
        return name

    def identity_and_phone(
        self, idn: str | None, phone: str | None, category: str, ur: np.ndarray, applied: list[str]
    ) -> tuple[str | None, str | None]:
        """The identity number missing, with two digits swapped or a lower-case
        x; the phone missing (only when the number is there) or one digit wrong."""
        rng, rates = self.rng, self.rates
        id_missing_p = 0.35 if category == "companion" else rates["id_missing"]
        if ur[2] < id_missing_p and phone:
            idn = None
            applied.append("id_missing")
        elif idn and ur[3] < rates["id_swapped"]:
            idn = _swap_digits(idn, rng)
            applied.append("id_swapped")
        elif idn and idn.endswith("X") and ur[4] < min(1.0, rates["id_lowercase"] * 11):
            # About one number in eleven ends in X: the rate is of all records.
            idn = idn[:-1] + "x"
            applied.append("id_lowercase")
        if phone and idn and ur[5] < rates["phone_missing"]:
            phone = None
            applied.append("phone_missing")
        elif phone and ur[6] < rates["phone_typo"]:
            i = 3 + int(rng.integers(8))
            digit = str((int(phone[i]) + 1 + int(rng.integers(9))) % 10)
            phone = phone[:i] + digit + phone[i + 1 :]
            applied.append("phone_typo")
        return idn, phone

    def address(
        self, address: str, village_code: str | None, ur: np.ndarray, applied: list[str]
    ) -> str:
        """A city resident's address: moved, an old township-only one, or
        written another way."""
        rng, rates = self.rng, self.rates
        if ur[7] < rates["address_moved"]:
            address = self.in_city_addresses[int(rng.integers(len(self.in_city_addresses)))]
            applied.append("address_moved")
        elif ur[7] < rates["address_moved"] + rates["address_township_only"]:
            village = self.village_name.get(village_code) if village_code is not None else None
            old = _township_only(address, village, rng)
            if old != address:
                address = old
                applied.append("address_township_only")
        if ur[8] < rates["address_variant"]:
            address = _address_variant(address, rng)
            applied.append("address_variant")
        return address

    def spelling(
        self, name: str, address: str, ur: np.ndarray, applied: list[str]
    ) -> tuple[str, str]:
        """Traditional characters, and a stray space in the name."""
        if ur[9] < self.rates["traditional"]:
            name, address = _traditional(name), _traditional(address)
            applied.append("traditional")
        if ur[10] < self.rates["name_spaces"] and len(name) >= 2:
            name = name[0] + " " + name[1:]
            applied.append("name_spaces")
        return name, address

    def birth_and_sex(
        self, birth: dt.date | None, sex: str | None, idn: str | None, ur: np.ndarray
    ) -> tuple[str | None, str | None]:
        """The birth date as written (in one of three formats, or missing) and
        the sex in Chinese (or missing)."""
        birth_text = None
        # Without an identity number the birth date is usually given.
        missing_p = self.rates["birth_date_missing"] * (0.6 if idn is None else 1.0)
        if birth is not None and ur[11] >= missing_p:
            birth_text = birth.strftime(_DATE_FORMATS[int(ur[12] * 3)])
        sex_text = None
        if sex in ("male", "female") and ur[13] >= self.rates["sex_missing"]:
            sex_text = "男" if sex == "male" else "女"
        return birth_text, sex_text


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")


def _record_times(category: str, ur: np.ndarray) -> tuple[str | None, str | None]:
    """(exposure_at, arrived_at) as written: an arrival has its arrival time,
    anyone else a last exposure one to three days before being pushed."""
    when = _START + dt.timedelta(minutes=int(ur[14] * 6 * 24 * 60))
    if category == "risk_area_arrival":
        return None, when.strftime("%Y-%m-%d %H:%M")
    return (when - dt.timedelta(days=1 + int(ur[15] * 3))).strftime("%Y-%m-%d %H:%M"), None


def generate_push_list(
    people: pl.DataFrame,
    areas: pl.DataFrame,
    n: int,
    *,
    seed: int,
    faults: dict[str, float] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``n`` push records drawn from ``people`` (the person index) and their truth.

    ``people``: person_id, name, identity_number (or id_number), phone,
    birth_date, sex, address, village_code. ``areas``: the area tree (code,
    name, level, parent_code), for old addresses. ``faults`` overrides rates
    of ``FAULTS``. Records: the columns of ``OUTPUT_COLUMNS``, every value a
    string as read from a file (category in Chinese, as senders write it).
    Truth: record_key, person_id (null when not in the city), person_key
    (shared by records of one person), faults (comma-separated).
    """
    if n < 1:
        raise ValueError(f"a push list needs at least one record, asked for {n}")
    rates = _fault_rates(faults)
    people = _people_frame(people)
    if people.height < 1:
        raise ValueError("the people table is empty")
    rng = np.random.default_rng(seed)

    n_unique = max(1, round(n * (1 - rates["duplicate"])))
    base, chosen, names = _distinct_persons(people, n_unique, rates, rng)
    # Records: every distinct person once, then the repeats, shuffled.
    repeats = rng.integers(0, n_unique, n - n_unique)
    order = np.concatenate([np.arange(n_unique), repeats])
    rng.shuffle(order)
    first_seen = np.zeros(n_unique, dtype=bool)

    fault = _Faults.for_city(rng, rates, names, chosen, areas)
    cities = list(ORIGINS)
    city_p = np.array([ORIGINS[c][0] for c in cities])
    cat_draw = rng.choice(len(CATEGORIES), n, p=np.array(CATEGORY_P))
    city_draw = rng.choice(len(cities), n, p=city_p / city_p.sum())
    u = rng.random((n, 16))

    rows: dict[str, list] = {c: [] for c in OUTPUT_COLUMNS}
    truth: dict[str, list] = {"record_key": [], "person_id": [], "person_key": [], "faults": []}
    for r, p in enumerate(order):
        applied: list[str] = ["duplicate"] if first_seen[p] else []
        first_seen[p] = True
        ur = u[r]
        category = CATEGORIES[cat_draw[r]]
        name = fault.name(base["name"][p] or "", ur, applied)
        idn, phone = fault.identity_and_phone(
            base["id_number"][p], base["phone"][p], category, ur, applied
        )
        address = base["address"][p] or ""
        if base["person_id"][p] is not None:
            address = fault.address(address, base["village_code"][p], ur, applied)
        name, address = fault.spelling(name, address, ur, applied)
        birth_text, sex_text = fault.birth_and_sex(base["birth_date"][p], base["sex"][p], idn, ur)
        exposure, arrived = _record_times(category, ur)

        key = f"R{r + 1:06d}"
        record = {
            "record_key": key,
            "name": name,
            "id_number": idn,
            "phone": phone,
            "sex": sex_text,
            "birth_date": birth_text,
            "address": address or None,
            "category": CATEGORY_LABELS[category],
            "origin": base["home_origin"][p] or cities[city_draw[r]],
            "exposure_at": exposure,
            "arrived_at": arrived,
        }
        for column, value in record.items():
            rows[column].append(value)
        truth["record_key"].append(key)
        truth["person_id"].append(base["person_id"][p])
        truth["person_key"].append(int(p) + 1)
        truth["faults"].append(",".join(applied))

    records = pl.DataFrame(rows, schema=dict.fromkeys(OUTPUT_COLUMNS, pl.String))
    truth_df = pl.DataFrame(
        truth,
        schema={
            "record_key": pl.String,
            "person_id": pl.Int64,
            "person_key": pl.Int64,
            "faults": pl.String,
        },
    )
    return records, truth_df


def write_push_list(
    df: pl.DataFrame,
    path: str | Path,
    fmt: str = "xlsx",
    encoding: str = "utf-8",
    *,
    headers: dict[str, str] | None = None,
) -> Path:
    """Write ``df`` as a sender would: ``fmt`` "xlsx" or "csv" (``encoding``
    "utf-8", "gbk" or "gb18030"), headers in Chinese (``HEADERS``) unless
    ``headers`` says otherwise. A character the encoding cannot hold is an
    error naming the row and column, and no file is left behind."""
    path = Path(path)
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"format {fmt!r}: use xlsx or csv")
    names = {**HEADERS, **(headers or {})}
    header = [names.get(c, c) for c in df.columns]
    tmp = path.with_name(path.name + ".part")
    try:
        if fmt == "xlsx":
            import openpyxl

            book = openpyxl.Workbook(write_only=True)
            sheet = book.create_sheet("协查名单")
            sheet.append(header)
            for row in df.iter_rows():
                sheet.append(list(row))
            book.save(tmp)
        else:
            if encoding.lower().replace("-", "") not in ("utf8", "gbk", "gb18030"):
                raise ValueError(f"encoding {encoding!r}: use utf-8, gbk or gb18030")
            text = df.rename(dict(zip(df.columns, header, strict=True))).write_csv()
            try:
                data = text.encode(encoding)
            except UnicodeEncodeError as exc:
                line = text[: exc.start].count("\n")
                char = text[exc.start : exc.end]
                raise ValueError(
                    f"row {line} holds {char!r}, which {encoding} cannot encode; use gb18030"
                ) from None
            tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
