"""A check through the API costs a bounded number of statements (the zones
asked in one, whatever their number), and its rows are the ordinary path's."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from zhanyi.checkpoints import actions
from zhanyi.checkpoints.fastpath import check as fastpath_check
from zhanyi.checkpoints.models import Check
from zhanyi.core.db import dialect
from zhanyi.core.models import AuditEvent

from .factories import check, station

pytestmark = pytest.mark.django_db

CHECKS = "/api/v1/checkpoints/checks/"

#: A new check: the token with its user, the station with the areas, the zones
#: over them, and the check written with its audit record (one statement on
#: PostgreSQL; on SQLite two inserts in a transaction, its savepoint and release).
NEW_CHECK_AT_MOST = dialect.pick(postgresql=4, sqlite=7)
#: A check sent again: the same, the write skipped, and the stored check read.
RESENT_AT_MOST = NEW_CHECK_AT_MOST + 1


def _phone(user) -> APIClient:
    """A station's phone: its token in the header, as the bench's clients."""
    api = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return api


def _body(st, world, **fields) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "station": st.pk,
        "plate": "闽E12345",
        "people": 2,
        "code_colour": "green",
        "test_age_hours": 12,
        "origin_area": world.village.code,
        "destination_area": world.village2.code,
        **fields,
    }


def test_a_check_costs_a_bounded_number_of_statements(world):
    st = station(world.county)
    phone = _phone(world.tracer)
    assert phone.post(CHECKS, _body(st, world), format="json").status_code == 201  # warm
    for colour in ("green", "yellow", "red"):
        sent = _body(st, world, code_colour=colour)
        with CaptureQueriesContext(connection) as new:
            answer = phone.post(CHECKS, sent, format="json")
        assert answer.status_code == 201, answer.content
        assert len(new.captured_queries) <= NEW_CHECK_AT_MOST, [
            q["sql"][:80] for q in new.captured_queries
        ]
        with CaptureQueriesContext(connection) as resent:
            again = phone.post(CHECKS, sent, format="json")
        assert again.status_code == 200 and again.json()["id"] == answer.json()["id"]
        assert len(resent.captured_queries) <= RESENT_AT_MOST, [
            q["sql"][:80] for q in resent.captured_queries
        ]
    assert answer.json()["outcome"] == "quarantine"
    stored = Check.objects.filter(station=st)
    assert stored.count() == 4
    audited = AuditEvent.objects.filter(action="checkpoints.check.record")
    assert sorted(audited.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in stored.values_list("pk", flat=True)
    )


def test_the_one_statement_check_stores_what_the_orm_path_stores(world):
    """A check naming nobody is written by hand (``fastpath.write``); one
    naming a person through the ORM. Their rows and audit records agree."""
    st = station(world.county)
    phone = _phone(world.tracer)
    at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    fast = phone.post(CHECKS, _body(st, world, checked_at=at.isoformat()), format="json")
    # A named person on a check that passes hands nobody on: only the path differs.
    named = _body(st, world, checked_at=at.isoformat(), name="张三")
    orm = phone.post(CHECKS, named, format="json")
    assert fast.status_code == orm.status_code == 201, (fast.content, orm.content)
    skip = {"id", "client_id", "received_at"}
    rows = [
        {k: v for k, v in Check.objects.values().get(pk=a.json()["id"]).items() if k not in skip}
        for a in (fast, orm)
    ]
    assert rows[0] == rows[1]
    records = [
        AuditEvent.objects.values().get(
            action="checkpoints.check.record", object_id=str(a.json()["id"])
        )
        for a in (fast, orm)
    ]
    skip = {"id", "at", "object_id"}
    assert [{k: v for k, v in r.items() if k not in skip} for r in records] == [
        {k: v for k, v in records[1].items() if k not in skip}
    ] * 2
    assert {k: v for k, v in fast.json().items() if k not in ("id", "client_id")} == {
        k: v for k, v in orm.json().items() if k not in ("id", "client_id")
    }


def _set_back_check_keys(last: int) -> None:
    """What a restore does to the checks' key sequence: the next key is ``last + 1``."""
    table = Check._meta.db_table
    with connection.cursor() as cursor:
        if dialect.is_postgresql():
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last])
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last, table])


