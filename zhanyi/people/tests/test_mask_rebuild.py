"""A masked identity number cannot be rebuilt from what the same reader sees.

The attacker of issue 14 is a read-only leader (or a five-to-one team member)
who collects everything their role shows about one person: the page, the
search lists, the API, the edit form, the source records, and the answers of
the last-digits search (尾号) for every tail of the number. They know the
division code (the person's county) and the rules of the number (sex parity,
check character). The test counts the numbers consistent with all of it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import pytest

from zhanyi.accounts.models import Role
from zhanyi.accounts.roles import ROLE_CAPABILITIES
from zhanyi.engine.identity import check_char
from zhanyi.people.models import SourceRecord

from .factories import make_person, resident_id

NUMBER = resident_id("19850315", 124)  # a woman of 芗城区
MIN_CANDIDATES = 1000
_MASK = re.compile(r"[0-9X*]{18}")


def _seen_masks(texts: list[str]) -> set[str]:
    return {m for text in texts for m in _MASK.findall(text) if "*" in m}


def _birth_window(texts: list[str], birth: dt.date) -> list[dt.date]:
    """The birth dates the texts leave possible: one day if the date shows in any
    usual form, the month if year and month do, else the year."""
    blob = "\n".join(texts)
    day_forms = (
        birth.isoformat(),
        birth.strftime("%Y%m%d"),
        birth.strftime("%Y/%m/%d"),
        f"{birth.year}年{birth.month}月{birth.day}日",
    )
    if any(form in blob for form in day_forms):
        return [birth]
    days = calendar.monthrange(birth.year, birth.month)[1]
    if birth.strftime("%Y-%m") in blob or f"{birth.year}年{birth.month}月" in blob:
        return [birth.replace(day=d) for d in range(1, days + 1)]
    start = dt.date(birth.year, 1, 1)
    year_days = 366 if calendar.isleap(birth.year) else 365
    return [start + dt.timedelta(days=i) for i in range(year_days)]


def count_candidates(
    *, division: str, dates: list[dt.date], female: bool, masks: set[str], tails: set[str]
) -> int:
    """Valid resident numbers fitting every mask and tail that was seen."""
    count = 0
    for day in dates:
        for seq in range(0 if female else 1, 1000, 2):
            first17 = f"{division}{day:%Y%m%d}{seq:03d}"
            number = first17 + check_char(first17)
            if all(
                all(m == "*" or m == c for m, c in zip(mask, number, strict=True)) for mask in masks
            ) and all(number.endswith(t) for t in tails):
                count += 1
    return count


def _tails_answered(search, person_name: str) -> set[str]:
    """Every tail of 4 to 17 characters for which the search lists the person."""
    return {NUMBER[-k:] for k in range(4, 18) if person_name in search(NUMBER[-k:])}


@pytest.fixture
def person(world):
    person = make_person(world.village, "林秀英", identity_number=NUMBER, phone="+8613812345678")
    SourceRecord.objects.create(
        person=person,
        source="push",
        payload={"姓名": "林秀英", "出生日期": "1985-03-15", "证件号码": NUMBER, "性别": "女"},
    )
    return person


@pytest.mark.parametrize("persona", ["leader", "village_member"])
def test_what_a_masked_role_sees_fits_at_least_a_thousand_numbers(
    world, person, client_for, api_for, persona
):
    user = getattr(world, persona)
    web = client_for(user)
    api = api_for(user)
    texts = [
        web.get(f"/people/{person.pk}/").content.decode(),
        web.get("/people/", {"q": "林秀英"}).content.decode(),
        api.get(f"/api/v1/people/{person.pk}/").content.decode(),
        api.get("/api/v1/people/", {"q": "林秀英"}).content.decode(),
        api.get(f"/api/v1/people/{person.pk}/source-records/").content.decode(),
    ]
    if user.role == Role.FIELD:
        texts.append(web.get(f"/people/{person.pk}/edit/").content.decode())
    assert not any(NUMBER in text for text in texts)
    assert _seen_masks(texts), "the masked number is shown somewhere"

    tails = _tails_answered(lambda q: web.get("/people/", {"q": q}).content.decode(), "林秀英")
    tails |= _tails_answered(
        lambda q: api.get("/api/v1/people/", {"q": q}).content.decode(), "林秀英"
    )
    candidates = count_candidates(
        division=NUMBER[:6],
        dates=_birth_window(texts, person.birth_date),
        female=True,
        masks=_seen_masks(texts),
        tails=tails,
    )
    assert candidates >= MIN_CANDIDATES, candidates


def test_the_mask_still_tells_people_of_one_village_apart(world):
    from zhanyi.core.masking import mask_identity_number

    numbers = [resident_id("19850315", seq) for seq in range(100, 200)]
    assert len({mask_identity_number(n) for n in numbers}) > 50


def test_a_masked_role_still_finds_a_person_by_the_whole_number(world, person, client_for):
    page = client_for(world.leader).get("/people/", {"q": NUMBER}).content.decode()
    assert "林秀英" in page


def test_exports_and_the_audit_trail_go_only_to_roles_that_see_full_numbers():
    """The reply list and the audit trail carry full numbers (the origin needs them;
    searches are recorded as typed), so no role may hold ``export`` or ``view_audit``
    without ``view_identity``."""
    for role, caps in ROLE_CAPABILITIES.items():
        if caps & {"export", "view_audit"}:
            assert "view_identity" in caps, role
