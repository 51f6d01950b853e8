"""Template filters that show personal data masked unless the user's role needs it."""

from __future__ import annotations

from django import template

from zhanyi.people import display

register = template.Library()


@register.filter
def identity_for(number: str, user) -> str:
    """``{{ person.identity_number|identity_for:user }}``"""
    return display.identity_for(user, number)


@register.filter
def birth_date_for(birth, user) -> str:
    """``{{ person.birth_date|birth_date_for:user }}``: the date, or only the year."""
    return display.birth_date_for(user, birth)


@register.filter
def phone_for(e164: str, user) -> str:
    """``{{ person.phone|phone_for:user }}``"""
    return display.phone_for(user, e164)


@register.filter
def payload_for(payload, user) -> list:
    """A source record's payload as masked (key, value) pairs."""
    return display.payload_for(user, payload)


@register.filter
def changes_for(changes, user) -> list:
    return display.changes_for(user, changes)
