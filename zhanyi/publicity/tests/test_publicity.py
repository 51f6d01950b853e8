"""Publicity (宣传): press conferences, public notices drafted by hand,
approved and published with a date, the tally of media reports by outlet and
kind, public-opinion items followed to their end; the figures; page, API and
command line; scoped and audited. (Drafting from a zone decision or a
directive is tested with the headquarters, which may read those apps:
``command/tests/test_notice_sources.py``.)"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from zhanyi.core import metrics
from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.publicity import actions, queries
from zhanyi.publicity.models import (
    MediaReport,
    Notice,
    NoticeState,
    OpinionItem,
    OpinionState,
    PressConference,
)

pytestmark = pytest.mark.django_db
SYSTEM = SystemActor("test")
HELD = dt.datetime(2021, 9, 17, 10, 0, tzinfo=LOCAL_TZ)


def _value(name, area):
    return next(v["value"] for v in metrics.compute(area=area, names=[name]))


def test_a_press_conference_keeps_its_speakers_and_topics(world):
    conference = actions.do_record_conference(
        acting_user=world.commander,
        title="第一场新闻发布会",
        held_at=HELD,
        area=world.city,
        speakers="漳州市人民政府副市长、漳州市卫生健康委员会主任\n\n",
        topics=" 病例情况；风险区域 ",
    )
    assert conference.speaker_list() == ["漳州市人民政府副市长", "漳州市卫生健康委员会主任"]
    assert conference.topic_list() == ["病例情况", "风险区域"]
    assert AuditEvent.objects.filter(action="publicity.conference").count() == 1
    with pytest.raises(ValidationError) as twice:
        actions.do_record_conference(
            acting_user=world.commander,
            title="again",
            held_at=HELD,
            area=world.city,
            speakers="x",
            topics="y",
        )
    assert twice.value.messages == [
        f"{world.city.name} has a press conference at 2021-09-17 10:00 already."
    ]
    with pytest.raises(ValidationError) as empty:
        actions.do_record_conference(
            acting_user=world.commander,
            title="t",
            held_at=HELD + dt.timedelta(days=1),
            area=world.city,
            speakers=" ",
            topics="y",
        )
    assert empty.value.message_dict == {"speakers": ["Speakers is empty."]}
    with pytest.raises(PermissionDenied):
        actions.do_record_conference(
            acting_user=world.other_county_staff,
            title="t",
            held_at=HELD,
            area=world.county,
            speakers="x",
            topics="y",
        )
    assert _value("publicity.press_conferences", None) == 1
    # A county reads the city's conferences (notices and conferences address everyone).
    assert list(queries.conferences_for(world.tracer)) == [conference]


def test_a_notice_is_drafted_approved_and_published_with_its_date(world):
    notice = actions.do_draft_notice(
        acting_user=world.tracer,
        title="关于开展全员核酸检测的通告",
        body="9月18日起开展第二轮全员核酸检测。",
        area=world.county,
    )
    assert notice.state == NoticeState.DRAFT and notice.drafted_by_name
    with pytest.raises(ValidationError) as early:
        actions.do_publish_notice(
            notice, acting_user=world.commander, published_on=dt.date(2021, 9, 18)
        )
    assert "is Draft: a notice is published once approved" in early.value.messages[0]
    with pytest.raises(PermissionDenied):
        actions.do_approve_notice(notice, acting_user=world.tracer)  # no approve
    approved_at = dt.datetime(2021, 9, 18, 9, 0, tzinfo=LOCAL_TZ)
    actions.do_approve_notice(notice, acting_user=world.commander, now=approved_at)
    with pytest.raises(ValidationError) as before:
        actions.do_publish_notice(
            notice, acting_user=world.commander, published_on=dt.date(2021, 9, 17)
        )
    assert before.value.messages == ["2021-09-17 is before the notice was approved (2021-09-18)."]
    assert _value("publicity.notices_published", world.county) == 0
    actions.do_publish_notice(
        notice, acting_user=world.commander, published_on=dt.date(2021, 9, 18), channel="漳州发布"
    )
    notice.refresh_from_db()
    assert (notice.state, notice.published_on, notice.channel) == (
        NoticeState.PUBLISHED,
        dt.date(2021, 9, 18),
        "漳州发布",
    )
    assert _value("publicity.notices_published", world.county) == 1
    assert _value("publicity.notices_published", world.other_county) == 0
    actions_done = AuditEvent.objects.filter(action__startswith="publicity.notice").values_list(
        "action", flat=True
    )
    assert sorted(actions_done) == [
        "publicity.notice.approve",
        "publicity.notice.draft",
        "publicity.notice.publish",
    ]
    with pytest.raises(ValidationError) as by_hand:
        actions.do_draft_notice(acting_user=world.tracer, title="t", body="b")
    assert by_hand.value.messages == ["Say which area the notice is for."]
    with pytest.raises(ValidationError) as unknown:
        actions.do_draft_notice(acting_user=world.tracer, source_kind="rumour", source_key="1")
    assert "No source of notices rumour" in unknown.value.messages[0]


def test_the_media_tally_counts_by_outlet_and_kind(world):
    day = dt.date(2021, 9, 20)
    for outlet, level, kind, count in [
        ("闽南日报", "local", "newspaper", 3),
        ("闽南日报", "local", "newspaper", 2),
        ("闽南日报", "local", "new_media", 5),
        ("新华社", "central", "online", 1),
    ]:
        actions.do_record_media_report(
            acting_user=world.tracer,
            outlet=outlet,
            level=level,
            kind=kind,
            published_on=day,
            area=world.county,
            count=count,
        )
    tally = queries.media_tally(world.tracer)
    assert [(r["outlet"], r["kind"], r["reports"]) for r in tally.rows] == [
        ("闽南日报", "new_media", 5),
        ("闽南日报", "newspaper", 5),
        ("新华社", "online", 1),
    ]
    assert {r["level"]: r["reports"] for r in tally.by_level} == {
        "central": 1,
        "provincial": 0,
        "local": 10,
    }
    assert tally.total == 11 == _value("publicity.media_reports", world.county)
    assert queries.media_tally(world.other_county_staff).total == 0
    with pytest.raises(ValidationError) as refused:
        actions.do_record_media_report(
            acting_user=world.tracer,
            outlet=" ",
            level="global",
            kind="newspaper",
            published_on=dt.date(2099, 1, 1),
            area=world.county,
            count=0,
        )
    assert refused.value.message_dict == {
        "level": ["Unknown level of media: global."],
        "count": ["Count from one to 1,000,000 reports (given: 0)."],
        "published_on": ["2099-01-01 is still to come."],
    }
    assert MediaReport.objects.count() == 4


def test_an_opinion_item_is_followed_up_to_its_end(world):
    found = dt.datetime(2021, 9, 18, 9, 30, tzinfo=LOCAL_TZ)
    item = actions.do_record_opinion(
        acting_user=world.tracer,
        summary="网传封控小区物资断供",
        platform="微博",
        area=world.village,
        found_at=found,
    )
    assert item.state == OpinionState.OPEN
    assert _value("publicity.opinion_open", world.county) == 1
    actions.do_follow_up_opinion(
        item,
        acting_user=world.village_member,
        note="转保供专班核实",
        now=found + dt.timedelta(hours=1),
    )
    item.refresh_from_db()
    assert item.state == OpinionState.FOLLOWING
    actions.do_follow_up_opinion(
        item,
        acting_user=world.tracer,
        note="物资配送正常，已发布澄清",
        resolve=True,
        now=found + dt.timedelta(hours=3),
    )
    item.refresh_from_db()
    assert item.state == OpinionState.RESOLVED and item.resolved_at == found + dt.timedelta(hours=3)
    assert _value("publicity.opinion_open", world.county) == 0
    with pytest.raises(ValidationError) as closed:
        actions.do_follow_up_opinion(item, acting_user=world.tracer, note="again")
    assert closed.value.messages == [
        "“网传封控小区物资断供” was resolved at 2021-09-18 12:30: it takes no more follow-up."
    ]
    with pytest.raises(PermissionDenied):
        actions.do_follow_up_opinion(item, acting_user=world.other_county_staff, note="x")
    assert [f.note for f in item.follow_ups.all()] == ["转保供专班核实", "物资配送正常，已发布澄清"]
    assert AuditEvent.objects.filter(action="publicity.opinion.follow_up").count() == 2


def test_the_pages_record_and_show_each_and_refuse_outsiders(world, client_for):
    page = client_for(world.commander)
    response = page.post(
        reverse("publicity:home"),
        {
            "title": "第一场新闻发布会",
            "held_at": "2021-09-17T10:00",
            "area": world.city.pk,
            "speakers": "副市长\n卫健委主任",
            "topics": "病例情况",
        },
    )
    assert response.status_code == 302
    assert "卫健委主任" in page.get(reverse("publicity:home")).content.decode()
    response = page.post(
        reverse("publicity:notices"),
        {"source": "", "title": "通告", "body": "正文", "area": world.county.pk},
    )
    notice = Notice.objects.get()
    assert response.status_code == 302
    page.post(reverse("publicity:notice", args=[notice.pk]), {"step": "approve"})
    page.post(
        reverse("publicity:notice", args=[notice.pk]),
        {
            "step": "publish",
            "published_on": timezone.localdate().isoformat(),
            "channel": "漳州发布",
        },
    )
    notice.refresh_from_db()
    assert notice.state == NoticeState.PUBLISHED
    response = page.post(
        reverse("publicity:media"),
        {
            "outlet": "闽南日报",
            "level": "local",
            "kind": "newspaper",
            "published_on": "2021-09-18",
            "count": 4,
            "area": world.county.pk,
        },
    )
    assert response.status_code == 302
    assert "闽南日报" in page.get(reverse("publicity:media")).content.decode()
    response = page.post(
        reverse("publicity:opinion"),
        {
            "summary": "网传停课",
            "platform": "微信群",
            "area": world.village.pk,
            "found_at": "2021-09-19T21:00",
        },
    )
    item = OpinionItem.objects.get()
    assert response.status_code == 302
    page.post(
        reverse("publicity:opinion-item", args=[item.pk]), {"note": "已澄清", "resolve": "on"}
    )
    item.refresh_from_db()
    assert item.state == OpinionState.RESOLVED
    other = client_for(world.other_county_staff)
    assert other.get(reverse("publicity:opinion-item", args=[item.pk])).status_code == 404
    assert other.get(reverse("publicity:notice", args=[notice.pk])).status_code == 404
    assert "网传停课" not in other.get(reverse("publicity:opinion")).content.decode()
    outsider = client_for(world.outsider)
    assert outsider.get(reverse("publicity:home")).status_code == 403
    # A leader reads, records nothing.
    leader = client_for(world.leader)
    assert leader.get(reverse("publicity:media")).status_code == 200
    before = MediaReport.objects.count()
    leader.post(
        reverse("publicity:media"),
        {
            "outlet": "x",
            "level": "local",
            "kind": "newspaper",
            "published_on": "2021-09-18",
            "count": 1,
            "area": world.city.pk,
        },
    )
    assert MediaReport.objects.count() == before


def test_the_api_records_and_reads_each(world, api_for):
    api = api_for(world.commander)
    made = api.post(
        "/api/v1/publicity/conferences/",
        {
            "title": "第二场新闻发布会",
            "held_at": "2021-09-20T10:00:00+08:00",
            "area": world.city.code,
            "speakers": "副市长\n商务局局长",
            "topics": "物资保障",
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["speaker_list"] == ["副市长", "商务局局长"]
    drafted = api.post(
        "/api/v1/publicity/notices/",
        {"title": "通告", "body": "正文", "area": world.county.code},
        format="json",
    )
    assert drafted.status_code == 201
    pk = drafted.json()["id"]
    assert (
        api.post(f"/api/v1/publicity/notices/{pk}/approve/", {}, format="json").status_code == 200
    )
    no_day = api.post(f"/api/v1/publicity/notices/{pk}/publish/", {}, format="json")
    assert no_day.status_code == 400 and "published_on" in no_day.json()
    published = api.post(
        f"/api/v1/publicity/notices/{pk}/publish/",
        {"published_on": timezone.localdate().isoformat(), "channel": "漳州发布"},
        format="json",
    )
    assert published.status_code == 200 and published.json()["state"] == "published"
    again = api.post(f"/api/v1/publicity/notices/{pk}/approve/", {}, format="json")
    assert again.status_code == 400 and "only a draft is approved" in json.dumps(again.json())
    media = api.post(
        "/api/v1/publicity/media/",
        {
            "outlet": "福建日报",
            "level": "provincial",
            "kind": "newspaper",
            "published_on": "2021-09-20",
            "count": 7,
            "area": world.city.code,
        },
        format="json",
    )
    assert media.status_code == 201
    assert api.get("/api/v1/publicity/media/").json()["total"] == 7
    opinion = api.post(
        "/api/v1/publicity/opinion/",
        {
            "summary": "网传停课",
            "platform": "微信群",
            "area": world.village.code,
            "found_at": "2021-09-19T21:00:00+08:00",
        },
        format="json",
    )
    assert opinion.status_code == 201
    followed = api.post(
        f"/api/v1/publicity/opinion/{opinion.json()['id']}/follow-up/",
        {"note": "已澄清", "resolve": True},
        format="json",
    )
    assert followed.status_code == 200 and followed.json()["state"] == "resolved"
    leader = api_for(world.leader)
    refused = leader.post(f"/api/v1/publicity/notices/{pk}/approve/", {}, format="json")
    assert refused.status_code == 403
    assert api_for(world.outsider).get("/api/v1/publicity/notices/").status_code == 403
    other = api_for(world.other_county_staff)
    assert other.get("/api/v1/publicity/opinion/").json() == []
    assert (
        other.post(
            f"/api/v1/publicity/opinion/{opinion.json()['id']}/follow-up/", {"note": "x"}
        ).status_code
        == 404
    )


def test_the_command_line(world, capsys):
    call_command(
        "publicity",
        "conference",
        "第三场新闻发布会",
        "--at",
        "2021-09-26 10:00",
        "--area",
        world.city.code,
        "--speaker",
        "副市长",
        "--speaker",
        "教育局局长",
        "--topic",
        "复课安排",
    )
    assert PressConference.objects.get().speaker_list() == ["副市长", "教育局局长"]
    call_command(
        "publicity", "draft", "--title", "通告", "--body", "正文", "--area", world.county.code
    )
    notice = Notice.objects.get()
    call_command("publicity", "approve", str(notice.pk))
    call_command("publicity", "publish", str(notice.pk), "--on", timezone.localdate().isoformat())
    notice.refresh_from_db()
    assert notice.state == NoticeState.PUBLISHED
    call_command(
        "publicity",
        "media",
        "漳州发布",
        "--level",
        "local",
        "--kind",
        "new_media",
        "--on",
        "2021-09-30",
        "--area",
        world.city.code,
        "--count",
        "12",
    )
    capsys.readouterr()
    call_command("publicity", "tally", "--json")
    assert json.loads(capsys.readouterr().out)["total"] == 12
    call_command(
        "publicity",
        "opinion",
        "网传停课",
        "--platform",
        "微信群",
        "--area",
        world.village.code,
        "--found",
        "2021-09-19 21:00",
    )
    item = OpinionItem.objects.get()
    call_command("publicity", "follow-up", str(item.pk), "已澄清", "--resolve")
    item.refresh_from_db()
    assert item.state == OpinionState.RESOLVED
    call_command("publicity", "notices")
    call_command("publicity", "opinions")
    out = capsys.readouterr().out
    assert "通告" in out and "网传停课" in out
    with pytest.raises(Exception, match=r"is before the notice was approved|published once"):
        call_command("publicity", "publish", str(notice.pk), "--on", "2021-01-01")
