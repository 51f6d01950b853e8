"""Screening weighs a pushed person's origin against the zones: an origin in
our tree takes the level of the zones in force when the person arrived,
through ``zhanyi.places.risk`` (screening never imports zones); a list that
says another level keeps its own, with a warning naming both."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhanyi.core.testing import english  # noqa: F401  (English messages)
from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.models import PushRecord
from zhanyi.screening.tests.conftest import (  # noqa: F401  (fixtures)
    _data_dir,
    address_of,
    csv_bytes,
    index,
    putian,
    resident_id,
    write_file,
)
from zhanyi.zones import actions as zones
from zhanyi.zones.tests.factories import zone

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号", "手机号", "现住址", "人员类别", "推送地", "风险等级", "抵达时间"]
PEOPLE = {
    "陈建国": ("19750312", 111, "13905961001", "village", "胜利路1号"),
    "林秀英": ("19820704", 222, "13905961002", "village", "胜利路2号"),
    "黄志强": ("19900101", 333, "13905961003", "village", "新华北路3号"),
    "吴丽华": ("19680920", 444, "13905961004", "village2", "南昌路4号"),
}


def _row(world, name, origin, risk, arrived):
    birth, seq, phone, village, street = PEOPLE[name]
    when = timezone.localtime(arrived).strftime("%Y-%m-%d %H:%M")
    address = address_of(world, village, street)
    return [name, resident_id(birth, seq), phone, address, "密接", origin, risk, when]


def test_an_origin_in_our_tree_takes_the_level_of_the_zones_at_arrival(
    world,
    index,  # noqa: F811
    putian,  # noqa: F811
    tmp_path,
):
    now = timezone.now()
    start = now - dt.timedelta(days=5)
    sealed = zone("sealed", areas=[world.county], name="芗城区封控区", now=start)
    zones.do_approve_zone(sealed, acting_user=world.commander, starts_at=start, now=start)
    during, before = now - dt.timedelta(days=2), now - dt.timedelta(days=10)
    rows = [
        _row(world, "陈建国", "漳州市芗城区", "", during),  # blank: the zone's level
        _row(world, "林秀英", "芗城区", "中", during),  # differs: kept, with a warning
        _row(world, "黄志强", world.county.code, "", before),  # before the zone: none
        _row(world, "吴丽华", "莆田市", "", during),  # not ours: as the list says
    ]
    path = write_file(tmp_path, "list.csv", csv_bytes(rows, header=HEADER))
    do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    records = {r.name: r for r in PushRecord.objects.all()}
    assert records["陈建国"].risk_level == "high"
    assert not any("Risk level" in w for w in records["陈建国"].warnings)
    assert records["林秀英"].risk_level == "medium"
    (warning,) = [w for w in records["林秀英"].warnings if w.startswith("Risk level")]
    assert "the list says medium" in warning
    assert "say high (Sealed zone 芗城区封控区)" in warning
    assert records["黄志强"].risk_level == ""
    assert records["吴丽华"].risk_level == ""
    assert not any("Risk level" in w for w in records["吴丽华"].warnings)
