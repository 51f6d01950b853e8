"""The rule table's health-code situations (zhanyi/engine/tests/rule_table.toml,
[[codes]]) through the apps' actions: the arrival or the companion comes in
as the apps receive it (a pushed list through screening's import; a companion
found in the companion store through tracing), the negatives as testing's
results (scanned, delivered, reported), and the colour is decided from the
facts the apps contribute, at each moment the table names. The engine's run of
the same rows is zhanyi/engine/tests/test_rule_table.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest

from zhanyi.engine.codes import decide_many
from zhanyi.engine.companions import Store, ingest_stays
from zhanyi.engine.companions.testing import local_s, write_stays
from zhanyi.engine.identity import check_char
from zhanyi.engine.protocol import load_protocol
from zhanyi.engine.tests.test_rule_table import TABLE, local
from zhanyi.people.actions.health_codes.rules import code_rules
from zhanyi.people.health_facts import gather
from zhanyi.people.models import Person
from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.models import PushRecord, PushSource
from zhanyi.testing import actions as testing
from zhanyi.testing.tests.factories import SYSTEM, deliver_and_receive, lab, scan, site
from zhanyi.tracing import actions as tracing

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)
CATEGORY = {"arrival": "中高风险地区来返人员", "companion": "时空伴随"}


def _person(world) -> Person:
    n = next(_numbers)
    first17 = f"35060219900101{n:03d}"
    return Person.objects.create(
        name=f"规则{n}",
        identity_number=first17 + check_char(first17),
        phone=f"1390596{n:04d}",
        village=world.village,
    )


def _pushed(world, who: Person, kind: str, at: dt.datetime) -> None:
    """The person on a pushed list received at ``at``: an arrival (抵达时间)
    or a companion (末次接触时间)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["姓名", "身份证号", "手机号", "人员类别", "风险等级", "末次接触时间", "抵达时间"]
    )
    when = at.strftime("%Y-%m-%d %H:%M:%S")
    writer.writerow(
        [
            who.name,
            who.identity_number,
            who.phone,
            CATEGORY[kind],
            "中",
            when if kind == "companion" else "",
            when if kind == "arrival" else "",
        ]
    )
    source = PushSource.objects.create(name=f"协查{who.pk}", origin_city="莆田市")
    pushed = do_import_push_list(
        source,
        io.BytesIO(out.getvalue().encode("utf-8")),
        filename="list.csv",
        acting_user=world.tracer,
        received_at=at,
    )
    assert PushRecord.objects.get(push_list=pushed).person_id == who.pk


def _companion_found(world, who: Person, together_until: dt.datetime, tmp_path) -> None:
    """A case and ``who`` in the same cell for 30 minutes ending at
    ``together_until``, ingested into a companion store and pulled in by
    tracing as of that moment."""
    start = together_until - dt.timedelta(minutes=30)
    case = tracing.do_create_case(
        acting_user=SYSTEM,
        person=_person(world),
        classification="confirmed",
        sampled_at=together_until + dt.timedelta(days=1),
        reported_at=together_until + dt.timedelta(days=1, hours=4),
        onset_date=(together_until + dt.timedelta(days=1)).date(),
        isolated_at=together_until + dt.timedelta(days=1, hours=6),
    )
    s, e = int(start.timestamp()), int(together_until.timestamp())
    # The case's long stays in the cell on the days before (the dwell rule).
    day = together_until.date()
    long_stays = [
        (
            case.person_id,
            10,
            local_s(day - dt.timedelta(days=k), 8),
            local_s(day - dt.timedelta(days=k), 18),
        )
        for k in (3, 4, 5)
    ]
    write_stays([*long_stays, (case.person_id, 10, s, e), (who.pk, 10, s, e)], tmp_path / "in")
    ingest_stays(tmp_path / "in", Store(tmp_path / "store"), load_protocol("edition-8").companion)
    added = tracing.do_add_companions(
        case, acting_user=world.tracer, store_dir=tmp_path / "store", as_of=together_until
    )
    assert added == 1


def _negatives(world, who: Person, moments: list[dt.datetime]) -> None:
    sampling, laboratory = site(world.village), lab(world.county)
    for n, at in enumerate(moments, start=1):
        barcode = f"RT{who.pk:04d}{n:02d}"
        scan(barcode, [who], site=sampling, purpose="scheduled", pool_size=1, sampled_at=at)
        deliver_and_receive(sampling, laboratory, [barcode])
        testing.do_record_results(
            acting_user=SYSTEM,
            lab=laboratory,
            rows=[testing.ResultRow(1, barcode, "negative", at + dt.timedelta(hours=6))],
            via="api",
        )


def _colours(situation: dict, who: Person) -> list[list]:
    rules = code_rules([situation["protocol"]])
    out = []
    for at, _colour in situation["colours"]:
        now = local(at)
        out.append([at, decide_many(gather([who.pk], now).values(), rules, now)[who.pk].colour])
    return out


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.mark.parametrize("situation", TABLE["codes"], ids=lambda s: s["name"])
def test_code_situation_pushed_through_screening(situation: dict, world) -> None:
    who = _person(world)
    for _other in range(3):  # the person index links against more than one person
        _person(world)
    kind = "arrival" if "arrival" in situation else "companion"
    _pushed(world, who, kind, local(situation[kind]))
    _negatives(world, who, [local(t) for t in situation["negatives"]])
    assert _colours(situation, who) == situation["colours"]


@pytest.mark.parametrize(
    "situation", [s for s in TABLE["codes"] if "companion" in s], ids=lambda s: s["name"]
)
def test_companion_situation_found_by_tracing(situation: dict, world, tmp_path) -> None:
    who = _person(world)
    _companion_found(world, who, local(situation["companion"]), tmp_path)
    _negatives(world, who, [local(t) for t in situation["negatives"]])
    assert _colours(situation, who) == situation["colours"]
