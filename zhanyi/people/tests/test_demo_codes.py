"""The health-code part of the demo replay."""

from __future__ import annotations

from zhanyi.core.masking import mask_name
from zhanyi.people.demo import DEMO_REASON, replay_health_codes
from zhanyi.people.models import HealthCode, HealthCodeOverride

from .code_facts import DAY, HOUR, T0
from .factories import make_person


def test_codes_are_decided_as_of_the_replays_clock_and_one_override_awaits(world, facts):
    contact, arrival = make_person(world.village), make_person(world.village, "李四")
    make_person(world.village, "王五")
    facts.close_contact(contact)
    facts.arrival(arrival)
    said = []
    result = replay_health_codes(as_of=T0 + HOUR, requester=world.tracer, say=said.append)
    assert (result["persons"], result["red"], result["yellow"]) == (3, 1, 1)
    assert HealthCode.objects.get(person=contact).until == T0 + 14 * DAY
    override = HealthCodeOverride.objects.get(reason=DEMO_REASON)
    assert (override.person, override.status, override.requested_by) == (
        arrival,
        "pending",
        world.tracer,
    )
    # The demo's runner reads a masked name and the village, not an internal id.
    (line,) = [line for line in said if "awaits approval" in line]
    assert mask_name(arrival.name) in line and "#" not in line
    # Again: nothing changes, no second request.
    again = replay_health_codes(as_of=T0 + HOUR, requester=world.tracer, say=said.append)
    assert (again["changed"], again["override_requested"]) == (0, False)
    assert HealthCodeOverride.objects.count() == 1
