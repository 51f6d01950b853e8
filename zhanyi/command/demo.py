"""Build the demo: a synthetic city loaded through the product's own actions.

The city comes from ``zhanyi.engine.synth`` as Parquet; it is loaded with the
same import actions a data officer's upload uses, never by writing tables
directly, so the demo also exercises the product.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from zhanyi.accounts import demo as demo_accounts
from zhanyi.accounts.demo import NotADemoDatabase
from zhanyi.accounts.models import DemoDatabase, Headquarters, Role, TaskForceKind, User
from zhanyi.care.demo import replay_care
from zhanyi.checkpoints.demo import replay_checkpoints
from zhanyi.clinics.demo import replay_clinics
from zhanyi.coldchain.demo import replay_coldchain
from zhanyi.core import clock
from zhanyi.engine.synth import SynthConfig, generate
from zhanyi.livelihood.demo import replay_livelihood
from zhanyi.people import actions as people_actions
from zhanyi.people.demo import replay_health_codes
from zhanyi.people.models import Person
from zhanyi.places import actions as place_actions
from zhanyi.places.models import Area, AreaLevel
from zhanyi.publicity.demo import replay_publicity
from zhanyi.quarantine.demo import replay_quarantine
from zhanyi.screening.demo import replay_push_lists
from zhanyi.supplies.demo import replay_supplies
from zhanyi.teams.demo import replay_control, replay_teams
from zhanyi.testing.demo import replay_testing
from zhanyi.tracing.demo import replay_family_cluster, replay_family_sources
from zhanyi.tracing.models import Case
from zhanyi.vaccination.demo import replay_vaccination
from zhanyi.workforce.demo import replay_workforce
from zhanyi.zones.demo import replay_zones

from . import actions
from .models import Report

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DEFAULT_SEED = 20210916
#: When the zone's headquarters met (9月16日), in local time.
ZONE_HQ_ACTIVATED = dt.datetime(2021, 9, 16, 22, 0, tzinfo=SHANGHAI)
CITY_HQ_ACTIVATED = dt.datetime(2021, 9, 10, 20, 0, tzinfo=SHANGHAI)
#: The city's areas, places and people are loaded the morning before.
CITY_LOADED_AT = dt.datetime(2021, 9, 10, 8, 0, tzinfo=SHANGHAI)
#: The replay ends on 30 September: codes are decided as of then.
REPLAY_CLOCK = dt.datetime(2021, 9, 30, 12, 0, tzinfo=SHANGHAI)


@dataclass
class DemoResult:
    city_dir: Path
    built: bool
    counts: dict = field(default_factory=dict)
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)
    replay: dict = field(default_factory=dict)


def city_dir_for(scale: str, seed: int) -> Path:
    return Path(settings.DATA_DIR) / "city" / f"{scale}-{seed}"


def _rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def build_demo(
    *,
    scale: str = "small",
    seed: int = DEFAULT_SEED,
    fresh: bool = False,
    say: Callable[[str], None] = print,
    replay: bool = True,
) -> DemoResult:
    """Migrate, generate and load the city (unless this demo is loaded
    already), replay September 2021 on it (unless ``replay`` is false), then
    issue fresh passwords for the demo accounts."""
    # A bad scale is refused before anything is written (ValueError).
    cfg = SynthConfig.for_scale(_scale_arg(scale), seed=seed)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate_s"] = time.perf_counter() - t0

    marker = DemoDatabase.objects.filter(pk=1).first()
    if marker is None and Person.objects.exists():
        raise NotADemoDatabase(
            "This database holds data and is not a demo database: the demo will not "
            "overwrite it. Point ZHANYI_DATA_DIR or DATABASE_URL at an empty database."
        )
    same = marker is not None and marker.seed == seed and marker.scale == str(scale)
    city_dir = city_dir_for(str(scale), seed)
    result = DemoResult(city_dir=city_dir, built=not same or fresh)
    if same and not fresh:
        say(f"The demo city (scale {scale}, seed {seed}) is loaded already; reusing it.")
    else:
        if marker is not None or fresh:
            say("Emptying the previous demo database…")
            call_command("flush", verbosity=0, interactive=False)
        t = time.perf_counter()
        if not (city_dir / "manifest.json").exists():
            say(f"Generating the synthetic city (scale {scale}, seed {seed})…")
            generate(cfg, city_dir, progress=True)
        timings["synth_s"] = time.perf_counter() - t
        t = time.perf_counter()
        with clock.running_at(CITY_LOADED_AT):
            _load_city(city_dir, say)
        timings["load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        _ingest_companion_store(city_dir, say)
        timings["companions_s"] = time.perf_counter() - t
        demo_accounts.mark_demo_database(seed=seed, scale=str(scale))
    result.accounts = demo_accounts.create_demo_accounts(
        city_code=Area.objects.get(level=AreaLevel.CITY).code
    )
    if result.built and replay:
        t = time.perf_counter()
        result.replay = replay_outbreak(seed=seed, say=say)
        timings["replay_s"] = time.perf_counter() - t
    demo_accounts.join_task_forces()
    result.counts = (
        json.loads((city_dir / "manifest.json").read_text())
        if (city_dir / "manifest.json").exists()
        else {}
    )
    result.seconds = timings
    return result


class ReplayNeedsCity(RuntimeError):
    """The replay was asked for on a database without the city or its staff."""


def replay_on_loaded_city(*, seed: int = DEFAULT_SEED, say: Callable[[str], None] = print) -> dict:
    """Replay September 2021 on a city loaded through the importers (its
    division codes, register, staff and headquarters: docs/first-day.md) rather
    than by ``build_demo``: the city's own commander acts, and its staff of the
    investigation task force asks for the health codes. No demo account is
    made and the database is not marked as a demo."""
    city = Area.objects.filter(level=AreaLevel.CITY).first()
    if city is None or not Person.objects.exists():
        raise ReplayNeedsCity(
            "No city is loaded here: load its division codes and its register first "
            "(docs/first-day.md)."
        )
    staff = User.objects.filter(is_active=True)
    commander = staff.filter(role=Role.COMMANDER, jurisdiction=city).order_by("pk").first()
    if commander is None:
        raise ReplayNeedsCity(
            f"No active commander has {city.name} as jurisdiction: import the staff sheet "
            "(zhanyi user import FILE) first."
        )
    requester = (
        staff.filter(role=Role.STAFF, task_force__kind=TaskForceKind.INVESTIGATION)
        .order_by("pk")
        .first()
        or commander
    )
    return replay_outbreak(seed=seed, say=say, commander=commander, requester=requester)


def replay_outbreak(
    *,
    seed: int,
    say: Callable[[str], None] = print,
    commander: User | None = None,
    requester: User | None = None,
) -> dict:
    """Replay September 2021 on the loaded city, in the story's order, through
    each task force's own actions (see SCENARIO.md): the pushed lists from
    Putian, Xiamen and Quanzhou (from 10 Sep), the three cases of one family in
    the Taiwanese Investment Zone (16–17 Sep), then the school round and the
    sealed zone's daily rounds. Each step is idempotent. ``commander`` (the
    demo's commander by default) acts; ``requester`` (the demo's tracer) asks
    for the health codes."""
    commander = commander or User.objects.get(username="commander")
    requester = requester or User.objects.get(username="tracer")
    # On the story's clock, so what the replay writes is dated September 2021;
    # the story's last events are of the morning of the 30th.
    with clock.running_at(REPLAY_CLOCK):
        summary = _replay_steps(seed=seed, say=say, commander=commander, requester=requester)
        summary["story_now"] = timezone.now()
    return summary


def _replay_steps(*, seed: int, say: Callable[[str], None], commander: User, requester: User):
    reports = [replay_report(REPORT_SLOTS[0], say)]
    say("Replaying September 2021: pushed lists…")
    screening = replay_push_lists(acting_user=commander, seed=seed, say=say)
    reports.append(replay_report(REPORT_SLOTS[1], say))
    say("Replaying September 2021: the teams of 台商投资区 and 福龙社区…")
    teams = replay_teams(acting_user=commander, say=say)
    say("Replaying September 2021: the family cluster in 台商投资区…")
    family = replay_family_cluster(seed=seed, companion_store=companion_store_dir(), say=say)
    say("Replaying September 2021: the risk zones around the family…")
    zones = replay_zones(acting_user=commander, say=say)
    replay_family_sources(say=say)
    reports.append(replay_report(REPORT_SLOTS[2], say))
    say("Replaying September 2021: the school round and the sealed zone's rounds…")
    testing = replay_testing(acting_user=commander, seed=seed)
    # The village teams put everyone handed to them under control: the pushed
    # lists' people, the contacts and the positive tube's pool.
    teams.update(replay_control(acting_user=commander, say=say))
    reports.append(replay_report(REPORT_SLOTS[3], say))
    say("Replaying September 2021: quarantine sites and placements…")
    quarantine = replay_quarantine(acting_user=commander)
    say("Replaying September 2021: imported cold-chain food…")
    coldchain = replay_coldchain(acting_user=commander)
    say("Replaying September 2021: the supply network and a sealed home's order…")
    livelihood = replay_livelihood(acting_user=commander, seed=seed)
    say("Replaying September 2021: directives and supervision…")
    headquarters = replay_headquarters_work(commander)
    say("Replaying September 2021: press conferences, public notices, media reports…")
    publicity = replay_publicity(acting_user=commander)
    say("Replaying September 2021: vaccination (sites, the immunisation system's export)…")
    vaccination = replay_vaccination(acting_user=commander)
    say("Replaying September 2021: protective supplies…")
    supplies = replay_supplies(acting_user=commander)
    say("Replaying September 2021: traffic checkpoints and fishing ports…")
    checkpoints = replay_checkpoints(acting_user=commander, seed=seed)
    say("Replaying September 2021: health workers, volunteers, cadres and police deployed…")
    resident = compound_resident()
    workforce = replay_workforce(
        acting_user=commander, village=resident.village if resident else None
    )
    say("Replaying September 2021: fever clinics and pharmacies' buyers of fever medicine…")
    clinics = replay_clinics(acting_user=commander)
    say("Replaying September 2021: the cases at the designated hospital, some discharged…")
    care = replay_care(
        acting_user=commander,
        cases=[
            (c.person, c.reported_at)
            for c in Case.objects.filter(pk__in=family.cases).select_related("person")
        ],
    )
    say("Deciding every health code as of 30 September…")
    codes = replay_health_codes(as_of=REPLAY_CLOCK, requester=requester, say=say)
    return {
        "screening": screening,
        "tracing": {
            "cases": len(family.cases),
            "close_contacts": family.close_contacts,
            "secondary_contacts": family.secondary_contacts,
            "companions": family.companions,
        },
        "testing": testing,
        "quarantine": quarantine,
        "coldchain": coldchain,
        "zones": zones,
        "teams": teams,
        "livelihood": livelihood,
        "headquarters": headquarters,
        "publicity": publicity,
        "vaccination": vaccination,
        "supplies": supplies,
        "checkpoints": checkpoints,
        "workforce": workforce,
        "clinics": clinics,
        "care": care,
        "health_codes": codes,
        "reports": [r.pk for r in reports],
    }


#: The headquarters' directive of the story: the zone's testing task force to
#: finish the second round by the evening of 18 Sep; it is never reported done,
#: so it is overdue on the story's clock (30 Sep) and in the supervision ledger.
DIRECTIVE_TITLE = "台商投资区第二轮全员核酸检测9月18日20时前完成并报送结果"
DIRECTIVE_ISSUED = dt.datetime(2021, 9, 17, 22, 0, tzinfo=SHANGHAI)
DIRECTIVE_DUE = dt.datetime(2021, 9, 18, 20, 0, tzinfo=SHANGHAI)
SUPERVISION_GROUP = "第一督导组"
VISITED_AT = dt.datetime(2021, 9, 19, 10, 0, tzinfo=SHANGHAI)


def replay_headquarters_work(commander: User) -> dict:
    """The commander's directive to the zone (overdue from 18 Sep 20:00), and
    the first supervision group's visit to the zone with a finding whose
    rectification is late (idempotent)."""
    from .models import Directive, SupervisionGroup

    zone = Area.objects.filter(level=AreaLevel.COUNTY, name="台商投资区").first()
    if zone is None:
        return {}
    directive = Directive.objects.filter(title=DIRECTIVE_TITLE).first()
    if directive is None:
        hq = Headquarters.objects.filter(area=zone).first()
        task_force = hq.task_forces.filter(kind=TaskForceKind.TESTING).first() if hq else None
        directive = actions.do_issue_directive(
            acting_user=commander,
            title=DIRECTIVE_TITLE,
            body="各采样点延长采样时间，检测机构12小时内报告结果。",
            area=zone,
            task_force=task_force,
            due_at=DIRECTIVE_DUE,
            now=DIRECTIVE_ISSUED,
        )
        actions.do_acknowledge_directive(
            directive, acting_user=demo_accounts.DEMO_ACTOR, now=DIRECTIVE_ISSUED
        )
    group = SupervisionGroup.objects.filter(name=SUPERVISION_GROUP).first()
    if group is None:
        group = actions.do_create_group(
            acting_user=commander,
            name=SUPERVISION_GROUP,
            kind="supervision",
            area=Area.objects.get(level=AreaLevel.CITY),
            leader="市纪委监委",
        )
    visit = group.visits.first()
    if visit is None:
        village = Area.objects.filter(name="福龙社区", path__startswith=zone.path).first()
        visit = actions.do_record_visit(
            group,
            acting_user=demo_accounts.DEMO_ACTOR,
            area=village or zone,
            visited_at=VISITED_AT,
            place="万益学府花园卡口",
            notes="检查封控小区卡口值守与出入登记",
            now=VISITED_AT,
        )
        actions.do_add_finding(
            visit,
            acting_user=demo_accounts.DEMO_ACTOR,
            text="卡口夜间无人值守，出入登记不全",
            owner=TaskForceKind.LOCKDOWN,
            rectify_by=VISITED_AT + dt.timedelta(hours=24),
        )
    return {"directive": directive.pk, "group": group.pk, "visit": visit.pk}


#: The twice-daily reports the replay takes, each at its point in the story:
#: the city as loaded (14 Sep, noon), after the pushed lists (14 Sep, 20:00),
#: after the family cluster (17 Sep, 20:00), after the rounds (30 Sep, noon).
#: Figures have no clock of their own: each report counts what the replay has
#: written when it is taken.
REPORT_SLOTS = [
    dt.datetime(2021, 9, 14, 12, 0, tzinfo=SHANGHAI),
    dt.datetime(2021, 9, 14, 20, 0, tzinfo=SHANGHAI),
    dt.datetime(2021, 9, 17, 20, 0, tzinfo=SHANGHAI),
    dt.datetime(2021, 9, 30, 12, 0, tzinfo=SHANGHAI),
]

#: The replay takes each report as the scheduler does, just after its time.
REPORT_TAKEN_AFTER = dt.timedelta(minutes=2)


def replay_report(slot: dt.datetime, say: Callable[[str], None]) -> Report:
    """The report of ``slot``, taken unless it was (idempotent), a few minutes
    after its time in the story (the list of reports shows when each was taken)."""
    report = Report.objects.filter(scheduled_for=slot).first()
    if report is None:
        say(f"Taking the twice-daily report of {slot:%Y-%m-%d %H:%M}…")
        report = actions.do_take_report(
            acting_user=demo_accounts.DEMO_ACTOR,
            scheduled_for=slot,
            now=slot + REPORT_TAKEN_AFTER,
        )
    return report


def _scale_arg(scale: str) -> str | int:
    return int(scale) if str(scale).isdigit() else scale


def companion_store_dir() -> Path:
    return Path(settings.DATA_DIR) / "companions"


def _ingest_companion_store(city_dir: Path, say: Callable[[str], None]) -> None:
    """Load the city's phone stays into the companion store (时空伴随), as the
    data office would load a day's telecom data, so that ``zhanyi companions
    find`` answers on the demo city."""
    say("Loading the location stays into the companion store…")
    shutil.rmtree(companion_store_dir(), ignore_errors=True)
    call_command(
        "companions", "ingest", "--stays", str(city_dir), "--store", str(companion_store_dir())
    )


def compound_resident(name: str = "万益学府花园") -> Person | None:
    """A resident of the compound the article sealed, for the demo's hints."""
    return (
        Person.objects.filter(household__place__name=name, merged_into=None)
        .order_by("external_id")
        .first()
    )


