"""Two desks placing the same person at the same moment: one wins (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from zhanyi.core.db import dialect
from zhanyi.quarantine import actions
from zhanyi.quarantine.models import Placement

from .factories import ACTOR, person, site, waiting

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_desks_placing_one_person_at_once_one_wins(world):
    if not dialect.is_postgresql():
        pytest.skip("SQLite serialises every writer: two threads cannot race for a row")
    s = site(world.county, singles=2, families=0)
    handoff = waiting(person(world.village, "甲"))
    rooms = list(s.rooms.all())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def desk(room):
        translation.activate("en")  # a thread starts in the default language
        try:
            barrier.wait()
            actions.do_place(handoff, room, acting_user=ACTOR)
            outcomes.append("placed")
        except ValidationError as refused:
            outcomes.append(str(refused))
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(room,)) for room in rooms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("placed") == 1
    [refused] = [o for o in outcomes if o != "placed"]
    assert "甲 is already placed." in refused
    assert Placement.objects.filter(person=handoff.person).count() == 1
