"""The testing part of the demo replay: the school round and the sealed zone's rounds.

Called by the demo after the city is loaded::

    from zhanyi.testing.demo import replay_testing
    summary = replay_testing(acting_user=DEMO_ACTOR, seed=seed)

The article: a first round for every school (13 September 2021; pupils and
staff, 1,083,000 people at full scale) at 10-in-1, and the sealed zone's
people tested again and again (nine times in the article) in single tubes.
The replay, through the product's own actions:

- two labs, and a sampling site at each school (or in each village that has
  pupils but no school);
- the school round: everyone aged 6 to 18 in the city, 10-in-1; a few
  percent left unsampled so coverage has gaps to show; a few bedridden
  pupils exempt; all tubes delivered, received and reported negative,
  except one positive pool, whose people get single-tube re-sampling and
  isolation hand-offs; their re-samples come back negative;
- the sealed zone: a daily schedule over the residents of the sealed
  compound (万益学府花园 in the demo city), single tubes, from 12 September
  for ``sealed_days`` days, each day's round sampled and reported negative.

Everything is dated in September 2021 and drawn from ``seed``; a second call
creates nothing new (it finds its rounds by name and returns their summary).
"""

from __future__ import annotations

import datetime as dt
import random

from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.models import Person
from zhanyi.places.models import Area, AreaLevel, Place, PlaceKind
from zhanyi.testing import actions
from zhanyi.testing.models import Lab, RoundTarget, SamplingSite, Schedule, TestingRound, Tube

SCHOOL_ROUND = "全市学校核酸检测第一轮"
SEALED_SCHEDULE = "封控区每日核酸检测"
SCHOOL_START = dt.datetime(2021, 9, 13, 6, 0, tzinfo=LOCAL_TZ)
SEALED_START = dt.datetime(2021, 9, 12, 7, 0, tzinfo=LOCAL_TZ)


def _labs(city: Area, acting_user) -> list[Lab]:
    labs = []
    for code, name in (("ZZ-CDC", "漳州市疾控中心实验室"), ("ZZ-H1", "漳州市医院检验科")):
        lab = Lab.objects.filter(code=code).first() or actions.do_create_lab(
            acting_user=acting_user, code=code, name=name, area=city, daily_capacity=60_000
        )
        labs.append(lab)
    return labs


def _site_for(village_id: int, schools: dict[int, Place], acting_user, cache: dict) -> int:
    if village_id in cache:
        return cache[village_id]
    place = schools.get(village_id)
    area = Area.objects.get(pk=village_id)
    name = f"{place.name}采样点" if place else f"{area.name}采样点"
    site = SamplingSite.objects.filter(area=area, name=name).first() or actions.do_create_site(
        acting_user=acting_user, name=name, area=area, place=place
    )
    cache[village_id] = site.pk
    return site.pk


def _sample_and_report(
    round_: TestingRound,
    targets: list[tuple[int, int]],
    *,
    labs: list[Lab],
    site_of_village,
    acting_user,
    rng: random.Random,
    prefix: str,
    positive_pools: int = 0,
) -> dict:
    """Sample ``targets`` (person, village) into tubes, deliver, receive, report."""
    k = round_.pool_size
    by_village: dict[int, list[int]] = {}
    for pid, vid in targets:
        by_village.setdefault(vid, []).append(pid)
    uploads = []
    n = 0
    for vid, pids in sorted(by_village.items()):
        site_id = site_of_village(vid)
        for i in range(0, len(pids), k):
            at = round_.starts_at + dt.timedelta(minutes=rng.randint(0, 10 * 60))
            uploads.append(
                actions.TubeUpload(
                    barcode=f"{prefix}{n:06d}",
                    site_id=site_id,
                    person_ids=tuple(pids[i : i + k]),
                    sampled_at=at,
                    closed_at=at,
                )
            )
            n += 1
    actions.do_import_samples(acting_user=acting_user, round=round_, tubes=uploads)
    sites = {s.pk: s for s in SamplingSite.objects.filter(pk__in={u.site_id for u in uploads})}
    by_site: dict[int, list] = {}
    for u in uploads:
        by_site.setdefault(u.site_id, []).append(u)
    for j, (site_id, ups) in enumerate(sorted(by_site.items())):
        lab = labs[j % len(labs)]
        last = max(u.sampled_at for u in ups)
        delivered = last + dt.timedelta(minutes=rng.randint(30, 120))
        batch = actions.do_deliver(
            acting_user=acting_user,
            site=sites[site_id],
            lab=lab,
            barcodes=[u.barcode for u in ups],
            code=f"{prefix}BOX{j:04d}",
            delivered_at=delivered,
        )
        actions.do_receive_batch(
            batch,
            acting_user=acting_user,
            received_at=delivered + dt.timedelta(minutes=rng.randint(20, 60)),
        )
    positive = set(rng.sample([u.barcode for u in uploads], min(positive_pools, len(uploads))))
    lab_of = dict(Tube.objects.filter(round=round_).values_list("barcode", "batch__lab_id"))
    received = dict(Tube.objects.filter(round=round_).values_list("barcode", "received_at"))
    for lab in labs:
        rows = []
        for i, u in enumerate(uploads):
            if lab_of[u.barcode] != lab.pk:
                continue
            tested = received[u.barcode] + dt.timedelta(minutes=rng.randint(60, 300))
            rows.append(
                actions.ResultRow(
                    i + 1,
                    u.barcode,
                    "positive" if u.barcode in positive else "negative",
                    tested,
                    tested + dt.timedelta(minutes=rng.randint(5, 40)),
                )
            )
        if rows:
            actions.do_record_results(
                acting_user=acting_user,
                lab=lab,
                rows=rows,
                via="file",
                filename=f"{prefix}{lab.code}.csv",
            )
    return {"tubes": len(uploads), "positive_pools": sorted(positive)}


