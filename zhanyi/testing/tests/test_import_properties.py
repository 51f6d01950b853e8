"""Properties of the lab-result and sampling-upload readers and importers (hypothesis).

Whatever a lab or a sampling point sends: no uncaught exception; every line is
a row or a problem with a reason; sending the same file again stores nothing
twice; a well-formed file reads back what was written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
from django.db import transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from zhanyi.core.spreadsheet import clean_text
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.testing import actions
from zhanyi.testing.actions.results import parse_result_word
from zhanyi.testing.models import Sample, Tube

from .factories import SYSTEM, deliver_and_receive, lab, people, round_, scan, site

RESULT_WORDS = ["阴性", "阳性", "negative", "positive", "NEG", "pos", "+", "-"]
TIMES = st.one_of(
    st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31)).map(str),  # noqa: DTZ001 - text as files hold it
    st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31)).map(  # noqa: DTZ001
        lambda d: d.strftime("%Y/%m/%d %H:%M")
    ),
    st.sampled_from(["", "yesterday", "2021-02-30 08:00", "2021-09-12T08:30+08:00"]),
    st.text(max_size=20),
)
CELL = st.one_of(st.text(max_size=20), st.sampled_from(["", " ", "\r", "\n", '"', ","]))


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _numbered(rows, problems) -> list[int]:
    return sorted([r.row for r in rows] + [p.row for p in problems if p.row is not None])


# --- lab results -----------------------------------------------------------------------


@given(
    data=st.one_of(
        st.binary(max_size=500),
        st.text(max_size=300).map(str.encode),
        st.lists(st.lists(CELL, max_size=5), max_size=6).map(
            lambda rows: _csv(["barcode", "result", "tested_at"], rows)
        ),
    )
)
def test_any_lab_file_parses_into_rows_and_problems_with_reasons(data):
    rows, problems = actions.parse_results_csv(data)
    assert all(p.message for p in problems), "each problem says why"
    if any(p.field in ("file", "header") for p in problems):
        assert rows == []
        return
    # Every record of the file is a row or a problem, once.
    lines = _numbered(rows, problems)
    assert lines == list(range(2, 2 + len(lines)))


@given(
    rows=st.lists(
        st.tuples(
            st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=14),
            st.sampled_from(RESULT_WORDS),
            st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 1, 1)),  # noqa: DTZ001
        ),
        max_size=8,
    )
)
def test_a_well_formed_lab_file_reads_back_what_was_written(rows):
    text = _csv(
        ["barcode", "result", "tested_at"],
        [[b, word, at.strftime("%Y-%m-%d %H:%M:%S")] for b, word, at in rows],
    )
    parsed, problems = actions.parse_results_csv(text)
    assert problems == []
    assert [(r.barcode, r.result, r.tested_at) for r in parsed] == [
        (
            b,
            parse_result_word(word),
            at.replace(microsecond=0, tzinfo=LOCAL_TZ),
        )
        for b, word, at in rows
    ]


@settings(max_examples=25)
@given(
    cells=st.lists(
        st.tuples(st.sampled_from(["FILE0000", "FILE0001", "GHOST", ""]), CELL, TIMES),
        min_size=1,
        max_size=6,
    )
)
def test_a_lab_file_twice_stores_each_result_once(world, cells):
    with transaction.atomic():
        ps = people(world.village, 2)
        r = round_([world.village], pool_size=1)
        s = site(world.village)
        lb = lab(world.city)
        for i, p in enumerate(ps):
            scan(f"FILE000{i}", [p], site=s, round=r)
        deliver_and_receive(s, lb, ["FILE0000", "FILE0001"])
        now = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")
        rows = [[b, w or "阴性", t or now] for b, w, t in cells]
        data = _csv(["barcode", "result", "tested_at"], rows)
        imports = []
        for _ in range(2):
            parsed, problems = actions.parse_results_csv(data)
            imports.append(
                actions.do_record_results(
                    acting_user=SYSTEM,
                    lab=lb,
                    rows=parsed,
                    via="file",
                    filename="lab.csv",
                    parse_problems=problems,
                )
            )
        first, again = imports
        for imp in imports:
            assert imp.stored + imp.unchanged + imp.refused == imp.rows
            assert all(p["message"] for p in imp.problems)
        assert again.stored == 0
        assert again.unchanged == first.stored + first.unchanged
        assert Tube.objects.exclude(result="").count() <= 2
        transaction.set_rollback(True)


# --- sampling uploads --------------------------------------------------------------------

HEADERS = st.sampled_from(
    [
        ["barcode", "site", "sampled_at", "person"],
        ["barcode", "site", "sampled_at", "person", "closed_at"],
        ["Barcode", "SITE", "sampled_at", "person"],
        ["barcode", "site"],
    ]
)


@given(
    data=st.one_of(
        st.binary(max_size=500),
        st.builds(_csv, HEADERS, st.lists(st.lists(CELL, max_size=6), max_size=6)),
    ),
    extension=st.sampled_from(["csv", "xlsx", "xls", "txt"]),
)
def test_any_sample_file_reads_into_swabs_and_problems_with_reasons(data, extension):
    swabs, problems = actions.read_sample_file(io.BytesIO(data), f"shift.{extension}")
    assert all(p.message for p in problems), "each problem says why"
    if any(p.field in ("file", "header") for p in problems):
        assert swabs == []
        return
    lines = sorted([s.line for s in swabs] + [p.row for p in problems])
    assert len(set(lines)) == len(lines), "a line is a swab or a problem, once"


@st.composite
def upload_cells(draw, people_codes: list[str], site_pk: int, at: str) -> list[list]:
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        row = [
            draw(st.sampled_from(["UPL0001", "UPL0002", "UPL0003"])),
            str(site_pk),
            at,
            draw(st.sampled_from(people_codes)),
        ]
        if draw(st.booleans()):
            row[draw(st.integers(0, 3))] = draw(CELL)
        rows.append(row)
    return rows


@settings(max_examples=25)
@given(data=st.data(), as_xlsx=st.booleans())
def test_a_sampling_upload_twice_stores_each_sample_once(world, data, as_xlsx):
    with transaction.atomic():
        r = round_([world.village], pool_size=5)
        s = site(world.village)
        ps = people(world.village, 4)
        at = timezone.now().astimezone(LOCAL_TZ).replace(microsecond=0, tzinfo=None)
        codes = [*(f"P{p.pk}" for p in ps), actions.qr_payload(ps[0].pk), "P99999999"]
        rows = data.draw(upload_cells(codes, s.pk, at.isoformat(sep=" ")))
        header = ["barcode", "site", "sampled_at", "person"]
        if as_xlsx:
            rows = [[clean_text(c) for c in row] for row in rows]
            book = openpyxl.Workbook()
            book.active.append(header)
            for row in rows:
                book.active.append(row)
            out = io.BytesIO()
            book.save(out)
            payload, name = out.getvalue(), "shift.xlsx"
        else:
            payload, name = _csv(header, rows), "shift.csv"
        results = []
        for _ in range(2):
            swabs, problems = actions.read_sample_file(io.BytesIO(payload), name)
            results.append(
                actions.do_upload_samples(
                    acting_user=SYSTEM, round=r, swabs=swabs, parse_problems=problems
                )
            )
            stored = Sample.objects.filter(tube__round=r).count()
            assert stored == results[0].samples
        first, again = results
        assert all(p.message for p in first.refused + again.refused)
        assert (again.tubes, again.samples) == (0, 0)
        transaction.set_rollback(True)


def test_a_lab_file_with_a_carriage_return_in_a_cell_is_read():
    """Found by the property above: a lone \\r (an old Mac line end, a pasted
    cell) failed the whole file with csv.Error, a 500 on the upload."""
    rows, problems = actions.parse_results_csv(
        b"barcode,result,tested_at\rA1,negative,2021-09-12 08:30\r"
    )
    assert problems == [] and [r.barcode for r in rows] == ["A1"]
    rows, problems = actions.parse_results_csv(b'barcode,result,tested_at\n"A1\rB",neg,x\n')
    assert rows == [] and [p.field for p in problems] == ["tested_at"]
