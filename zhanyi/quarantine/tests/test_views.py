from __future__ import annotations

import pytest
from django.urls import reverse

from zhanyi.core.models import AuditEvent
from zhanyi.quarantine.models import Placement, PlacementState, RoomState

from .factories import person, site, waiting

pytestmark = pytest.mark.django_db


def test_the_desk_plans_and_confirms_from_the_page(world, client_for):
    s = site(world.county)
    p = person(world.village, "张三丰")
    waiting(p)
    client = client_for(world.tracer)
    page = client.get(reverse("quarantine:home"))
    assert page.status_code == 200
    assert "张**" in page.content.decode() and "张三丰" not in page.content.decode()
    assert AuditEvent.objects.filter(action="quarantine.list.view").exists()
    client.post(reverse("quarantine:home"), {"form": "plan"})
    assert Placement.objects.get(person=p).state == PlacementState.PROPOSED
    client.post(reverse("quarantine:home"), {"form": "confirm"})
    placement = Placement.objects.get(person=p)
    assert placement.state == PlacementState.PLACED
    site_page = client.get(reverse("quarantine:site", args=[s.pk]))
    assert site_page.status_code == 200
    assert AuditEvent.objects.filter(action="quarantine.site.view").exists()


def test_a_release_refused_on_the_page_shows_the_reason(world, client_for):
    s = site(world.county)
    p = person(world.village, "甲")
    client = client_for(world.tracer)
    from zhanyi.quarantine import actions

    placement = actions.do_place(waiting(p), s.rooms.first(), acting_user=world.tracer)
    page = client.post(
        reverse("quarantine:site", args=[s.pk]),
        {"form": "release", "placement": placement.pk},
        follow=True,
    )
    assert "days of quarantine end then" in page.content.decode()


def test_a_site_of_another_county_is_not_found(world, client_for):
    s = site(world.other_county)
    assert client_for(world.tracer).get(reverse("quarantine:site", args=[s.pk])).status_code == 404


def test_a_leader_reads_but_may_not_plan(world, client_for):
    site(world.county)
    client = client_for(world.leader)
    assert client.get(reverse("quarantine:home")).status_code == 200
    assert client.post(reverse("quarantine:home"), {"form": "plan"}).status_code == 403


def test_an_outsider_is_refused(world, client_for):
    assert client_for(world.outsider).get(reverse("quarantine:home")).status_code == 403


def test_a_room_is_cleaned_from_the_page(world, client_for):
    s = site(world.county, singles=1, families=0)
    room = s.rooms.get()
    room.state = RoomState.CLEANING
    room.save()
    client_for(world.tracer).post(
        reverse("quarantine:site", args=[s.pk]),
        {"form": "room_state", "room": room.pk, "state": "vacant"},
    )
    room.refresh_from_db()
    assert room.state == RoomState.VACANT


def test_a_room_move_is_picked_by_number_on_the_page(world, client_for):
    from zhanyi.quarantine import actions

    s = site(world.county, singles=2, families=0)
    other = site(world.county, "方舱", singles=1, families=0)
    placement = actions.do_place(
        waiting(person(world.village, "甲")), s.rooms.get(number="100"), acting_user=world.tracer
    )
    client = client_for(world.tracer)
    page = client.get(reverse("quarantine:site", args=[s.pk])).content.decode()
    assert "pick/rooms/?site=" in page and f"#{s.rooms.first().pk}" not in page
    found = client.get(reverse("quarantine:pick-room"), {"room__q": "10", "site": s.pk})
    assert "隔离酒店 · 101" in found.content.decode()
    # without a script the typed number is sent: this site's room 101
    client.post(
        reverse("quarantine:site", args=[s.pk]),
        {"form": "move", "placement": placement.pk, "room__q": "101"},
    )
    placement.refresh_from_db()
    assert placement.room.number == "101"
    # a picked room of another site
    client.post(
        reverse("quarantine:site", args=[s.pk]),
        {"form": "move", "placement": placement.pk, "room": other.rooms.get().pk},
    )
    placement.refresh_from_db()
    assert placement.site_id == other.pk
    refused = client.post(
        reverse("quarantine:site", args=[s.pk]),
        {"form": "move", "placement": placement.pk, "room__q": "999"},
        follow=True,
    )
    assert "“999” is unknown" in refused.content.decode()
    placement.refresh_from_db()
    assert placement.site_id == other.pk


def test_an_outsider_may_not_search_rooms(world, client_for):
    site(world.county)
    found = client_for(world.outsider).get(reverse("quarantine:pick-room"), {"q": "10"})
    assert found.status_code == 403
