"""The contact engine: close and secondary contacts from exposure edges."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from zhanyi.engine.contacts import EXPOSURES
from zhanyi.engine.contacts import expand_contacts as engine_expand
from zhanyi.engine.protocol import load_protocol

UTC = dt.UTC
AS_OF = dt.datetime(2021, 9, 20, tzinfo=UTC)


#: The settings are the protocol file's: the engine knows none by name.
SETTINGS = load_protocol("edition-8").contacts.settings


def expand_contacts(*args, **kwargs):
    kwargs.setdefault("settings", SETTINGS)
    return engine_expand(*args, **kwargs)


def t(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2021, 9, day, hour, tzinfo=UTC)


def cases(*rows):
    return pl.DataFrame(
        [
            dict(zip(("case_id", "person_id", "window_start", "window_end"), r, strict=True))
            for r in rows
        ]
    )


def exposures(*rows):
    return pl.DataFrame(
        [
            {
                "person_a": a,
                "person_b": b,
                "exposed_at": at,
                "setting": setting,
                "certainty": certainty,
            }
            for a, b, at, setting, certainty in (
                r if len(r) == 5 else (*r, "household", "confirmed") for r in rows
            )
        ]
    )


def quarantined(*rows):
    return pl.DataFrame([{"person_id": p, "quarantined_at": at} for p, at in rows])


def by_person(frame: pl.DataFrame) -> dict[int, dict]:
    return {r["person_id"]: r for r in frame.iter_rows(named=True)}


CASE = cases((1, 100, t(12), t(14, 12)))


def test_an_exposure_at_the_start_of_the_window_makes_a_close_contact():
    out = by_person(expand_contacts(CASE, exposures((100, 1, t(12))), as_of=AS_OF))
    assert out[1]["kind"] == "close"
    assert out[1]["depth"] == 1
    assert out[1]["via_person_id"] == 100


def test_an_exposure_a_moment_before_the_window_does_not():
    before = t(12) - dt.timedelta(microseconds=1)
    assert expand_contacts(CASE, exposures((100, 1, before)), as_of=AS_OF).height == 0


def test_an_exposure_at_isolation_does_not_count_and_a_moment_before_does():
    end = t(14, 12)
    out = expand_contacts(
        CASE,
        exposures((100, 1, end), (2, 100, end - dt.timedelta(microseconds=1))),
        as_of=AS_OF,
    )
    assert out["person_id"].to_list() == [2]


def test_edges_are_undirected_and_first_and_last_exposures_are_kept():
    out = by_person(
        expand_contacts(CASE, exposures((1, 100, t(13)), (100, 1, t(12, 6))), as_of=AS_OF)
    )
    assert out[1]["first_exposure_at"] == t(12, 6)
    assert out[1]["last_exposure_at"] == t(13)


def test_secondary_contacts_count_from_the_first_exposure_to_the_case_until_quarantine():
    edges = exposures(
        (100, 1, t(13)),  # close contact 1, first exposed on the 13th
        (1, 2, t(13)),  # at the first exposure: secondary
        (1, 3, t(12, 23)),  # before the first exposure: not
        (1, 4, t(15) - dt.timedelta(microseconds=1)),  # just before quarantine: secondary
        (1, 5, t(15)),  # at quarantine: not
    )
    out = by_person(expand_contacts(CASE, edges, quarantined((1, t(15))), as_of=AS_OF))
    assert sorted(out) == [1, 2, 4]
    assert out[2]["kind"] == "secondary"
    assert out[2]["depth"] == 2
    assert out[2]["via_person_id"] == 1


def test_a_close_contact_not_yet_quarantined_counts_until_as_of():
    edges = exposures((100, 1, t(13)), (1, 2, t(19)), (1, 3, t(21)))
    out = by_person(expand_contacts(CASE, edges, as_of=AS_OF))
    assert sorted(out) == [1, 2]


def test_depth_follows_as_far_as_asked_and_a_person_is_listed_once_at_the_smallest_depth():
    edges = exposures(
        (100, 1, t(13)), (1, 2, t(14)), (2, 3, t(15)), (3, 4, t(16)), (2, 1, t(16)), (3, 100, t(16))
    )
    two = by_person(expand_contacts(CASE, edges, as_of=AS_OF))
    assert sorted(two) == [1, 2]
    four = by_person(expand_contacts(CASE, edges, as_of=AS_OF, max_depth=4))
    assert {p: r["depth"] for p, r in four.items()} == {1: 1, 2: 2, 3: 3, 4: 4}
    assert four[4]["kind"] == "secondary"


def test_a_secondary_contact_is_upgraded_when_their_close_contact_turns_positive():
    edges = exposures((100, 1, t(13)), (1, 2, t(14)), (100, 3, t(13)), (3, 4, t(14)))
    out = by_person(expand_contacts(CASE, edges, as_of=AS_OF, positive_person_ids=[1]))
    assert out[2]["kind"] == "close"
    assert out[2]["upgraded"] is True
    assert out[4]["kind"] == "secondary"
    not_upgraded = by_person(
        expand_contacts(CASE, edges, as_of=AS_OF, positive_person_ids=[1], upgrade_secondary=False)
    )
    assert not_upgraded[2]["kind"] == "secondary"


def test_settings_and_certainties_outside_the_rule_are_not_counted():
    edges = exposures(
        (100, 1, t(13), "meal", "confirmed"),
        (100, 2, t(13), "household", "possible"),
        (100, 3, t(13), "vehicle", "probable"),
    )
    out = expand_contacts(CASE, edges, as_of=AS_OF, settings=["household", "vehicle"])
    assert out["person_id"].to_list() == [3]


def test_each_case_gets_its_own_contacts_and_one_case_is_not_its_own_contact():
    two = cases((1, 100, t(12), t(14)), (2, 200, t(12), t(14)))
    edges = exposures((100, 200, t(13)), (200, 7, t(13)))
    out = expand_contacts(two, edges, as_of=AS_OF, max_depth=1)
    assert sorted(out.select("case_id", "person_id").rows()) == [(1, 200), (2, 7), (2, 100)]


def test_a_window_that_ends_before_it_starts_is_refused_naming_the_case():
    with pytest.raises(ValueError, match="case 9"):
        expand_contacts(cases((9, 1, t(14), t(12))), exposures((1, 2, t(13))), as_of=AS_OF)


def test_a_missing_column_is_refused_naming_it():
    with pytest.raises(ValueError, match="exposed_at"):
        expand_contacts(CASE, pl.DataFrame({"person_a": [1], "person_b": [2]}), as_of=AS_OF)


def test_no_exposures_give_no_contacts():
    assert expand_contacts(CASE, pl.DataFrame(schema=EXPOSURES), as_of=AS_OF).height == 0


def test_a_person_who_is_a_case_is_followed_and_listed_as_a_case():
    edges = exposures((100, 1, t(13)), (1, 2, t(14)))
    out = by_person(expand_contacts(CASE, edges, as_of=AS_OF, positive_person_ids=[1]))
    assert sorted(out) == [1, 2]
    assert out[1]["is_case"] is True
    assert out[2]["is_case"] is False
    assert out[2]["kind"] == "close"


def test_the_engine_knows_no_setting_by_name():
    edges = exposures((100, 1, t(13), "lift", "confirmed"))
    with pytest.raises(TypeError):
        engine_expand(CASE, edges, as_of=AS_OF)
    assert expand_contacts(CASE, edges, as_of=AS_OF, settings=["lift"]).height == 1
    assert expand_contacts(CASE, edges, as_of=AS_OF, settings=["meal"]).height == 0


def test_a_secondary_contact_is_upgraded_by_any_positive_person_they_were_reached_through():
    # Reached through 1 first and through 3 later; 3 turns positive: close, via 3.
    edges = exposures((100, 1, t(13)), (100, 3, t(13)), (1, 2, t(14)), (3, 2, t(15)))
    out = by_person(expand_contacts(CASE, edges, as_of=AS_OF, positive_person_ids=[3]))
    assert out[2]["kind"] == "close"
    assert out[2]["upgraded"] is True
    assert out[2]["via_person_id"] == 3
