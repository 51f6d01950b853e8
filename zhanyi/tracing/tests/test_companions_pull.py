"""Companions from the companion engine, pulled in as a third kind of contact."""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq
import pytest

from zhanyi.engine.companions import Store, ingest_stays
from zhanyi.engine.companions.testing import local_s, write_stays
from zhanyi.engine.protocol import load_protocol
from zhanyi.tracing import actions
from zhanyi.tracing.models import Contact

from .factories import SYSTEM, case, person

pytestmark = pytest.mark.django_db


def test_a_companion_of_the_case_becomes_a_companion_contact(world, tmp_path):
    c = case(world.village)  # window 11 Sept 00:00 – 14 Sept 21:00 local
    companion, passer_by = person(world.village), person(world.village)
    d = dt.date(2021, 9, 12)
    rows = [
        (
            c.person_id,
            10,
            local_s(d - dt.timedelta(days=k), 8),
            local_s(d - dt.timedelta(days=k), 18),
        )
        for k in (3, 4, 5)
    ]
    rows.append((c.person_id, 10, local_s(d, 10), local_s(d, 11)))
    rows.append((companion.pk, 10, local_s(d, 10, 30), local_s(d, 11, 30)))  # 30 min together
    rows.append((passer_by.pk, 10, local_s(d, 10, 55), local_s(d, 11, 30)))  # 5 min: not
    write_stays(rows, tmp_path / "in")
    ingest_stays(tmp_path / "in", Store(tmp_path / "store"), load_protocol("edition-8").companion)

    added = actions.do_add_companions(c, acting_user=world.tracer, store_dir=tmp_path / "store")
    assert added == 1
    contact = Contact.objects.get(case=c)
    assert (contact.person_id, contact.kind) == (companion.pk, "companion")
    assert actions.do_add_companions(c, acting_user=SYSTEM, store_dir=tmp_path / "store") == 0


def test_a_missing_store_is_a_clear_error(world, tmp_path):
    c = case(world.village)
    with pytest.raises(FileNotFoundError, match="companions ingest"):
        actions.do_add_companions(c, acting_user=SYSTEM, store_dir=tmp_path / "none")


def test_the_current_cases_file_holds_each_open_case_window(world, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    c = case(world.village)
    path = actions.write_current_cases()
    rows = pq.read_table(path).to_pylist()
    assert [r["person_id"] for r in rows] == [c.person_id]
    assert rows[0]["window_start"] == dt.datetime(2021, 9, 10, 16, tzinfo=dt.UTC)