def _load_city(city_dir: Path, say: Callable[[str], None]) -> None:
    say("Loading areas and places…")
    with transaction.atomic():
        place_actions.do_import_areas(
            acting_user=demo_accounts.DEMO_ACTOR,
            rows=_rows(city_dir / "areas.parquet"),
            source_ref=str(city_dir),
        )
        place_actions.do_import_places(
            acting_user=demo_accounts.DEMO_ACTOR,
            rows=_rows(city_dir / "places.parquet"),
            source_ref=str(city_dir),
        )
    say("Loading households and people…")
    counts = people_actions.do_import_persons(
        acting_user=demo_accounts.DEMO_ACTOR,
        households=_rows(city_dir / "households.parquet"),
        persons=_rows(city_dir / "people.parquet"),
        source="synthetic",
        source_ref=city_dir.name,
    )
    say(f"  {counts}")
    city = Area.objects.get(level=AreaLevel.CITY)
    city_hq = actions.do_set_up_headquarters(
        acting_user=demo_accounts.DEMO_ACTOR,
        area=city,
        name=f"{city.name}应对新冠肺炎疫情工作领导小组",
        activated_at=CITY_HQ_ACTIVATED,
        kinds=[TaskForceKind.COORDINATION],
    )
    zone = Area.objects.filter(level=AreaLevel.COUNTY, name="台商投资区").first()
    if zone is not None and not Headquarters.objects.filter(area=zone).exists():
        actions.do_set_up_headquarters(
            acting_user=demo_accounts.DEMO_ACTOR,
            area=zone,
            name=f"{zone.name}战疫指挥部",
            activated_at=ZONE_HQ_ACTIVATED,
            parent=city_hq,
        )
