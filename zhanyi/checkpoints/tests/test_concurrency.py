"""Two copies of one check sent at the same moment (a queue flushed twice):
one row, both answers name it (PostgreSQL)."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from zhanyi.checkpoints import actions
from zhanyi.checkpoints.models import Check
from zhanyi.core.db import dialect
from zhanyi.core.models import AuditEvent

from .factories import ACTOR, station

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_copies_of_one_check_at_once_make_one_row(world):
    if not dialect.is_postgresql():
        pytest.skip("SQLite serialises every writer: two threads cannot race for a row")
    st = station(world.county)
    cid = uuid.uuid4()
    data = actions.CheckInput(
        client_id=cid,
        plate="闽E12345",
        people=2,
        code_colour="green",
        origin_city="厦门市",
        destination="芗城区",
    )
    barrier = threading.Barrier(2)
    answers: list[tuple[int, bool]] = []

    def phone():
        try:
            barrier.wait()
            check, created = actions.do_record_check(st, data, acting_user=ACTOR)
            answers.append((check.pk, created))
        finally:
            connection.close()

    threads = [threading.Thread(target=phone) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 2
    assert answers[0][0] == answers[1][0]
    assert sorted(created for _pk, created in answers) == [False, True]
    assert Check.objects.filter(client_id=cid).count() == 1
    assert AuditEvent.objects.filter(action="checkpoints.check.record").count() == 1
