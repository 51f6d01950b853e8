"""Flowcharts of the emergency plan (应急预案流程图) as small state machines.

A flowchart names the states of one workflow (a directive, a case, a
quarantine placement, a risk zone), the first of them, and the transitions
between them: who makes each and, if any, the hours it must be made within.
The plan stores them as data; this module reads them, checks them, compares
them with the transitions a workflow's code makes, and lays them out for
drawing. Plain Python: no Django.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The standard flowcharts a new plan starts from (data officials may edit);
#: not beside the protocol editions, where every ``*.toml`` is an edition.
STANDARD_FILE = Path(__file__).resolve().parents[1] / "protocols" / "flowcharts" / "standard.toml"


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    #: Who makes it (a role or a task force, in the plan's words).
    by: str = ""
    #: Hours within which it is made, when the plan sets a limit.
    within_hours: float | None = None


@dataclass(frozen=True)
class Flowchart:
    key: str
    title: str
    states: tuple[str, ...]
    initial: str
    transitions: tuple[Transition, ...] = field(default=())

    def edges(self) -> set[tuple[str, str]]:
        return {(t.source, t.target) for t in self.transitions}

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "states": list(self.states),
            "initial": self.initial,
            "transitions": [
                {
                    "from": t.source,
                    "to": t.target,
                    "by": t.by,
                    **({"within_hours": t.within_hours} if t.within_hours is not None else {}),
                }
                for t in self.transitions
            ],
        }


class FlowchartError(ValueError):
    """A flowchart that is not a state machine (the message says why)."""


def parse(data: Mapping[str, Any]) -> Flowchart:
    """A flowchart from its stored form (``as_dict``'s shape); raises
    ``FlowchartError`` naming the first problem."""
    key = str(data.get("key", "")).strip()
    if not key:
        raise FlowchartError("a flowchart needs a key")
    states = tuple(str(s).strip() for s in data.get("states", ()) if str(s).strip())
    if not states:
        raise FlowchartError(f"flowchart {key}: no states")
    if len(set(states)) != len(states):
        raise FlowchartError(f"flowchart {key}: a state is named twice")
    initial = str(data.get("initial") or states[0])
    if initial not in states:
        raise FlowchartError(f"flowchart {key}: the first state {initial!r} is not a state")
    transitions = []
    for row in data.get("transitions", ()):
        source, target = str(row.get("from", "")), str(row.get("to", ""))
        for state in (source, target):
            if state not in states:
                raise FlowchartError(f"flowchart {key}: {state!r} is not one of its states")
        hours = row.get("within_hours")
        if hours is not None and (not isinstance(hours, int | float) or hours <= 0):
            raise FlowchartError(f"flowchart {key}: {source}→{target}: hours must be positive")
        transitions.append(
            Transition(source, target, str(row.get("by", "")), float(hours) if hours else None)
        )
    if len({(t.source, t.target) for t in transitions}) != len(transitions):
        raise FlowchartError(f"flowchart {key}: a transition is drawn twice")
    return Flowchart(key, str(data.get("title", key)), states, initial, tuple(transitions))


def parse_all(rows: Iterable[Mapping[str, Any]]) -> list[Flowchart]:
    charts = [parse(row) for row in rows]
    keys = [c.key for c in charts]
    if len(set(keys)) != len(keys):
        raise FlowchartError("two flowcharts have the same key")
    return charts


def standard(path: Path = STANDARD_FILE) -> list[Flowchart]:
    """The standard flowcharts shipped with zhanyi."""
    return parse_all(tomllib.loads(path.read_text(encoding="utf-8")).get("flowchart", []))


def unreachable(chart: Flowchart) -> list[str]:
    """States no path from the first state reaches."""
    seen, todo = {chart.initial}, [chart.initial]
    while todo:
        state = todo.pop()
        for t in chart.transitions:
            if t.source == state and t.target not in seen:
                seen.add(t.target)
                todo.append(t.target)
    return [s for s in chart.states if s not in seen]


@dataclass(frozen=True)
class Discrepancy:
    """Where a workflow's code and the plan's flowchart disagree."""

    kind: str  # "unknown_state" | "missing_transition" | "unused_transition"
    detail: str


def compare(
    chart: Flowchart, code_states: Iterable[str], code_transitions: Iterable[tuple[str, str]]
) -> list[Discrepancy]:
    """What the code does that the flowchart does not allow, and what the
    flowchart names that the code does not know.

    - ``unknown_state``: the flowchart names a state the code has no value for;
    - ``missing_transition``: the code makes a transition the flowchart lacks;
    - ``unused_transition``: the flowchart draws a transition the code never
      makes (a plan may be ahead of the code: reported, not an error of the code).
    """
    known = set(code_states)
    made = set(code_transitions)
    found = [Discrepancy("unknown_state", s) for s in chart.states if s not in known]
    drawn = chart.edges()
    found += [Discrepancy("missing_transition", f"{a}→{b}") for a, b in sorted(made - drawn)]
    found += [Discrepancy("unused_transition", f"{a}→{b}") for a, b in sorted(drawn - made)]
    return found


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    #: state → (x, y) of its box's centre.
    positions: dict[str, tuple[float, float]]


def layout(chart: Flowchart, *, box_w: float = 120, box_h: float = 36, gap: float = 56) -> Layout:
    """Boxes in columns by their distance from the first state (a
    breadth-first layering), stacked within a column; unreachable states in a
    last column. Enough for the handful of states a plan's flowchart has."""
    depth = {chart.initial: 0}
    todo = [chart.initial]
    while todo:
        state = todo.pop(0)
        for t in chart.transitions:
            if t.source == state and t.target not in depth:
                depth[t.target] = depth[state] + 1
                todo.append(t.target)
    last = max(depth.values()) + 1
    columns: dict[int, list[str]] = {}
    for state in chart.states:
        columns.setdefault(depth.get(state, last), []).append(state)
    tallest = max(len(c) for c in columns.values())
    positions = {}
    for col, states in columns.items():
        offset = (tallest - len(states)) * (box_h + gap / 2) / 2
        for row, state in enumerate(states):
            positions[state] = (
                gap / 2 + col * (box_w + gap) + box_w / 2,
                gap / 2 + offset + row * (box_h + gap / 2) + box_h / 2,
            )
    width = gap + len(columns) * box_w + (len(columns) - 1) * gap
    height = gap + tallest * box_h + (tallest - 1) * gap / 2
    return Layout(width, height, positions)


def _toml_value(value: Any) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_toml(charts: Iterable[Flowchart]) -> str:
    """The flowcharts as the standard file writes them (what a plan's edit form shows)."""
    out: list[str] = []
    for chart in charts:
        data = chart.as_dict()
        out += ["[[flowchart]]"]
        out += [f"{k} = {_toml_value(data[k])}" for k in ("key", "title", "states", "initial")]
        out.append("transitions = [")
        for row in data["transitions"]:
            cells = ", ".join(f"{k} = {_toml_value(v)}" for k, v in row.items())
            out.append(f"  {{ {cells} }},")
        out += ["]", ""]
    return "\n".join(out)


def from_toml(text: str) -> list[Flowchart]:
    """Flowcharts from the standard file's format; ``FlowchartError`` when it
    does not read or is not a set of state machines."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FlowchartError(f"not TOML: {exc}") from exc
    return parse_all(data.get("flowchart", []))
