"""Fixtures of the screening tests: a small person index, push-list files, English messages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from zhanyi.core.audit import cli_actor
from zhanyi.core.testing import client, english  # noqa: F401  (English messages)
from zhanyi.engine.identity import check_char
from zhanyi.people.actions import do_import_persons
from zhanyi.people.models import Household, Person
from zhanyi.screening.models import PushSource

HEADER = ["姓名", "身份证号", "手机号", "现住址", "人员类别", "推送地", "末次接触时间"]

# name, birth, seq, phone, village (attr of world), street
PEOPLE = [
    ("陈建国", "19750312", 111, "13905961001", "village", "胜利路1号"),
    ("林秀英", "19820704", 222, "13905961002", "village", "胜利路2号"),
    ("黄志强", "19900101", 333, "13905961003", "village", "新华北路3号"),
    ("吴丽华", "19680920", 444, "13905961004", "village2", "南昌路4号"),
    ("郑伟", "20010215", 555, "13905961005", "village2", "南昌路5号"),
    ("王芳", "19951111", 666, "13905961006", "other_village", "新华路6号"),
    ("李明", "19870506", 777, "13905961007", "other_village", "新华路7号"),
    ("张婷", "19990808", 888, "13905961008", "village", "胜利路8号"),
]


def resident_id(birth: str, seq: int, division: str = "350602") -> str:
    first17 = f"{division}{birth}{seq:03d}"
    return first17 + check_char(first17)


def address_of(world, village_attr: str, street: str) -> str:
    village = getattr(world, village_attr)
    township = village.parent
    county = township.parent
    return f"漳州市{county.name}{township.name}{village.name}{street}"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def index(world) -> dict[str, Person]:
    """The people of the world's villages, loaded through the person index's bulk path."""
    rows = []
    for n, (name, birth, seq, phone, village, street) in enumerate(PEOPLE, start=1):
        rows.append(
            {
                "person_id": n,
                "identity_number": resident_id(birth, seq),
                "name": name,
                "birth_date": dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
                "sex": "male" if seq % 2 else "female",
                "phone": phone,
                "village_code": getattr(world, village).code,
                "address": address_of(world, village, street),
            }
        )
    counts = do_import_persons(acting_user=cli_actor(), households=[], persons=rows)
    assert counts.persons == len(PEOPLE), counts.problems
    return {p.name: p for p in Person.objects.all()}


@pytest.fixture
def putian(db) -> PushSource:
    return PushSource.objects.create(name="莆田市协查", origin_city="莆田市")


def row_for(world, name: str, category: str = "密接", **changes) -> list:
    entry = next(p for p in PEOPLE if p[0] == name)
    _name, birth, seq, phone, village, street = entry
    values = {
        "name": name,
        "id": resident_id(birth, seq),
        "phone": phone,
        "address": address_of(world, village, street),
        "category": category,
        "origin": "莆田市",
        "exposure": "2021-09-10 08:00",
    }
    values.update(changes)
    return [values[k] for k in ("name", "id", "phone", "address", "category", "origin", "exposure")]


def csv_bytes(rows: list[list], encoding: str = "utf-8", header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def write_file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def xlsx_file(tmp_path: Path, name: str, rows: list[list], header: list[str] = HEADER) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


__all__ = ["Household"]
