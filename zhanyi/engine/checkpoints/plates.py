"""Chinese licence plates (机动车号牌) as an officer types them.

Accepted, after normalising (full-width to half-width, upper case, spaces,
dots and hyphens dropped):

- ordinary plates, 7 characters: a province (闽), a letter of the issuing
  office (E), five letters or digits (12345), the last of which may be 学,
  警, 挂, 港 or 澳 instead;
- new-energy plates (新能源), 8 characters: a province, a letter, then six
  with D or F first (small vehicles, 闽ED12345) or last (large, 闽E12345D).

The letters I and O are never issued (they read as 1 and 0). A refusal is a
``PlateError`` with a ``code`` and the values the app needs to say why in the
user's language; the engine itself says nothing to users.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
SUFFIXES = "学警挂港澳"
_DROPPED = re.compile(r"[\s·•.\-_]")
_BODY = re.compile(r"^[A-HJ-NP-Z0-9]+$")


class PlateError(ValueError):
    """A plate that is not one: ``code`` says why, ``params`` with what."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


@dataclass(frozen=True)
class Plate:
    number: str  # normalised, e.g. 闽E12345 or 闽ED12345
    new_energy: bool


def normalise(raw: str) -> str:
    """Full-width to half-width, upper case, separators dropped."""
    text = unicodedata.normalize("NFKC", raw or "")
    return _DROPPED.sub("", text).upper()


def parse_plate(raw: str) -> Plate:
    """The plate ``raw`` names, or ``PlateError`` saying what is wrong."""
    number = normalise(raw)
    if not number:
        raise PlateError("empty")
    if number[0] not in PROVINCES:
        raise PlateError("province", first=number[0])
    if len(number) not in (7, 8):
        raise PlateError("length", length=len(number))
    office = number[1]
    if not ("A" <= office <= "Z"):
        raise PlateError("office", second=office)
    body = number[2:]
    if len(number) == 7 and body[-1] in SUFFIXES:
        body = body[:-1]
    bad = sorted({c for c in body if c in "IO"})
    if bad:
        raise PlateError("letter_io", letters="".join(bad))
    if not _BODY.match(body):
        wrong = next(c for c in body if not _BODY.match(c))
        raise PlateError("character", character=wrong)
    new_energy = len(number) == 8
    if new_energy and not (body[0] in "DF" or body[-1] in "DF"):
        raise PlateError("new_energy")
    return Plate(number=number, new_energy=new_energy)
