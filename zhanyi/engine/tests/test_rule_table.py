"""The rule table (rule_table.toml) through the engine: the contact engine,
``zhanyi.engine.release`` and the health-code rules, no Django.

The same file runs through the apps' actions in
``zhanyi/tracing/tests/test_rule_table.py``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from zhanyi.engine import release
from zhanyi.engine.codes import ArrivalFact, CodeRules, ContactFact, PersonFacts, decide
from zhanyi.engine.codes import TestFact as ResultFact
from zhanyi.engine.contacts import CASES, EXPOSURES, expand_contacts
from zhanyi.engine.protocol import LOCAL_TZ, Protocol, load_protocol

TABLE_PATH = Path(__file__).with_name("rule_table.toml")


def load_table() -> dict[str, Any]:
    with TABLE_PATH.open("rb") as fh:
        return tomllib.load(fh)


TABLE = load_table()


def local(value: dt.datetime) -> dt.datetime:
    """A table time (local, without offset) as an aware datetime."""
    assert value.tzinfo is None
    return value.replace(tzinfo=LOCAL_TZ)


def person_names(situation: dict) -> list[str]:
    names = ["case"]
    for a, b, *_ in situation["exposures"]:
        for name in (a, b):
            if name not in names:
                names.append(name)
    return names


def window(situation: dict, rules: Protocol) -> tuple[dt.datetime, dt.datetime]:
    case = situation["case"]
    return rules.exposure_window(
        local(case["isolated"]),
        onset_date=case["onset"],
        sampling_date=case["sampled"].date(),
    )


def scheduled(tests) -> list[str]:
    return [f"{t.stage} {t.day} {t.date.isoformat()}" for t in tests]


def engine_contacts(situation: dict, rules: Protocol) -> dict[str, dict]:
    ids = {name: i + 1 for i, name in enumerate(person_names(situation))}
    names = {i: name for name, i in ids.items()}
    start, end = window(situation, rules)
    # The engine casts each frame to its schema.
    cases = pl.DataFrame([(1, ids["case"], start, end)], schema=list(CASES), orient="row")
    rows = [
        (ids[a], ids[b], local(at), setting, rest[0] if rest else "confirmed")
        for a, b, at, setting, *rest in situation["exposures"]
    ]
    exposures = pl.DataFrame(rows, schema=list(EXPOSURES), orient="row")
    quarantined = pl.DataFrame(
        [(ids[p], local(at)) for p, at in situation.get("quarantined", [])],
        schema={"person_id": pl.Int64, "quarantined_at": pl.Datetime("us", "UTC")},
        orient="row",
    )
    found = expand_contacts(
        cases,
        exposures,
        quarantined,
        as_of=local(situation["as_of"]),
        max_depth=rules.contacts.max_depth,
        settings=rules.contacts.settings,
        certainties=rules.contacts.certainties,
        upgrade_secondary=rules.contacts.upgrade_secondary,
    )
    return {names[r["person_id"]]: r for r in found.iter_rows(named=True)}


@pytest.mark.parametrize("situation", TABLE["situation"], ids=lambda s: s["name"])
def test_situation_through_the_engine(situation: dict) -> None:
    rules = load_protocol(situation["protocol"])
    found = engine_contacts(situation, rules)
    kinds = {
        name: found[name]["kind"] if name in found else "none" for name in situation["contacts"]
    }
    assert kinds == situation["contacts"]
    assert set(found) <= set(situation["contacts"])
    quarantined = {p: local(at) for p, at in situation.get("quarantined", [])}
    code_rules = CodeRules.from_protocol(rules)
    for expected in situation.get("person", []):
        contact = found[expected["id"]]
        last = contact["last_exposure_at"]
        start = release.anchor(
            rules.quarantine,
            last_exposure_at=last,
            quarantined_at=quarantined.get(expected["id"]),
            identified_at=local(situation["as_of"]),
        )
        tests = release.test_days(rules.quarantine, rules.test_days, contact["kind"], start)
        assert scheduled(tests) == expected["test_days"], expected["id"]
        ends = release.quarantine_end(rules.quarantine.stages(contact["kind"]), start)
        assert ends == local(expected["quarantine_ends"]), expected["id"]
        fact = ContactFact(
            kind=contact["kind"],
            last_exposure_at=last,
            identified_at=local(situation["as_of"]),
            quarantined_at=quarantined.get(expected["id"]),
            protocol=rules.info.name,
        )
        for at, colour in expected["colours"]:
            code = decide(PersonFacts(1, contacts=(fact,)), code_rules, local(at))
            assert code.colour == colour, (expected["id"], at, code)


@pytest.mark.parametrize("situation", TABLE["codes"], ids=lambda s: s["name"])
def test_code_situation_through_the_engine(situation: dict) -> None:
    rules = CodeRules.from_protocol(load_protocol(situation["protocol"]))
    tests = tuple(
        ResultFact(sampled_at=local(t), result="negative") for t in situation["negatives"]
    )
    if "arrival" in situation:
        facts = PersonFacts(
            1, arrivals=(ArrivalFact(local(situation["arrival"]), "medium"),), tests=tests
        )
    else:
        together = local(situation["companion"])
        facts = PersonFacts(
            1,
            contacts=(ContactFact("companion", together, identified_at=together),),
            tests=tests,
        )
    for at, colour in situation["colours"]:
        assert decide(facts, rules, local(at)).colour == colour, (at, situation["name"])


def test_every_edge_is_tried_a_second_off():
    # Each colour change in the table is tried at its moment and one second before.
    for situation in TABLE["situation"]:
        for person in situation.get("person", []):
            moments = [local(at) for at, _ in person["colours"]]
            ends = local(person["quarantine_ends"])
            assert ends in moments and ends - dt.timedelta(seconds=1) in moments, person["id"]
