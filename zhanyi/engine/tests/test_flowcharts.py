"""The emergency plan's flowcharts as state machines (zhanyi.engine.flowcharts)."""

from __future__ import annotations

import pytest

from zhanyi.engine import flowcharts
from zhanyi.engine.flowcharts import FlowchartError

CHART = {
    "key": "directive",
    "title": "指令",
    "states": ["issued", "acknowledged", "done", "verified"],
    "transitions": [
        {"from": "issued", "to": "acknowledged", "by": "专班"},
        {"from": "acknowledged", "to": "done", "within_hours": 24},
        {"from": "done", "to": "verified"},
    ],
}


def test_a_chart_reads_with_its_first_state_and_time_limits():
    chart = flowcharts.parse(CHART)
    assert chart.initial == "issued"
    assert chart.transitions[1].within_hours == 24.0
    assert flowcharts.parse(chart.as_dict()) == chart


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"states": []}, "no states"),
        ({"states": ["a", "a"]}, "named twice"),
        ({"transitions": [{"from": "issued", "to": "closed"}]}, "'closed' is not one"),
        ({"transitions": [{"from": "issued", "to": "done", "within_hours": -1}]}, "positive"),
        ({"initial": "nowhere"}, "first state"),
        (
            {"transitions": [{"from": "issued", "to": "done"}, {"from": "issued", "to": "done"}]},
            "drawn twice",
        ),
    ],
)
def test_a_chart_that_is_not_a_state_machine_is_refused_saying_why(change, says):
    with pytest.raises(FlowchartError, match=says):
        flowcharts.parse({**CHART, **change})


def test_compare_names_unknown_states_and_transitions_the_code_makes_but_the_chart_lacks():
    chart = flowcharts.parse(CHART)
    found = flowcharts.compare(
        chart,
        ["issued", "acknowledged", "done"],
        [("issued", "acknowledged"), ("acknowledged", "done"), ("issued", "done")],
    )
    assert {(d.kind, d.detail) for d in found} == {
        ("unknown_state", "verified"),
        ("missing_transition", "issued→done"),
        ("unused_transition", "done→verified"),
    }
    assert flowcharts.compare(chart, chart.states, chart.edges()) == []


def test_the_standard_charts_read_and_every_state_is_reachable():
    charts = flowcharts.standard()
    assert {c.key for c in charts} >= {"directive", "case", "placement", "trip", "zone"}
    for chart in charts:
        assert flowcharts.unreachable(chart) == [], chart.key


def test_toml_round_trips_and_a_bad_file_is_refused():
    charts = flowcharts.standard()
    assert flowcharts.from_toml(flowcharts.to_toml(charts)) == charts
    with pytest.raises(FlowchartError, match="not TOML"):
        flowcharts.from_toml("[[flowchart]\nkey=")


def test_layout_puts_each_state_in_a_column_by_its_distance_from_the_first():
    chart = flowcharts.parse(CHART)
    laid = flowcharts.layout(chart, box_w=100, box_h=30, gap=50)
    xs = [laid.positions[s][0] for s in chart.states]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert all(0 < x < laid.width for x in xs)
    island = flowcharts.parse({**CHART, "states": [*CHART["states"], "lost"]})
    assert flowcharts.unreachable(island) == ["lost"]
    assert flowcharts.layout(island).positions["lost"][0] > max(
        flowcharts.layout(island).positions[s][0] for s in CHART["states"]
    )
