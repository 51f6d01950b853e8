"""Offline uploads: a sampling point's shift as a file (web, API, command line)
or as JSON; tubes checked whole, refusals named by line, scheduled tests done."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.handoffs.models import Handoff
from zhanyi.testing import actions
from zhanyi.testing.models import Sample, Tube

from .factories import people, person, round_, scheduled_tests, site


def _csv(rows: list[list], header=("barcode", "site", "sampled_at", "person")) -> str:
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return "\n".join(lines) + "\n"


@pytest.fixture
def shift(world):
    """A round of the village, its site, ten people and a sampling time inside the round."""
    r = round_([world.village], pool_size=5)
    s = site(world.village)
    at = timezone.now().astimezone(LOCAL_TZ).replace(microsecond=0, tzinfo=None)
    return r, s, people(world.village, 10), at.isoformat(sep=" ")


def test_a_file_stores_its_good_tubes_and_names_the_lines_of_the_others(world, shift, api_for):
    r, s, ps, at = shift
    ps[9].identity_number = "350602199001011234"
    ps[9].save()
    rows = [
        *[["UPL0001", s.pk, at, actions.qr_payload(p.pk)] for p in ps[:5]],  # lines 2-6
        ["UPL0002", s.pk, at, f"P{ps[5].pk}"],  # 7
        ["UPL0002", s.pk, at, "350602199001011234"],  # 8: by identity number
        ["UPL0003", s.pk, at, "P99999999"],  # 9: unknown person: the tube is refused
        ["UPL0003", s.pk, at, f"P{ps[6].pk}"],  # 10
        ["UPL0004", s.pk, "yesterday", f"P{ps[7].pk}"],  # 11: not a time
        ["UPL0005", s.pk, at, actions.qr_payload(ps[0].pk)],  # 12: sampled already
    ]
    upload = SimpleUploadedFile("shift.csv", _csv(rows).encode(), content_type="text/csv")
    res = api_for(world.village_member).post(
        f"/api/v1/testing/rounds/{r.pk}/samples/file/", {"file": upload}, format="multipart"
    )
    assert res.status_code == 200, res.content
    body = res.json()
    assert (body["tubes"], body["samples"]) == (2, 7)
    assert [(p["row"], p["field"], p["code"]) for p in body["refused"]] == [
        (9, "person", "unknown"),
        (11, "sampled_at", "invalid"),
        (12, "person_ids", "already_sampled"),
    ]
    assert set(Tube.objects.values_list("barcode", flat=True)) == {"UPL0001", "UPL0002"}
    assert Tube.objects.get(barcode="UPL0001").status == "closed"  # full: 5 of 5
    assert Tube.objects.get(barcode="UPL0002").status == "open"
    assert Sample.objects.get(person=ps[9]).tube.barcode == "UPL0002"
    event = AuditEvent.objects.get(action="testing.sample_import")
    assert event.actor == world.village_member and event.detail["refused"] == 3


def test_a_gbk_file_from_the_command_line_says_what_was_refused(world, shift, capsys):
    r, s, ps, at = shift
    rows = [["UPL0101", s.pk, at, f"P{p.pk}"] for p in ps[:3]]
    rows.append(["UPL0102", s.pk, at, "不是编码"])  # line 5: unreadable
    path = _tmp(_csv(rows).encode("gbk"), "离线采样.csv")
    with pytest.raises(CommandError, match="1 refused"):
        call_command("testing", "samples", "import", str(path), "--round", str(r.pk))
    out, err = capsys.readouterr()
    assert "1 tubes, 3 samples stored" in out
    assert "line 5, person" in err and "不是编码" in err
    assert Sample.objects.filter(round=r).count() == 3
    # All good: exit status 0.
    good = _tmp(_csv([["UPL0103", s.pk, at, f"P{ps[5].pk}"]]).encode(), "ok.csv")
    call_command("testing", "samples", "import", str(good), "--round", str(r.pk))
    assert Sample.objects.filter(round=r).count() == 4


def test_a_file_refused_whole_from_the_command_line_says_nothing_was_stored(world, shift, capsys):
    r, s, ps, at = shift
    path = _tmp(f"barcode,site,when,person\nUPL0201,{s.pk},{at},P{ps[0].pk}\n".encode(), "x.csv")
    with pytest.raises(CommandError, match="1 refused; nothing was stored"):
        call_command("testing", "samples", "import", str(path), "--round", str(r.pk))
    assert "line 1, header" in capsys.readouterr().err
    assert not Sample.objects.filter(round=r).exists()


def _tmp(data: bytes, name: str):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    path = folder / name
    path.write_bytes(data)
    return path


def test_an_xlsx_file_on_the_web_page(world, shift, client_for):
    r, s, ps, at = shift
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["barcode", "site", "sampled_at", "person", "closed_at"])
    when = dt.datetime.fromisoformat(at)
    for p in ps[:2]:
        sheet.append(["UPL0201", s.pk, when, actions.qr_payload(p.pk), when])
    sheet.append([None, None, None, None, None])  # a blank line at the end
    data = io.BytesIO()
    book.save(data)
    client = client_for(world.village_member)
    page = client.get(f"/testing/rounds/{r.pk}/samples/upload/")
    assert page.status_code == 200
    res = client.post(
        f"/testing/rounds/{r.pk}/samples/upload/",
        {"file": SimpleUploadedFile("shift.xlsx", data.getvalue())},
    )
    assert res.status_code == 200
    assert res.context["report"].tubes == 1 and res.context["report"].samples == 2
    assert Tube.objects.get(barcode="UPL0201").status == "closed"  # closed on the phone
    round_page = client.get(f"/testing/rounds/{r.pk}/")
    assert f"/testing/rounds/{r.pk}/samples/upload/".encode() in round_page.content


def test_json_tubes_and_a_scheduled_test_done_by_an_upload(world, api_for):
    r = round_([world.village], pool_size=10)
    s = site(world.village)
    contact = person(world.village)
    now = timezone.now()
    key = scheduled_tests(contact, world.village, (now - dt.timedelta(hours=2), now))
    others = people(world.village, 2)
    res = api_for(world.village_member).post(
        f"/api/v1/testing/rounds/{r.pk}/samples/",
        {
            "tubes": [
                {
                    "barcode": "UPL0301",
                    "site": s.pk,
                    "sampled_at": (now - dt.timedelta(minutes=30)).isoformat(),
                    "codes": [actions.qr_payload(p.pk) for p in [contact, *others]],
                },
                {"barcode": "UPL0302", "site": s.pk, "codes": ["P1"]},  # no time
            ]
        },
        format="json",
    )
    assert res.status_code == 200, res.content
    body = res.json()
    assert (body["tubes"], body["samples"], body["scheduled_tests"]) == (1, 3, 1)
    assert [(p["row"], p["field"]) for p in body["refused"]] == [(2, "sampled_at")]
    h = Handoff.objects.get(key=key)
    assert h.status == "done" and "UPL0301" in h.outcome
    assert Sample.objects.get(person=contact).handoff == h
    assert Sample.objects.get(person=others[0]).handoff is None


def test_uploads_are_refused_to_outsiders_and_nothing_is_written(world, shift, api_for):
    r, s, ps, at = shift
    code = actions.qr_payload(ps[0].pk)
    body = {"tubes": [{"barcode": "UPL0401", "site": s.pk, "sampled_at": at, "codes": [code]}]}
    url = f"/api/v1/testing/rounds/{r.pk}/samples/"
    assert api_for(world.leader).post(url, body, format="json").status_code == 403
    assert api_for(world.outsider).post(url, body, format="json").status_code == 403
    assert api_for(world.other_county_staff).post(url, body, format="json").status_code == 404
    # The round is within reach but the site is not: the whole upload is refused.
    other_site = site(world.other_village, "别村采样点")
    body["tubes"][0]["site"] = other_site.pk
    assert api_for(world.village_member).post(url, body, format="json").status_code == 403
    assert not Tube.objects.exists()


def test_a_file_that_is_not_a_sampling_file_says_so(world, shift, api_for):
    r, _s, _ps, _at = shift
    api = api_for(world.village_member)
    url = f"/api/v1/testing/rounds/{r.pk}/samples/file/"
    wrong = SimpleUploadedFile("results.csv", b"barcode,result,tested_at\nT1,neg,2021-09-12\n")
    res = api.post(url, {"file": wrong}, format="multipart")
    assert res.status_code == 400
    assert res.json()["refused"][0]["code"] == "missing_columns"
    pdf = SimpleUploadedFile("shift.pdf", b"%PDF-1.4")
    res = api.post(url, {"file": pdf}, format="multipart")
    assert res.json()["refused"][0]["code"] == "format"
    binary = SimpleUploadedFile("shift.csv", bytes(range(128, 256)) * 4)
    res = api.post(url, {"file": binary}, format="multipart")
    assert res.json()["refused"][0]["code"] == "unreadable"
    assert not Tube.objects.exists()
