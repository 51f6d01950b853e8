"""Masking of identity numbers and phones for roles that do not need them.

A masked identity number must not be rebuildable from what the same reader
sees next to it (docs/security.md, "Masking"): the division code follows from
the person's area, the sex fixes the parity of the sequence's last digit and
the check character follows from the other 17. So the mask keeps only the
first 4 (the city, known anyway) and the last 2, and a reader who gets the
mask gets the birth year, never the birth date (``zhanyi.people.display``).
"""

from __future__ import annotations


def mask_identity_number(value: str) -> str:
    """Keep the first 4 and the last 2: 3506************33.

    With the birth year, the sex and the area known, some 3,300 resident
    numbers fit such a mask (100 sequences × 365 days ÷ 11 check characters);
    the last 4 with the birth date left one.
    """
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def mask_phone(value: str) -> str:
    """Keep the first 3 and the last 4 digits: 138****5678."""
    if not value:
        return ""
    digits = value.replace(" ", "")
    if len(digits) <= 7:
        return digits[:1] + "*" * (len(digits) - 1)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(value: str) -> str:
    """Keep the surname: 张**."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
