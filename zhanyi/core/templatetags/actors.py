"""``{{ report.taken_by|actor }}``: a stored actor name as a reader should see
it (``core.actors.actor_label``). A built-in filter of every template."""

from django import template

from zhanyi.core.actors import actor_label

register = template.Library()


@register.filter
def actor(name: str) -> str:
    return actor_label(str(name or ""))
