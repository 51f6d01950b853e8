"""The command view's figures grouped by the task force that owns them, cases
first. The figures themselves come from the registry (``core.metrics``): this
module only arranges them."""

from __future__ import annotations

from django.apps import apps
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from zhanyi.accounts.models import TaskForceKind

# Each app's figures under its task force, in the order the command view shows
# them: the cases first, then the work that follows them, then the perimeter and
# the means. An app without a label here is shown under its own name (its
# AppConfig's verbose_name); an app not listed comes after these, by name.
GROUPS = (
    ("tracing", TaskForceKind.INVESTIGATION.label),
    ("testing", TaskForceKind.TESTING.label),
    ("screening", TaskForceKind.COMMUNITY.label),
    ("quarantine", None),
    ("zones", None),
    ("checkpoints", None),
    ("coldchain", None),
    ("teams", None),
    ("clinics", None),
    ("hospital", None),
    ("vaccination", None),
    ("supplies", None),
    ("workforce", None),
    ("livelihood", None),
    ("publicity", None),
    ("command", None),
    ("people", _("Person index and health codes")),
    ("places", _("Areas")),
)


def group_label(key: str) -> str:
    """The label of a figure's group: the task force's, or the owning app's name."""
    label = dict(GROUPS).get(key)
    if label is not None:
        return str(label)
    try:
        return str(apps.get_app_config(key).verbose_name)
    except LookupError:
        return key


def grouped(figures) -> list[dict]:
    """``[{"key", "label", "figures"}]``: the figures by owning app; figures
    of an app not listed come last."""
    order = {key: i for i, (key, _label) in enumerate(GROUPS)}
    groups: dict[str, dict] = {}
    for f in figures:
        key = f["name"].split(".", 1)[0]
        groups.setdefault(key, {"key": key, "label": group_label(key), "figures": []})
        groups[key]["figures"].append({**f, "shown": shown_value(f)})
    return sorted(groups.values(), key=lambda g: (order.get(g["key"], len(order)), g["key"]))


def shown_value(f: dict) -> str:
    """A figure's value as the tile shows it: a share with one decimal, a count grouped."""
    if f["unit"] == "%":
        return number_format(f["value"], 1)
    return intcomma(f["value"])
