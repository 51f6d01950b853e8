"""Two desks putting two patients in the same free room at the same moment:
one is in the room, the other is refused naming it (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from zhanyi.clinics import actions
from zhanyi.clinics.models import Visit
from zhanyi.core.db import dialect

from .factories import ACTOR, clinic, person

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_patients_racing_for_one_room_one_wins(world):
    if not dialect.is_postgresql():
        pytest.skip("SQLite serialises every writer: two threads cannot race for a room")
    c = clinic(world.village, rooms=1)
    room = c.rooms.get()
    visits = [
        actions.do_register_visit(c, person(world.village, name, seq=i), acting_user=ACTOR)
        for i, name in enumerate(["张三", "李四"], start=1)
    ]
    barrier = threading.Barrier(2)
    placed: list[int] = []
    refused: list[str] = []

    def desk(visit: Visit) -> None:
        try:
            barrier.wait()
            with translation.override("en"):  # a thread does not inherit the fixture's
                actions.do_assign_room(visit, room, acting_user=ACTOR)
            placed.append(visit.pk)
        except ValidationError as error:
            refused.append(error.message_dict["room"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(v,)) for v in visits]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(placed) == 1 and len(refused) == 1
    assert "Room 1 of 芗城区医院发热门诊 is occupied by" in refused[0]
    assert Visit.objects.filter(room=room, left_room_at=None).count() == 1
