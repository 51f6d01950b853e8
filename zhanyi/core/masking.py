"""Masking of identity numbers and phones for roles that do not need them."""

from __future__ import annotations


def mask_identity_number(value: str) -> str:
    """Keep the division code's first 4 and the last 4: 3506**********1233."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


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
