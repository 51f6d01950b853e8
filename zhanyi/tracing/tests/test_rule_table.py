"""The rule table (zhanyi/engine/tests/rule_table.toml) through the apps'
actions: cases and exposures recorded, contacts expanded, quarantines marked
(after a first expansion: recording one expands again), the hand-offs' test schedules,
and the codes decided from the facts the apps contribute."""

from __future__ import annotations

import datetime as dt

import pytest

from zhanyi.engine.codes import decide_many
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.engine.tests.test_rule_table import TABLE, local
from zhanyi.handoffs import schedule
from zhanyi.handoffs.models import Handoff
from zhanyi.people.actions.health_codes.rules import code_rules
from zhanyi.people.health_facts import gather
from zhanyi.tracing import actions
from zhanyi.tracing.models import Contact

from .factories import SYSTEM, person

pytestmark = pytest.mark.django_db


def record(situation: dict, world):
    """The situation's case and exposures, recorded through the actions."""
    names = {"case": person(world.village)}
    for a, b, *_ in situation["exposures"]:
        for name in (a, b):
            names.setdefault(name, person(world.village2))
    spec = situation["case"]
    case = actions.do_create_case(
        acting_user=SYSTEM,
        person=names["case"],
        classification="confirmed",
        sampled_at=local(spec["sampled"]),
        reported_at=local(spec["sampled"]) + dt.timedelta(hours=2),
        onset_date=spec["onset"],
        isolated_at=local(spec["isolated"]),
        protocol_name=situation["protocol"],
    )
    for a, b, at, setting, *rest in situation["exposures"]:
        actions.do_record_exposure(
            case,
            acting_user=SYSTEM,
            person_a=names[a],
            person_b=names[b],
            setting=setting,
            exposed_at=local(at),
            certainty=rest[0] if rest else "confirmed",
        )
    return case, names


@pytest.mark.parametrize("situation", TABLE["situation"], ids=lambda s: s["name"])
def test_situation_through_the_actions(situation: dict, world) -> None:
    case, names = record(situation, world)
    as_of = local(situation["as_of"])
    actions.do_expand_contacts([case], acting_user=SYSTEM, as_of=as_of)
    for name, at in situation.get("quarantined", []):
        contact = Contact.objects.get(case=case, person=names[name])
        actions.do_mark_quarantined(contact, acting_user=SYSTEM, quarantined_at=local(at))
    stored = dict(Contact.objects.filter(case=case).values_list("person_id", "kind"))
    kinds = {name: stored.get(names[name].pk, "none") for name in situation["contacts"]}
    assert kinds == situation["contacts"]
    # The work of contacts the facts no longer reach is not open.
    open_persons = set(Handoff.objects.filter(status="open").values_list("person_id", flat=True))
    assert open_persons == set(stored)
    rules = code_rules([situation["protocol"]])
    for expected in situation.get("person", []):
        who = names[expected["id"]]
        tests = schedule.tests_of(Handoff.objects.get(person=who, kind="test").detail)
        days = [
            f"{t.stage} {t.day} {t.not_before.astimezone(LOCAL_TZ).date().isoformat()}"
            for t in tests
        ]
        assert days == expected["test_days"], expected["id"]
        for at, colour in expected["colours"]:
            now = local(at)
            code = decide_many(gather([who.pk], now).values(), rules, now)[who.pk]
            assert code.colour == colour, (expected["id"], at, code)
