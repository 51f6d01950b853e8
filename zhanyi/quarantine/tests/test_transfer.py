from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhanyi.core.models import AuditEvent
from zhanyi.quarantine import actions
from zhanyi.quarantine.models import Trip, TripState, TripStop

from .factories import ACTOR, household, person, site, waiting

pytestmark = pytest.mark.django_db


def _placed(world, n=3):
    s = site(world.county, singles=6, families=1)
    home = household(world.village)
    people = [
        person(world.village, f"转运{i}", household=home if i < 2 else None) for i in range(n)
    ]
    for p in people:
        waiting(p)
    proposals, _ = actions.do_plan_placements(acting_user=ACTOR)
    actions.do_confirm_placements(proposals, acting_user=ACTOR)
    return s, people


def test_trips_carry_everyone_placed_within_the_seats_households_together(world):
    _placed(world, n=5)
    actions.do_add_vehicle(
        plate="闽E12345",
        seats=3,
        area=world.county,
        lon=117.6,
        lat=24.5,
        driver=world.village_member,
        acting_user=ACTOR,
    )
    trips = actions.do_plan_trips(acting_user=ACTOR)
    stops = TripStop.objects.filter(trip__in=trips)
    assert stops.count() == 5
    assert all(t.stops.count() <= 3 for t in trips)
    family = stops.filter(placement__person__name__in=["转运0", "转运1"])
    assert len({s.trip_id for s in family}) == 1
    assert actions.do_plan_trips(acting_user=ACTOR) == []  # nobody left to carry


def test_no_vehicle_is_a_clear_refusal(world):
    _placed(world, n=1)
    with pytest.raises(ValidationError) as refused:
        actions.do_plan_trips(acting_user=ACTOR)
    assert "No vehicle to plan trips with." in str(refused.value)


def test_the_driver_picks_up_and_delivers_on_the_phone_page(world, client_for):
    _placed(world, n=2)
    actions.do_add_vehicle(
        plate="闽E0001",
        seats=6,
        area=world.county,
        lon=117.6,
        lat=24.5,
        driver=world.village_member,
        acting_user=ACTOR,
    )
    [trip] = actions.do_plan_trips(acting_user=ACTOR)
    client = client_for(world.village_member)
    page = client.get(reverse("quarantine:driver"))
    assert page.status_code == 200 and "闽E0001" in page.content.decode()
    refused = client.post(reverse("quarantine:driver"), {"trip": trip.pk}, follow=True)
    assert "Only a trip under way is delivered." in refused.content.decode()
    for stop in trip.stops.all():
        client.post(reverse("quarantine:driver"), {"stop": stop.pk})
    client.post(reverse("quarantine:driver"), {"trip": trip.pk})
    trip.refresh_from_db()
    assert trip.state == TripState.DONE and trip.delivered_at is not None
    assert AuditEvent.objects.filter(action="quarantine.trip.deliver").exists()


def test_another_driver_sees_no_trip_of_mine(world, client_for):
    _placed(world, n=1)
    actions.do_add_vehicle(
        plate="闽E0002",
        seats=6,
        area=world.county,
        lon=117.6,
        lat=24.5,
        driver=world.village_member,
        acting_user=ACTOR,
    )
    [trip] = actions.do_plan_trips(acting_user=ACTOR)
    other = client_for(world.tracer)
    assert "闽E0002" not in other.get(reverse("quarantine:driver")).content.decode()
    assert other.post(reverse("quarantine:driver"), {"trip": trip.pk}).status_code == 404
    assert Trip.objects.get(pk=trip.pk).state == TripState.PLANNED
