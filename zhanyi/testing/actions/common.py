"""What every testing action shares: input problems, access checks, time."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.core.audit import SystemActor
from zhanyi.engine.protocol import DEFAULT_PROTOCOL, LOCAL_TZ, load_protocol


@dataclass(frozen=True)
class Problem:
    """One refused input: where (row or index), which field, why."""

    row: int | None
    field: str
    code: str
    message: str
    value: str = ""

    def as_dict(self) -> dict:
        out: dict[str, object] = {
            "field": self.field,
            "code": self.code,
            "message": str(self.message),
        }
        if self.row is not None:
            out["row"] = self.row
        if self.value:
            out["value"] = self.value[:64]
        return out


class InputError(ValueError):
    """Input refused as a whole; ``problems`` says where and why. Nothing was stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(_describe(p) for p in problems[:5]))


def _describe(p: Problem) -> str:
    where = f"row {p.row}, " if p.row is not None else ""
    return f"{where}{p.field}: {p.message}"


def refuse(field: str, code: str, message: str, value: str = "", row: int | None = None):
    raise InputError([Problem(row, field, code, str(message), str(value))])


def require_operations(user, area=None) -> None:
    """Writes need ``edit_operations``; an area, when given, must be in the jurisdiction.

    A ``SystemActor`` (the command line, the demo) is trusted: it has no user.
    """
    if isinstance(user, SystemActor):
        return
    if not has_capability(user, "edit_operations"):
        raise PermissionDenied("requires the 'edit_operations' capability")
    if area is not None:
        jurisdiction.require_area(user, area)


def round_in_reach(user, round_) -> bool:
    """``queries.rounds_for``'s rule for one round: its area lies in the
    jurisdiction, or contains it (a village's samplers work in the city's
    round; a county sees its part of it)."""
    path = jurisdiction.root_path(user)
    if path is None:
        return False
    area_path = round_.area.path
    return area_path.startswith(path) or path.startswith(area_path)


def require_round_work(user, round_) -> None:
    """Writing into a round needs ``edit_operations`` and the round in reach."""
    require_operations(user)
    if not isinstance(user, SystemActor) and not round_in_reach(user, round_):
        raise PermissionDenied("the round is outside your jurisdiction")


def now() -> dt.datetime:
    return timezone.now()


def aware(value: dt.datetime) -> dt.datetime:
    """A datetime as aware; a naive one is read as China time (what labs write)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=LOCAL_TZ)
    return value


def parse_time(value: str) -> dt.datetime:
    """A time as labs and phones write it (``2021-09-12 08:30``, ``2021/09/12
    08:30:00``, ISO with an offset); without an offset it is China time."""
    value = value.strip()
    if not value:
        raise ValueError("empty")
    return _parse_time(value)


@functools.lru_cache(maxsize=4096)
def _parse_time(value: str) -> dt.datetime:
    # A file repeats a few times over thousands of rows (machines and phones
    # write minutes): each text is read once.
    return aware(dt.datetime.fromisoformat(value.replace("/", "-")))


def missing_columns(header: Sequence[str], required: Sequence[str], message: str) -> list[Problem]:
    """The problem of a file whose header (line 1) lacks required columns, or
    none; ``message`` (translated) names them through ``%(cols)s``."""
    missing = [c for c in required if c not in header]
    if not missing:
        return []
    return [Problem(1, "header", "missing_columns", message % {"cols": ", ".join(missing)})]


@functools.lru_cache(maxsize=8)
def testing_rule(protocol: str = DEFAULT_PROTOCOL):
    """The protocol's [testing] rules, read once per process (a scan should not
    parse a TOML file); an edited protocol file applies after a restart."""
    return load_protocol(protocol).testing
