"""The testing figures (数出一门): samples today, tubes pending, positives, coverage."""

from __future__ import annotations

from zhanyi.core.metrics import compute

from .factories import deliver_and_receive, lab, people, report, round_, scan, site

NAMES = [
    "testing.samples_today",
    "testing.tubes_pending",
    "testing.positive_tubes",
    "testing.coverage",
]


def _values(area=None) -> dict:
    return {f["name"]: f["value"] for f in compute(NAMES, area)}


def test_the_figures_follow_the_chain_and_are_limited_to_an_area(world):
    ps = people(world.village, 4)
    r = round_([world.village], pool_size=1)
    s = site(world.village)
    lb = lab(world.city)
    for i, p in enumerate(ps):
        scan(f"MET0000{i}", [p], site=s, round=r)
    assert _values() == {
        "testing.samples_today": 4,
        "testing.tubes_pending": 4,
        "testing.positive_tubes": 0,
        "testing.coverage": 0.0,
    }
    deliver_and_receive(s, lb, ["MET00000", "MET00001"])
    report(lb, {"MET00000": "negative", "MET00001": "positive"})
    values = _values()
    assert values["testing.tubes_pending"] == 2
    assert values["testing.positive_tubes"] == 1
    assert values["testing.coverage"] == 50.0
    assert _values(world.other_county)["testing.samples_today"] == 0


def test_coverage_counts_a_sample_only_for_its_own_rounds_target(world):
    """Two rounds open at once: a person targeted by the village's round but
    tested as a walk-in in the other does not count as covered here."""
    ps = people(world.village, 2)
    walk_in = people(world.village2, 1)[0]
    r = round_([world.village], pool_size=1)
    other = round_([world.village2], pool_size=1, name="另一轮")
    s = site(world.village)
    lb = lab(world.city)
    scan("COV00001", [ps[0]], site=s, round=r)
    scan("COV00002", [ps[1]], site=s, round=other)  # a target of r, sampled in the other round
    scan("COV00003", [walk_in], site=s, round=other)
    deliver_and_receive(s, lb, ["COV00001", "COV00002", "COV00003"])
    report(lb, {"COV00001": "negative", "COV00002": "negative", "COV00003": "negative"})
    # Targets: ps[0], ps[1] (round r) and the walk-in (the other round): two of
    # three tested in their own round.
    assert _values()["testing.coverage"] == round(100 * 2 / 3, 1)
    assert _values(world.village)["testing.coverage"] == 50.0


def test_the_tubes_planned_count_the_targets_not_yet_sampled_in_pools(world):
    ps = people(world.village, 7)
    people(world.other_village, 3)
    r = round_([world.village], pool_size=5)
    scan("PLAN0001", ps[:1], site=site(world.village), round=r)
    # 6 targets left in pools of 5: 2 tubes; the other county's people are not targets
    assert compute(["testing.tubes_planned"], None)[0]["value"] == 2
    assert compute(["testing.tubes_planned"], world.other_county)[0]["value"] == 0


def test_coverage_and_planned_tubes_for_many_areas_are_each_areas_own(world):
    """The report reads every round's targets once for the city and its
    counties (``for_areas``): each area's value is its own figure's, and the
    supplies forecast plans with the same tubes."""
    import datetime as dt

    from django.utils import timezone

    from zhanyi.core import figure_cache, metrics

    here, there = people(world.village, 7), people(world.other_village, 4)
    people(world.village2, 3)
    now = round_([world.village, world.other_village], pool_size=5)
    round_(
        [world.village2],
        pool_size=1,
        name="明日一轮",
        starts_at=timezone.now() + dt.timedelta(hours=6),
    )
    s, lb = site(world.village), lab(world.city)
    scan("MANY0001", here[:3], site=s, round=now)
    scan("MANY0002", there[:1], site=s, round=now)
    deliver_and_receive(s, lb, ["MANY0001"])
    report(lb, {"MANY0001": "negative"})
    # Open now: 11 targets, 3 tested (all in the first county). Planned:
    # today's round has 4 + 3 waiting in pools of 5 (one tube in each county,
    # two for the city), tomorrow's 3 in pools of 1.
    areas = [None, world.city, world.county, world.other_county, world.village2]
    names = ("testing.coverage", "testing.tubes_planned", "supplies.shortfalls")
    assert all(metrics.get(name).many is not None for name in names)
    assert metrics.get("testing.coverage").values_in(areas) == [27.3, 27.3, 42.9, 0.0, 0.0]
    assert metrics.get("testing.tubes_planned").values_in(areas) == [5, 5, 4, 1, 3]
    for name in names:
        figure = metrics.get(name)
        with figure_cache.computing_together():
            many = figure.values_in(areas)
        assert many == [figure.fn(area) for area in areas], name
