from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from zhanyi.core.masking import mask_name
from zhanyi.core.models import AuditEvent
from zhanyi.quarantine import actions
from zhanyi.quarantine.deadlines import transfers
from zhanyi.quarantine.models import Placement, Trip, TripState, TripStop

from .factories import ACTOR, household, person, site, waiting

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


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


def _one_trip(world, plate="闽E0003"):
    _, people = _placed(world, n=2)
    actions.do_add_vehicle(
        plate=plate,
        seats=6,
        area=world.county,
        lon=117.6,
        lat=24.5,
        driver=world.village_member,
        acting_user=ACTOR,
    )
    [trip] = actions.do_plan_trips(acting_user=ACTOR)
    return trip, people


def test_the_transfer_board_shows_each_trip_live_and_flags_a_late_one(world, client_for):
    trip, _ = _one_trip(world)
    first = trip.stops.order_by("order", "id").first()
    actions.do_pick_up(first, acting_user=world.village_member)
    client = client_for(world.commander)
    home = client.get(reverse("quarantine:home")).content.decode()
    assert f'hx-get="{reverse("quarantine:trips")}"' in home and 'hx-trigger="every 20s"' in home
    board = client.get(reverse("quarantine:trips")).content.decode()
    assert "闽E0003" in board and "1 / 2" in board and "Under way" in board
    assert "past the deadline" not in board
    # Its people were due in the site an hour ago: the trip is flagged.
    Placement.objects.filter(trip_stop__trip=trip).update(due_at=timezone.now() - HOUR)
    late = client.get(reverse("quarantine:trips")).content.decode()
    assert "past the deadline" in late and 'class="late"' in late
    # Nobody outside the county sees the county's trips.
    assert (
        "闽E0003"
        not in client_for(world.other_county_staff)
        .get(reverse("quarantine:trips"))
        .content.decode()
    )
    assert client_for(world.outsider).get(reverse("quarantine:trips")).status_code in (403, 404)


def test_a_contact_given_a_room_but_not_brought_in_time_is_overdue_until_delivered(world):
    """A room confirmed on paper is not a contact in quarantine: people whose
    trip has not reached the site by their deadline are in the supervision
    ledger (quarantine.transfer), and stay there as late once delivered."""
    trip, people = _one_trip(world)
    now = timezone.now()
    assert transfers(None, now) == []
    Placement.objects.filter(trip_stop__trip=trip).update(due_at=now - HOUR)
    open_items = transfers(world.county, now)
    assert len(open_items) == 2 and all(i.closed_at is None for i in open_items)
    assert {i.whose for i in open_items} == {mask_name(p.name) for p in people}
    assert transfers(world.other_county, now) == []
    for stop in trip.stops.all():
        actions.do_pick_up(stop, acting_user=world.village_member, now=now)
    actions.do_deliver(trip, acting_user=world.village_member, now=now)
    closed = transfers(None, now + HOUR)
    assert len(closed) == 2 and all(i.closed_at == now for i in closed)
