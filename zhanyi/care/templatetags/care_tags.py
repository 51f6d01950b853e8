"""Template filters of the care pages."""

from __future__ import annotations

from django import template

from zhanyi.core.masking import mask_name

register = template.Library()


@register.filter
def masked(name: str) -> str:
    """``{{ person.name|masked }}``: 张** in lists; the full name only on the audited page."""
    return mask_name(name)
