"""A plan's flowcharts as the plan's page draws them: boxes and arrows for a
server-rendered SVG (no script), each state with how many of the workflow's
items are in it now within the reader's jurisdiction, and where the chart
and the code disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

from zhanyi.engine import flowcharts

from .models import PlanVersion
from .workflows import WORKFLOWS, conformance, state_counts

BOX_W, BOX_H = 132.0, 40.0


@dataclass
class Box:
    state: str
    label: str
    x: float
    y: float
    count: int | None
    initial: bool

    @property
    def text_x(self) -> float:
        return self.x + BOX_W / 2

    @property
    def text_y(self) -> float:
        return self.y + BOX_H / 2


@dataclass
class Arrow:
    path: str
    label: str
    label_x: float
    label_y: float


@dataclass
class Drawing:
    key: str
    title: str
    workflow_label: str
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    problems: list[flowcharts.Discrepancy] = field(default_factory=list)
    box_w: float = BOX_W
    box_h: float = BOX_H


def _hours(value: float) -> str:
    return f"{value:g} h"


def draw(chart: flowcharts.Flowchart, user) -> Drawing:
    workflow = WORKFLOWS.get(chart.key)
    counts = state_counts(workflow, user) if workflow is not None else {}
    labels = dict(workflow.choices.choices) if workflow is not None else {}
    laid = flowcharts.layout(chart, box_w=BOX_W, box_h=BOX_H, gap=64)
    drawing = Drawing(
        chart.key,
        chart.title,
        str(workflow.label) if workflow else "",
        laid.width,
        laid.height + 40,
        problems=conformance(chart),
    )
    for state in chart.states:
        cx, cy = laid.positions[state]
        drawing.boxes.append(
            Box(
                state,
                str(labels.get(state, state)),
                cx - BOX_W / 2,
                cy - BOX_H / 2,
                counts.get(state, 0) if workflow is not None else None,
                state == chart.initial,
            )
        )
    for t in chart.transitions:
        (x1, y1), (x2, y2) = laid.positions[t.source], laid.positions[t.target]
        label = " · ".join(p for p in (t.by, _hours(t.within_hours) if t.within_hours else "") if p)
        if x2 > x1:  # forward: from the right side to the left side
            sx, ex = x1 + BOX_W / 2, x2 - BOX_W / 2
            mx, my = (sx + ex) / 2, (y1 + y2) / 2
            path = f"M{sx:.0f},{y1:.0f} C{mx:.0f},{y1:.0f} {mx:.0f},{y2:.0f} {ex:.0f},{y2:.0f}"
            drawing.arrows.append(Arrow(path, label, mx, my - 6))
        else:  # backward or within a column: a curve below the boxes
            sy, ey = y1 + BOX_H / 2, y2 + BOX_H / 2
            low = max(sy, ey) + 34
            path = f"M{x1:.0f},{sy:.0f} C{x1:.0f},{low:.0f} {x2:.0f},{low:.0f} {x2:.0f},{ey:.0f}"
            drawing.arrows.append(Arrow(path, label, (x1 + x2) / 2, low - 4))
    return drawing


def drawings(plan: PlanVersion, user) -> list[Drawing]:
    return [draw(chart, user) for chart in plan.charts()]