@pytest.mark.django_db(transaction=True)
def test_a_check_after_its_key_sequence_was_set_back_is_written_inside_a_transaction(world):
    """A restore takes the later checks away and sets the key sequence back;
    another process takes those keys again. A check written by hand still
    takes a free key from the sequence, inside a transaction too (where a
    taken key could not be retried: the first-day journey's failure), and
    checks and their audit records stay one to one."""
    st = station(world.county)
    first = check(st)
    gone = [check(st) for _ in range(3)]
    Check.objects.filter(pk__gt=first.pk).delete()
    _set_back_check_keys(first.pk)
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    # Another process's checks (the ORM's): the keys given out before, and more.
    others = [
        check(st, identity=actions.Identity(name="张三"), test_age_hours=12) for _ in range(4)
    ]
    assert [c.pk for c in others[:3]] == [c.pk for c in gone]
    with transaction.atomic():
        inside = [check(st) for _ in range(2)]
        assert Check.objects.filter(pk__in=[c.pk for c in inside]).count() == 2
    assert [c.pk for c in inside] == [others[-1].pk + 1, others[-1].pk + 2]
    records = AuditEvent.objects.filter(pk__gt=since, action="checkpoints.check.record")
    assert sorted(records.values_list("object_id", flat=True)) == sorted(
        str(c.pk) for c in (*others, *inside)
    )
    stored = Check.objects.filter(pk__gt=first.pk).values_list("pk", flat=True)
    assert sorted(stored) == sorted(c.pk for c in (*others, *inside))


def test_the_station_read_by_hand_is_the_scoped_queryset(world):
    """``fastpath.check.station_and_areas`` against ``queries.get_station_for_user``
    and the areas by code, inside and outside the jurisdiction."""
    from django.http import Http404

    from zhanyi.checkpoints import queries

    mine, theirs = station(world.county), station(world.other_county)
    for user in (world.tracer, world.other_county_staff, world.commander):
        for st in (mine, theirs):
            found, origin, destination = fastpath_check.station_and_areas(
                user, st.pk, world.village.code, "no-such-code"
            )
            try:
                expected = queries.get_station_for_user(user, st.pk)
            except Http404:
                expected = None
            if expected is None:
                assert found is None
                continue
            values = {f.attname: getattr(expected, f.attname) for f in type(st)._meta.fields}
            assert {f.attname: getattr(found, f.attname) for f in type(st)._meta.fields} == values
            assert found.area == expected.area and found.area.path == expected.area.path
            assert origin == world.village and origin.path == world.village.path
            assert destination is None


@pytest.mark.parametrize(
    "body",
    [
        {"client_id": str(uuid.uuid4()), "station": 1, "plate": " 闽E1 ", "people": 2},
        {"client_id": "0" * 32, "station": "7", "plate": "x", "people": 1, "code_colour": "red"},
        {
            "client_id": str(uuid.uuid4()),
            "station": 1,
            "plate": "闽E12345",
            "people": 2,
            "code_colour": "yellow",
            "test_age_hours": None,
            "origin_area": " 350602001001 ",
            "checked_at": "2021-09-13T08:30:00Z",
            "person": None,
            "name": "张三",
        },
        {"client_id": "nope", "station": 1, "plate": "x", "people": 2, "code_colour": "green"},
        {"client_id": str(uuid.uuid4()), "station": "a", "people": -1, "code_colour": "blue"},
        {"station": 1, "plate": "x" * 40, "people": 2, "code_colour": "green"},
        {"client_id": str(uuid.uuid4()), "station": 1, "plate": None, "people": 2},
        {
            "client_id": str(uuid.uuid4()),
            "station": 1,
            "plate": "x",
            "people": 2,
            "code_colour": "green",
            "checked_at": "yesterday",
        },
        [1, 2],
        "text",
    ],
)
def test_the_check_input_validated_once_bound_answers_as_a_new_serializer(body):
    """``VehicleCheckInput.validated`` (fields bound once per process) gives
    the new serializer's ``validated_data``, or its 400 with every problem."""
    from rest_framework.exceptions import ValidationError

    from zhanyi.checkpoints.api import VehicleCheckInput

    if isinstance(body, dict) and "code_colour" not in body:
        body = {**body, "code_colour": "green"}
    fresh = VehicleCheckInput(data=body)
    if fresh.is_valid():
        assert VehicleCheckInput.validated(body) == dict(fresh.validated_data)
        assert VehicleCheckInput.validated(body) == dict(fresh.validated_data)  # again
    else:
        with pytest.raises(ValidationError) as refused:
            VehicleCheckInput.validated(body)
        assert refused.value.detail == fresh.errors
