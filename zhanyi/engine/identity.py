"""Resident identity numbers (居民身份证号码), GB 11643-1999.

An 18-character number: a 6-digit administrative division code, an 8-digit
birth date (YYYYMMDD), a 3-digit sequence whose last digit is odd for men and
even for women, and an ISO 7064 MOD 11-2 check character (0-9 or X).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import numpy as np

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class IdentityNumberError(ValueError):
    """An identity number that is not valid; ``reason`` says why, in English."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class ResidentId:
    number: str
    division_code: str
    birth_date: dt.date
    sex: str  # "male" or "female"


def check_char(first17: str) -> str:
    """The check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize(number: str) -> str:
    """Strip spaces and full-width forms, upper-case a trailing x."""
    table = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")
    return re.sub(r"\s+", "", number.translate(table)).upper()


def parse_resident_id(number: str, *, today: dt.date | None = None) -> ResidentId:
    """Parse and check a resident identity number, raising IdentityNumberError.

    The codes are stable so that callers can translate them: ``length``,
    ``characters``, ``birth_date``, ``future_birth_date``, ``check_digit``.
    """
    value = normalize(number)
    if len(value) != 18:
        raise IdentityNumberError("length", f"must have 18 characters, has {len(value)}")
    if not _SHAPE.match(value):
        raise IdentityNumberError("characters", "must be 17 digits followed by a digit or X")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdentityNumberError(
            "birth_date", f"birth date {value[6:14]} is not a calendar date"
        ) from None
    # The identity number's own calendar is China's, whatever the server's zone.
    today = today or dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    if birth > today or birth.year < 1880:
        raise IdentityNumberError(
            "future_birth_date", f"birth date {birth.isoformat()} is out of range"
        )
    expected = check_char(value[:17])
    if value[17] != expected:
        raise IdentityNumberError(
            "check_digit", f"check character is {value[17]}, expected {expected}"
        )
    sex = "male" if int(value[16]) % 2 == 1 else "female"
    return ResidentId(value, value[:6], birth, sex)


def make_resident_ids(
    division_codes: np.ndarray, birth_dates: np.ndarray, sequences: np.ndarray
) -> list[str]:
    """Vectorised construction of valid numbers, for the synthetic city.

    ``division_codes`` are 6-digit ints, ``birth_dates`` numpy datetime64[D],
    ``sequences`` ints in 0..999 (odd for men, even for women).
    """
    ymd = birth_dates.astype("datetime64[D]").astype(str)
    digits = np.zeros((len(division_codes), 17), dtype=np.int64)
    div = np.asarray(division_codes, dtype=np.int64)
    for i in range(6):
        digits[:, 5 - i] = (div // 10**i) % 10
    ymd_int = np.array([int(s.replace("-", "")) for s in ymd], dtype=np.int64)
    for i in range(8):
        digits[:, 13 - i] = (ymd_int // 10**i) % 10
    seq = np.asarray(sequences, dtype=np.int64)
    for i in range(3):
        digits[:, 16 - i] = (seq // 10**i) % 10
    checks = (digits * np.array(_WEIGHTS, dtype=np.int64)).sum(axis=1) % 11
    check_chars = np.array(list(_CHECK_CHARS))[checks]
    first = [f"{d:06d}{y}{s:03d}" for d, y, s in zip(div, ymd_int, seq, strict=True)]
    return [f + c for f, c in zip(first, check_chars, strict=True)]


def make_resident_id_array(
    division_codes: np.ndarray, birth_dates: np.ndarray, sequences: np.ndarray
) -> np.ndarray:
    """``make_resident_ids`` without a Python loop: an ``S18`` array of ASCII numbers.

    For millions of synthetic residents at once; same arguments and digits.
    Each field takes few distinct values (codes, dates, sequences), so digits
    and weighted sums come from small tables instead of per-row arithmetic.
    """
    weights = np.array(_WEIGHTS, dtype=np.int64)
    codes, code_idx = np.unique(np.asarray(division_codes, dtype=np.int64), return_inverse=True)
    days = np.asarray(birth_dates).astype("datetime64[D]").astype(np.int64)
    first = int(days.min()) if len(days) else 0
    span = np.arange(first, (int(days.max()) if len(days) else 0) + 1).astype("datetime64[D]")
    ymd = np.char.replace(span.astype(str), "-", "").astype(np.int64) if len(span) else span
    seq = np.asarray(sequences, dtype=np.int64)

    def table(values: np.ndarray, width: int, at: int) -> tuple[np.ndarray, np.ndarray]:
        digits = (values[:, None] // 10 ** np.arange(width - 1, -1, -1)) % 10
        return (digits + ord("0")).astype(np.uint8), digits @ weights[at : at + width]

    code_b, code_w = table(codes, 6, 0)
    date_b, date_w = table(np.asarray(ymd, dtype=np.int64), 8, 6)
    seq_b, seq_w = table(np.arange(1000, dtype=np.int64), 3, 14)
    day_idx = days - first
    out = np.empty((len(seq), 18), dtype=np.uint8)
    out[:, :6] = code_b[code_idx]
    out[:, 6:14] = date_b[day_idx]
    out[:, 14:17] = seq_b[seq]
    total = code_w[code_idx] + date_w[day_idx] + seq_w[seq]
    out[:, 17] = np.frombuffer(_CHECK_CHARS.encode(), dtype=np.uint8)[total % 11]
    return out.view("S18").ravel()


def register_person_id(identity_number: str) -> int:
    """The external id of a person first known from the population register:
    minus 60 bits of a digest of the (normalised) number; negative, so never an
    id of the synthetic city's registry. An operator's stay file that names people
    by it reaches the same persons (``zhanyi places export-city``'s feeds)."""
    return -int(hashlib.sha256(f"register:{identity_number}".encode()).hexdigest()[:15], 16)