def _resample_negative(pool_barcodes, *, labs, acting_user, rng: random.Random) -> int:
    """The people of positive pools, re-sampled one by one: all negative."""
    done = 0
    for barcode in pool_barcodes:
        pool = Tube.objects.select_related("site").get(barcode=barcode)
        reported = pool.reported_at
        singles = []
        for s in pool.samples.order_by("person_id"):
            single = f"R{barcode}-{s.person_id}"
            actions.do_scan(
                acting_user=acting_user,
                barcode=single,
                codes=[actions.qr_payload(s.person_id)],
                site=pool.site,
                purpose="resample",
                pool_size=1,
                sampled_at=reported + dt.timedelta(minutes=40),
            )
            singles.append(single)
        delivered = reported + dt.timedelta(minutes=80)
        batch = actions.do_deliver(
            acting_user=acting_user,
            site=pool.site,
            lab=labs[0],
            barcodes=singles,
            code=f"R{barcode}",
            delivered_at=delivered,
        )
        actions.do_receive_batch(
            batch, acting_user=acting_user, received_at=delivered + dt.timedelta(minutes=20)
        )
        tested = delivered + dt.timedelta(minutes=90)
        actions.do_record_results(
            acting_user=acting_user,
            lab=labs[0],
            rows=[
                actions.ResultRow(i + 1, b, "negative", tested, tested + dt.timedelta(minutes=10))
                for i, b in enumerate(singles)
            ],
            via="api",
        )
        done += len(singles)
    return done


def replay_testing(
    *,
    acting_user,
    seed: int = 20210910,
    compound: str = "万益学府花园",
    sealed_days: int = 9,
    unsampled_share: float = 0.03,
) -> dict:
    """Replay the school round and the sealed zone's daily rounds; return a summary."""
    rng = random.Random(seed)
    city = Area.objects.get(level=AreaLevel.CITY)
    labs = _labs(city, acting_user)
    schools = {}
    for p in Place.objects.filter(kind=PlaceKind.SCHOOL).order_by("id"):
        schools.setdefault(p.area_id, p)
    cache: dict[int, int] = {}

    def site_of(vid: int) -> int:
        return _site_for(vid, schools, acting_user, cache)

    summary: dict = {}
    school = TestingRound.objects.filter(name=SCHOOL_ROUND).first()
    if school is None:
        school = actions.do_create_round(
            acting_user=acting_user,
            name=SCHOOL_ROUND,
            kind="schools",
            scope_areas=[city],
            starts_at=SCHOOL_START,
            ends_at=SCHOOL_START + dt.timedelta(days=2),
            pool_size=10,
            min_age=6,
            max_age=18,
        )
        targets = list(
            RoundTarget.objects.filter(round=school)
            .order_by("person_id")
            .values_list("person_id", "village_id")
        )
        exempt = [pid for pid, _v in rng.sample(targets, min(3, len(targets)))]
        if exempt:
            actions.do_set_exempt(
                school, exempt, reason="卧床，上门采样另计", acting_user=acting_user
            )
        skip = set(exempt) | {
            pid for pid, _v in rng.sample(targets, int(len(targets) * unsampled_share))
        }
        sampled = [(p, v) for p, v in targets if p not in skip]
        out = _sample_and_report(
            school,
            sampled,
            labs=labs,
            site_of_village=site_of,
            acting_user=acting_user,
            rng=rng,
            prefix="XX",
            positive_pools=1 if sampled else 0,
        )
        _resample_negative(out["positive_pools"], labs=labs, acting_user=acting_user, rng=rng)
    summary["school_round"] = school.pk

    place = Place.objects.filter(name=compound).first()
    if place is None:
        raise ValueError(f"the demo city has no compound named {compound!r}")
    schedule = Schedule.objects.filter(name=SEALED_SCHEDULE).first()
    if schedule is None:
        schedule = actions.do_create_schedule(
            acting_user=acting_user,
            name=SEALED_SCHEDULE,
            kind="sealed_zone",
            scope_places=[place],
            every_days=1,
            starts_at=SEALED_START,
            ends_at=SEALED_START + dt.timedelta(days=sealed_days),
            pool_size=1,
        )
        rounds = actions.do_run_schedule(
            schedule, until=SEALED_START + dt.timedelta(days=sealed_days), acting_user=acting_user
        )
        for r in rounds:
            targets = list(r.targets.order_by("person_id").values_list("person_id", "village_id"))
            _sample_and_report(
                r,
                targets,
                labs=labs,
                site_of_village=site_of,
                acting_user=acting_user,
                rng=rng,
                prefix=f"FK{r.number:02d}",
            )
    summary["sealed_rounds"] = list(schedule.rounds.order_by("number").values_list("pk", flat=True))
    summary["sealed_people"] = Person.objects.filter(
        household__place=place, merged_into=None
    ).count()
    summary["tubes"] = Tube.objects.filter(round__in=[school.pk, *summary["sealed_rounds"]]).count()
    return summary
