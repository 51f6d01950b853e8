"""The person index's snapshot for the linkage engine: a new one is the last
one brought up to date with the persons changed since, and holds what a
snapshot read whole would hold."""

from __future__ import annotations

import polars as pl
import pytest

from zhanyi.people import linkage
from zhanyi.people.models import Person

from .factories import make_household, make_person


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path


def read_whole() -> pl.DataFrame:
    for old in linkage.snapshot_dir().glob("person-index-*"):
        old.unlink()
    return pl.read_parquet(linkage.person_index_path())


def test_a_snapshot_brought_up_to_date_is_the_snapshot_read_whole(world, monkeypatch):
    home = make_household(world.village)
    chen = make_person(world.village, "陈建国", household=home, phone="+8613905961001")
    lin = make_person(world.village, "林秀英")
    wu = make_person(world.village2, "吴丽华")
    first = pl.read_parquet(linkage.person_index_path())
    assert first.height == 3 and "household_id" in first.columns

    lin.phone = "+8613905961002"
    lin.save()
    wu.merged_into = chen
    wu.save()
    make_person(world.village2, "王芳")
    reads: list[str] = []
    read = linkage._read_persons
    monkeypatch.setattr(
        linkage, "_read_persons", lambda where, params: reads.append(where) or read(where, params)
    )
    updated = pl.read_parquet(linkage.person_index_path())
    # Only the persons changed since were read (within the overlap: all four here).
    assert reads == ["updated_at >= %s OR id > %s"]
    assert sorted(updated["name"].to_list()) == ["林秀英", "王芳", "陈建国"]
    assert updated.filter(pl.col("name") == "陈建国")["household_id"].to_list() == [home.pk]
    assert updated.equals(read_whole())


def test_a_snapshot_that_cannot_be_brought_up_to_date_is_read_whole(world):
    chen = make_person(world.village, "陈建国")
    make_person(world.village, "林秀英")
    linkage.person_index_path()
    # Removed without its time of change moving (not as the actions do): the
    # count tells, and the whole index is read.
    Person.objects.filter(pk=chen.pk).update(merged_into=make_person(world.village, "陈国"))
    names = pl.read_parquet(linkage.person_index_path())["name"].to_list()
    assert sorted(names) == ["林秀英", "陈国"]
