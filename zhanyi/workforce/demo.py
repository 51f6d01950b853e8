"""The people in the field's step of the demo's replay of September 2021, at
the article's scale in headcounts (a row per area and kind, not a row per person):

- 1,621 health workers: 980 medics sampling, 300 quarantine site staff, 212
  clinic staff, 129 laboratory staff, over the counties;
- 370,000 volunteer person-times: 18,500 volunteers over the townships for the
  20 days from 11 September; 18,214 cadres and 10,472 police from 16 September;
- 457 temporary party branches keeping 5,790 party member posts;
- the 300-strong sampling team sent to Putian and Xiamen (back on 25 September)
  and the two 1,000-strong teams sent to Haicang and Huli;
- one day's roster of the sealed compound's village, imported from a workbook
  through the same path as a post's upload.

Idempotent: each part is made once.
"""

from __future__ import annotations

import datetime as dt
import io

from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area, AreaLevel
from zhanyi.workforce import actions
from zhanyi.workforce.models import (
    Deployment,
    Direction,
    ForceKind,
    MutualAidTeam,
    PartyBranch,
    RosterImport,
    Shift,
)

HEALTH = {
    ForceKind.SAMPLING: 980,
    ForceKind.QUARANTINE_SITE: 300,
    ForceKind.CLINIC: 212,
    ForceKind.LAB: 129,
}
FIELD = {ForceKind.VOLUNTEER: 18_500, ForceKind.CADRE: 18_214, ForceKind.POLICE: 10_472}
VOLUNTEERS_FROM = dt.datetime(2021, 9, 11, tzinfo=LOCAL_TZ)
VOLUNTEER_DAYS = 20
DEPLOYED_FROM = dt.datetime(2021, 9, 16, 8, 0, tzinfo=LOCAL_TZ)
BRANCHES, POSTS = 457, 5_790
ROSTER_DAY = dt.date(2021, 9, 18)
ROSTER_FILE = "福龙社区排班表-2021-09-18.xlsx"


def _split(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` whole shares that add up to it exactly."""
    share, extra = divmod(total, parts)
    return [share + (1 if i < extra else 0) for i in range(parts)]


def _deployments(acting_user) -> int:
    if Deployment.objects.exists():
        return 0
    counties = list(Area.objects.filter(level=AreaLevel.COUNTY).order_by("path"))
    townships = list(Area.objects.filter(level=AreaLevel.TOWNSHIP).order_by("path"))
    made = 0
    for kind, total in HEALTH.items():
        for county, count in zip(counties, _split(total, len(counties)), strict=True):
            if count:
                actions.do_deploy(
                    area=county,
                    kind=kind,
                    headcount=count,
                    since=DEPLOYED_FROM,
                    post=str(ForceKind(kind).label),
                    acting_user=acting_user,
                )
                made += 1
    for kind, total in FIELD.items():
        volunteer = kind == ForceKind.VOLUNTEER
        since = VOLUNTEERS_FROM if volunteer else DEPLOYED_FROM
        until = since + dt.timedelta(days=VOLUNTEER_DAYS) if volunteer else None
        for township, count in zip(townships, _split(total, len(townships)), strict=True):
            if count:
                actions.do_deploy(
                    area=township,
                    kind=kind,
                    headcount=count,
                    since=since,
                    until=until,
                    shift=Shift.DAY if volunteer else Shift.ALL_DAY,
                    acting_user=acting_user,
                )
                made += 1
    return made


def _branches(acting_user) -> int:
    if PartyBranch.objects.exists():
        return 0
    villages = list(Area.objects.filter(level=AreaLevel.VILLAGE).order_by("path"))
    for n, posts in enumerate(_split(POSTS, BRANCHES)):
        village = villages[n % len(villages)]
        actions.do_add_branch(
            name=f"{village.name}战疫一线临时党支部{n // len(villages) + 1}",
            area=village,
            members=posts + 3,
            posts=posts,
            established_at=DEPLOYED_FROM,
            acting_user=acting_user,
        )
    return BRANCHES


TEAMS = [
    (
        "核酸采样支援队（莆田仙游、厦门同安、集美）",
        300,
        "莆田市仙游县、厦门市同安区、集美区",
        dt.datetime(2021, 9, 12, 7, 0, tzinfo=LOCAL_TZ),
        dt.datetime(2021, 9, 25, 18, 0, tzinfo=LOCAL_TZ),
    ),
    (
        "第一批核酸检测支援队（海沧）",
        1_000,
        "厦门市海沧区",
        dt.datetime(2021, 9, 20, 6, 0, tzinfo=LOCAL_TZ),
        None,
    ),
    (
        "第二批核酸检测支援队（湖里）",
        1_000,
        "厦门市湖里区",
        dt.datetime(2021, 9, 21, 6, 0, tzinfo=LOCAL_TZ),
        None,
    ),
]


def _teams(acting_user) -> int:
    city = Area.objects.filter(level=AreaLevel.CITY).first()
    made = 0
    for name, headcount, counterpart, left, back in TEAMS:
        if city is None or MutualAidTeam.objects.filter(name=name).exists():
            continue
        team = actions.do_register_team(
            name=name,
            direction=Direction.LEAVING,
            kind=ForceKind.SAMPLING,
            headcount=headcount,
            counterpart=counterpart,
            area=city,
            acting_user=acting_user,
        )
        actions.do_move_team(team, step="start", now=left, acting_user=acting_user)
        if back:
            actions.do_move_team(team, step="end", now=back, acting_user=acting_user)
        made += 1
    return made


def roster_workbook(village: Area) -> bytes:
    """A post's roster as staff send it: Chinese headers, one row per person and shift."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机", "单位", "类别", "区域", "岗位", "日期", "班次"])
    people = [
        ("陈医生", "13905960001", "市医院", "采样", "万益学府花园采样点", "白班"),
        ("林护士", "13905960002", "市医院", "采样", "万益学府花园采样点", "白班"),
        ("黄护士", "13905960003", "市医院", "采样", "万益学府花园采样点", "夜班"),
        ("郑志愿", "13905960004", "台商投资区团委", "志愿者", "万益学府花园东门", "白班"),
        ("吴志愿", "13905960005", "台商投资区团委", "志愿者", "万益学府花园东门", "夜班"),
        ("蔡警官", "13905960006", "角美派出所", "公安", "万益学府花园东门", "全天"),
        ("许干部", "0596-1234567", "市直机关", "机关干部", "万益学府花园东门", "白班"),
    ]
    for name, phone, unit, kind, post, shift in people:
        sheet.append([name, phone, unit, kind, village.code, post, ROSTER_DAY, shift])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _roster(acting_user, village: Area | None) -> dict:
    if village is None or RosterImport.objects.filter(filename=ROSTER_FILE).exists():
        return {}
    result = actions.do_import_roster(
        io.BytesIO(roster_workbook(village)), ROSTER_FILE, acting_user=acting_user
    )
    return {"stored": result.stored, "warnings": len(result.warnings), "errors": len(result.errors)}


def replay_workforce(*, acting_user, village: Area | None = None) -> dict:
    """Deployments, party branches, mutual-aid teams and a day's roster."""
    return {
        "deployments_made": _deployments(acting_user),
        "branches_made": _branches(acting_user),
        "teams_made": _teams(acting_user),
        "roster": _roster(acting_user, village),
    }
