"""The command view's figures grouped by the task force that owns them, cases
first. The figures themselves come from the registry (``core.metrics``): this
module only arranges them."""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from zhanyi.accounts.models import TaskForceKind

# Each app's figures under its task force, in the order the command view shows them.
GROUPS = (
    ("tracing", TaskForceKind.INVESTIGATION.label),
    ("testing", TaskForceKind.TESTING.label),
    ("screening", TaskForceKind.COMMUNITY.label),
    ("people", _("Person index and health codes")),
    ("places", _("Areas")),
)


def grouped(figures) -> list[dict]:
    """``[{"key", "label", "figures"}]``: the figures by owning app; figures
    of an app not listed come last under their own prefix."""
    order = {key: i for i, (key, _label) in enumerate(GROUPS)}
    labels = dict(GROUPS)
    groups: dict[str, dict] = {}
    for f in figures:
        key = f["name"].split(".", 1)[0]
        groups.setdefault(key, {"key": key, "label": labels.get(key, key), "figures": []})
        groups[key]["figures"].append({**f, "shown": shown_value(f)})
    return sorted(groups.values(), key=lambda g: (order.get(g["key"], len(order)), g["key"]))


def shown_value(f: dict) -> str:
    """A figure's value as the tile shows it: a share with one decimal, a count grouped."""
    if f["unit"] == "%":
        return number_format(f["value"], 1)
    return intcomma(f["value"])
