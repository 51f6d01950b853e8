"""Publicity's step of the demo's replay of September 2021 (idempotent): the
article's three press conferences, a public notice drafted from each zone
decision (approved and published on its day), the article's tally of media
reports (46 central, 630+ provincial, 12,206 local) and two public-opinion
items, one followed up to its end.

The article gives the number of press conferences, not their days, speakers
or topics: those below are the story's (posts, no names)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area, AreaLevel

from . import actions, sources
from .models import MediaReport, Notice, OpinionItem, PressConference


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, 9, day, hour, minute, tzinfo=LOCAL_TZ)


CONFERENCES = [
    (
        "漳州市新冠肺炎疫情防控工作新闻发布会（第一场）",
        _at(17, 10),
        ["漳州市人民政府副市长", "漳州市卫生健康委员会主任", "漳州市疾病预防控制中心主任"],
        ["台商投资区新增病例情况", "风险区域划定与管控措施", "全员核酸检测安排"],
    ),
    (
        "漳州市新冠肺炎疫情防控工作新闻发布会（第二场）",
        _at(20, 10),
        ["漳州市人民政府副市长", "漳州市商务局局长", "漳州市交通运输局局长"],
        ["封控区生活物资保障", "交通查验站设置", "第二轮核酸检测结果"],
    ),
    (
        "漳州市新冠肺炎疫情防控工作新闻发布会（第三场）",
        _at(26, 10),
        ["漳州市人民政府副市长", "漳州市卫生健康委员会主任", "漳州市教育局局长"],
        ["连续多日无新增病例", "风险区域调整", "学校复课安排"],
    ),
]

#: The article's tally: 46 central, 630+ provincial, 12,206 local reports.
MEDIA = [
    ("新华社", "central", "online", 18),
    ("人民日报", "central", "newspaper", 12),
    ("中央广播电视总台", "central", "television", 16),
    ("福建日报", "provincial", "newspaper", 210),
    ("福建广播电视台", "provincial", "television", 180),
    ("东南网", "provincial", "online", 240),
    ("闽南日报", "local", "newspaper", 1206),
    ("漳州广播电视台", "local", "television", 1000),
    ("漳州发布", "local", "new_media", 10000),
]
MEDIA_DAY = dt.date(2021, 9, 30)

OPINION = [
    (
        "网传台商投资区封控小区生活物资断供",
        "微博",
        _at(18, 9, 30),
        [("联系封控区保供专班核实，物资配送正常，发布澄清说明", True)],
    ),
    ("网传漳州全市中小学停课", "微信群", _at(19, 21, 0), [("已转教育局核实，拟发布说明", False)]),
]

CHANNEL = "漳州发布"


def replay_publicity(*, acting_user) -> dict:
    city = Area.objects.filter(level=AreaLevel.CITY).order_by("path").first()
    if city is None:
        return {}
    for title, held_at, speakers, topics in CONFERENCES:
        if not PressConference.objects.filter(title=title).exists():
            actions.do_record_conference(
                acting_user=acting_user,
                title=title,
                held_at=held_at,
                area=city,
                place="漳州市人民政府新闻发布厅",
                speakers="\n".join(speakers),
                topics="\n".join(topics),
            )
    source = sources.get("zone_decision")
    drafts = source.provider.drafts(None, 200) if source is not None else []
    for draft in sorted(drafts, key=lambda d: d.at):
        if Notice.objects.filter(source_kind=draft.kind, source_key=draft.key).exists():
            continue
        notice = actions.do_draft_notice(
            acting_user=acting_user, source_kind=draft.kind, source_key=draft.key, now=draft.at
        )
        actions.do_approve_notice(notice, acting_user=acting_user, now=draft.at)
        actions.do_publish_notice(
            notice,
            acting_user=acting_user,
            published_on=draft.at.astimezone(LOCAL_TZ).date(),
            channel=CHANNEL,
        )
    if not MediaReport.objects.exists():
        for outlet, level, kind, count in MEDIA:
            actions.do_record_media_report(
                acting_user=acting_user,
                outlet=outlet,
                level=level,
                kind=kind,
                published_on=MEDIA_DAY,
                area=city,
                count=count,
                title="9月10日至30日报道合计",
            )
    for summary, platform, found_at, steps in OPINION:
        if OpinionItem.objects.filter(summary=summary).exists():
            continue
        item = actions.do_record_opinion(
            acting_user=acting_user,
            summary=summary,
            platform=platform,
            area=city,
            found_at=found_at,
        )
        for hours, (note, resolve) in enumerate(steps, start=1):
            actions.do_follow_up_opinion(
                item,
                acting_user=acting_user,
                note=note,
                resolve=resolve,
                now=found_at + dt.timedelta(hours=hours),
            )
    return {
        "press_conferences": PressConference.objects.count(),
        "notices": Notice.objects.count(),
        "media_reports": MediaReport.objects.aggregate(n=Sum("count"))["n"] or 0,
        "opinion_items": OpinionItem.objects.count(),
    }
