"""The demo's tracing replay: three cases in one family in 台商投资区 (16–17 Sept 2021).

Called by the integrator after the synthetic city is loaded::

    from zhanyi.tracing.demo import replay_family_cluster
    result = replay_family_cluster(say=print)

Everything goes through the tracing actions a tracer would use (case entry,
trajectory, interview, exposures, expansion, quarantine, cases from positive
results, hospital transfer, investigation done), on the article's clock:

- 16 Sept 18:00: the index case, a resident of 万益学府花园 (福龙社区), is
  reported (onset 14 Sept, sampled 16 Sept 10:00); trajectory and interview;
  exposures with the household, with people of the zone at work, at meals,
  in vehicles and at places; the contacts of those close contacts;
  expansion at 21:00; close contacts in quarantine from 22:00.
- 17 Sept 08:00: two household members, close contacts in quarantine, are
  positive (asymptomatic): cases from their results; the secondary contacts
  reached through them become close contacts; expansion again; all three
  cases transferred to a hospital in Xiamen; investigations done in 24 h.
- Companions of the index case from the companion store, when there is one.

The number of contacts follows the city's scale: the article's 132 close and
970 secondary contacts times the city's share of the real population, but at
least 12 close and 60 secondary contacts so that a small demo city still shows
the work (and never more than the zone's people allow).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q

from zhanyi.accounts.demo import DEMO_ACTOR
from zhanyi.engine.synth.config import FULL_PEOPLE
from zhanyi.people.models import Household, Person
from zhanyi.places.models import Area, AreaLevel, Place
from zhanyi.tracing import actions
from zhanyi.tracing.models import Case, Contact, ContactKind, InfectionSource, SourceKind

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
ZONE, COMMUNITY, COMPOUND = "台商投资区", "福龙社区", "万益学府花园"
INDEX_SOURCE = "demo:tracing:index-case"
ARTICLE_CLOSE, ARTICLE_SECONDARY = 132, 970
MIN_CLOSE, MIN_SECONDARY = 12, 60
HOSPITAL = "厦门市新冠肺炎定点救治医院"
SETTINGS = ("workplace", "meal", "vehicle", "place_visit", "classroom")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, 9, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class FamilyClusterResult:
    cases: list[int] = field(default_factory=list)
    close_contacts: int = 0
    secondary_contacts: int = 0
    upgraded: int = 0
    companions: int = 0
    handoffs: int = 0
    replayed: bool = True


class DemoCityMissing(RuntimeError):
    """The loaded city has no 台商投资区 / 福龙社区 / family to replay."""


def _family() -> list[Person]:
    """Three members of one household of the compound (or of the community)."""
    live = Q(members__merged_into=None)
    for where in ({"place__name": COMPOUND}, {"village__name": COMMUNITY}):
        household = (
            Household.objects.filter(**where)
            .annotate(n=Count("members", filter=live))
            .filter(n__gte=3)
            .order_by("external_id", "pk")
            .first()
        )
        if household is not None:
            members = household.members.filter(merged_into=None).order_by("external_id", "pk")
            return list(members[:3])
    raise DemoCityMissing(f"no household of three in {COMPOUND} or {COMMUNITY}")


def _counts(pool_size: int) -> tuple[int, int]:
    share = Person.objects.filter(merged_into=None).count() / FULL_PEOPLE
    close = max(MIN_CLOSE, round(ARTICLE_CLOSE * share))
    secondary = max(MIN_SECONDARY, round(ARTICLE_SECONDARY * share))
    if close + secondary > pool_size:
        close = max(1, pool_size * close // (close + secondary))
        secondary = pool_size - close
    return close, secondary


def _expose(case, a, b, setting, when) -> None:
    actions.do_record_exposure(
        case, acting_user=DEMO_ACTOR, person_a=a, person_b=b, setting=setting, exposed_at=when
    )


def replay_family_cluster(
    *,
    seed: int = 20210916,
    companion_store: Path | None = None,
    say: Callable[[str], None] = print,
) -> FamilyClusterResult:
    """Replay the family cluster through the tracing actions; a second call
    finds the index case and changes nothing (``replayed=False``)."""
    existing = Case.objects.filter(source=INDEX_SOURCE).first()
    if existing is not None:
        say("Tracing: the family cluster is replayed already.")
        return _summary(existing, replayed=False)
    zone = Area.objects.filter(level=AreaLevel.COUNTY, name=ZONE).first()
    if zone is None:
        raise DemoCityMissing(f"no {ZONE} in the loaded city")
    with transaction.atomic():
        result = _replay(zone, seed, say)
    store = companion_store or Path(settings.DATA_DIR) / "companions"
    if store.exists():
        result.companions = actions.do_add_companions(
            Case.objects.get(source=INDEX_SOURCE),
            acting_user=DEMO_ACTOR,
            store_dir=store,
            as_of=at(17, 12),
            person_key="external_id",
        )
        say(f"Tracing: {result.companions} spatiotemporal companions of the index case.")
    return result


def _replay(zone: Area, seed: int, say: Callable[[str], None]) -> FamilyClusterResult:
    rng = random.Random(seed)
    index_person, *relatives = _family()
    household = list(
        index_person.household.members.filter(merged_into=None).exclude(pk=index_person.pk)
    )
    family_ids = {index_person.pk, *(p.pk for p in household)}
    pool = list(
        Person.objects.filter(village__path__startswith=zone.path, merged_into=None)
        .exclude(pk__in=family_ids)
        .order_by("external_id", "pk")
    )
    rng.shuffle(pool)
    n_close, n_secondary = _counts(len(pool))
    n_close = max(0, n_close - len(household))
    close_pool, secondary_pool = pool[:n_close], pool[n_close : n_close + n_secondary]

    say(f"Tracing: index case in {COMPOUND}, {len(household)} household members, …")
    index = actions.do_create_case(
        acting_user=DEMO_ACTOR,
        person=index_person,
        classification="confirmed",
        onset_date=dt.date(2021, 9, 14),
        sampled_at=at(16, 10),
        reported_at=at(16, 18),
        isolated_at=at(16, 18, 30),
        filed_at=at(16, 18, 40),
        notes="台商投资区首例",
        source=INDEX_SOURCE,
    )
    compound = Place.objects.filter(name=COMPOUND).first()
    for start, end, place, area, what in (
        (at(14, 7), at(14, 8), compound, None, ""),
        (at(14, 9), at(14, 12), None, zone, "工厂车间"),
        (at(15, 18), at(15, 19), None, index.area, "菜市场"),
        (at(16, 9), at(16, 10), None, zone, "发热门诊"),
    ):
        actions.do_add_trajectory_entry(
            index,
            acting_user=DEMO_ACTOR,
            start=start,
            end=end,
            place=place,
            area=area,
            description=what,
        )
    actions.do_add_interview(
        index,
        acting_user=DEMO_ACTOR,
        held_at=at(16, 19),
        interviewer="市流调队",
        summary="14日起发热；与家人同住；14–16日在区内工厂上班，乘通勤车，午餐在食堂。",
    )
    # The household: every evening together from the 12th.
    for member in household:
        for day in (13, 14, 15):
            _expose(index, index_person, member, "household", at(day, 20))
    for i, person in enumerate(close_pool):
        when = at(14 + i % 3, 8 + i % 10, (7 * i) % 60)
        _expose(index, index_person, person, SETTINGS[i % len(SETTINGS)], when)
    # Contacts of the close contacts before their quarantine (22:00 on the 16th);
    # the relatives' go through them: they will be upgraded.
    spreaders = [*relatives, *household[len(relatives) :], *close_pool] or [index_person]
    for i, person in enumerate(secondary_pool):
        via = spreaders[i % len(spreaders)]
        when = at(16, 19) if i % 2 else at(15, 21, i % 60)
        _expose(index, via, person, SETTINGS[(i + 2) % len(SETTINGS)], when)

    first = actions.do_expand_contacts([index], acting_user=DEMO_ACTOR, as_of=at(16, 21))
    for contact in Contact.objects.filter(case=index, kind=ContactKind.CLOSE):
        actions.do_mark_quarantined(contact, acting_user=DEMO_ACTOR, quarantined_at=at(16, 22))
    say(
        f"Tracing: {first.new_close} close and {first.new_secondary} secondary contacts, "
        f"{first.handoffs} hand-offs."
    )

    cases = [index]
    for n, relative in enumerate(relatives, start=1):
        cases.append(
            actions.do_create_case_from_result(
                person=relative,
                sampled_at=at(17, 2),
                reported_at=at(17, 8),
                source=f"demo:tracing:family-{n}",
                acting_user=DEMO_ACTOR,
                filed_at=at(17, 8, 30),
            )
        )
    second = actions.do_expand_contacts(cases, acting_user=DEMO_ACTOR, as_of=at(17, 10))
    for case in cases:
        actions.do_update_case(
            case, acting_user=DEMO_ACTOR, hospital=HOSPITAL, transferred_at=at(17, 14)
        )
        actions.do_complete_investigation(
            case, acting_user=DEMO_ACTOR, at=case.reported_at + dt.timedelta(hours=16)
        )
    say(f"Tracing: 3 cases in one family; {second.upgraded} secondary contacts upgraded.")
    return _summary(index, replayed=True, handoffs=first.handoffs + second.handoffs)


def _summary(index: Case, *, replayed: bool, handoffs: int = 0) -> FamilyClusterResult:
    cases = list(
        Case.objects.filter(source__startswith="demo:tracing:")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    contacts = Contact.objects.filter(case_id__in=cases)
    return FamilyClusterResult(
        cases=cases,
        close_contacts=contacts.filter(kind=ContactKind.CLOSE).values("person").distinct().count(),
        secondary_contacts=contacts.filter(kind=ContactKind.SECONDARY)
        .exclude(person__in=contacts.filter(kind=ContactKind.CLOSE).values("person"))
        .values("person")
        .distinct()
        .count(),
        upgraded=contacts.exclude(upgraded_at=None).count(),
        handoffs=handoffs,
        replayed=replayed,
    )


def replay_family_sources(*, say: Callable[[str], None] = print) -> int:
    """The family cluster's source (溯源): both relatives were infected by the index
    case, at home (their household exposure); the index case's own source stays
    under investigation. Idempotent: a source recorded already is kept."""
    index = Case.objects.filter(source=INDEX_SOURCE).first()
    if index is None:
        return 0
    recorded = 0
    for relative in Case.objects.filter(source__startswith="demo:tracing:family-"):
        if InfectionSource.objects.filter(case=relative).exists():
            continue
        actions.do_record_source(
            relative,
            acting_user=DEMO_ACTOR,
            kind=SourceKind.CASE,
            source_case=index,
            evidence="同住家庭成员：13–15日每晚与首例共同生活，17日核酸阳性（家庭聚集）。",
        )
        recorded += 1
    say(f"Tracing: the family cluster's source recorded for {recorded} cases.")
    return recorded
