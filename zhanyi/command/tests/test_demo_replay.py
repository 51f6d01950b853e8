"""The demo's replay of September 2021, built once and checked task force by
task force.

Building the demo city and replaying the story through every app's actions
takes most of a minute on this machine, so one test builds it and the checks
below read what it made, in the story's order. The teams' check moves a case
to another team and closes a control item, so it runs last."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import translation

from zhanyi.accounts.models import Headquarters, User
from zhanyi.command import demo, queries
from zhanyi.command.models import Directive, Report
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.people.models import Person, SourceRecord
from zhanyi.places.models import Area, Place
from zhanyi.publicity.models import Notice
from zhanyi.screening.models import ScreeningTask
from zhanyi.teams.demo import LEFT_OPEN
from zhanyi.teams.models import ControlRecord, Team
from zhanyi.tracing.demo import replay_family_cluster
from zhanyi.tracing.models import Case, Contact, InfectionSource
from zhanyi.zones.models import ZoneEvent

from . import figures_parity

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_builds_the_city_and_replays_the_story(settings, tmp_path, client):
    settings.DATA_DIR = tmp_path
    lines: list[str] = []
    result = demo.build_demo(scale="1500", seed=7, say=lines.append)
    assert result.built
    the_city_is_built_and_its_logins_work(result, tmp_path, client)
    the_map_shows_the_articles_zones_at_their_level_with_sites_and_cases(client)
    the_family_cluster_is_replayed_once_with_contacts_hand_offs_and_companions(tmp_path)
    each_figure_for_many_areas_is_each_areas_own()
    the_teams_assign_the_cases_close_control_and_trace_the_source(settings, client)
    each_persona_lands_on_its_own_work(client)


def each_figure_for_many_areas_is_each_areas_own() -> None:
    """The report computes some figures once for all its areas (one grouped
    query, ``metrics.for_areas``): on the replayed city each gives every
    area, nested ones too, what the figure gives that area alone."""
    assert figures_parity.differences() == []


def each_persona_lands_on_its_own_work(client) -> None:
    """The printed logins of the task forces' desks and phones: each persona
    is in its task force after the replay and starts on its own page."""
    expected = {
        "checkpoint": "/checkpoints/check/",
        "sampler": "/testing/scan/",
        "quarantine": "/quarantine/",
        "supplies": "/supplies/",
        "tracer": "/tracing/",
    }
    for username, path in expected.items():
        user = User.objects.get(username=username)
        assert user.task_force is not None, username
        client.force_login(user)
        page = client.get(reverse("accounts:landing"), follow=True)
        assert page.status_code == 200 and page.request["PATH_INFO"] == path, username
    # The checkpoint officer's form offers the zone's stations.
    client.force_login(User.objects.get(username="checkpoint"))
    form = client.get("/checkpoints/check/").content.decode()
    assert "<option" in form


def the_city_is_built_and_its_logins_work(result, data_dir, client) -> None:
    """The city, the replay's figures by task force, the reports, the
    supervision ledger, the companion store and the printed logins."""
    assert result.built
    synthetic = SourceRecord.objects.filter(source="synthetic")
    assert synthetic.count() == result.counts["people"] > 1000
    # The replay of September 2021 ran through each task force's actions:
    # pushed lists (some people not in the index become new persons), the
    # family of three cases with contacts, the testing rounds, the codes.
    replay = result.replay
    assert replay["screening"]["records"] > 0
    assert Person.objects.count() >= synthetic.count()
    assert replay["tracing"]["cases"] == 3
    assert replay["tracing"]["close_contacts"] > 0
    assert replay["testing"]
    assert replay["health_codes"]
    # The article's 1,422 cold-chain batches, one positive sample traced; the
    # supplies desk's days of cover with their alerts.
    assert replay["coldchain"]["imported"] == 1422 and replay["coldchain"]["traced_people"] == 5
    assert replay["supplies"]["alerts_open"] > 0
    # The family's cases at the designated hospital: two discharged on the 27th.
    assert replay["care"] == {"admitted": 3, "discharged": 2}
    # The twice-daily reports at their points of the story: the 20:00 report
    # of 14 September shows the pushed lists as the change since noon.
    reports = [Report.objects.get(pk=pk) for pk in replay["reports"]]
    assert [f"{r}" for r in reports][:2] == ["2021-09-14 12:00", "2021-09-14 20:00"]
    # Taken in the story, just after their time (the list shows when each was taken).
    assert all(r.taken_at == r.scheduled_for + demo.REPORT_TAKEN_AFTER for r in reports)
    # Everything the build and the replay wrote is dated in the story, up to
    # the moment the demo is served from.
    from zhanyi.supplies.models import CoverAlert

    for model, at in ((Person, "created_at"), (Handoff, "created_at"), (CoverAlert, "raised_at")):
        oldest, newest = model.objects.aggregate(a=Min(at), b=Max(at)).values()
        assert demo.CITY_LOADED_AT <= oldest <= newest <= replay["story_now"], model
    assert demo.REPLAY_CLOCK <= replay["story_now"] < demo.REPLAY_CLOCK + dt.timedelta(hours=2)
    evening = reports[1].figures.get(area__level="city", name="screening.records")
    assert evening.previous_value == 0 and evening.change == evening.value > 0
    assert Area.objects.filter(level="county").count() == 16
    assert Area.objects.filter(name="福龙社区").exists()
    assert Place.objects.filter(name="万益学府花园").exists()
    zone_hq = Headquarters.objects.get(area__name="台商投资区")
    assert zone_hq.task_forces.count() == 10
    # The commander's directive of 17 Sep (due 18 Sep 20:00, never done) is
    # overdue on the story's clock; the supervision ledger lists it with the
    # late rectification of the first group's finding and the apps' late work.
    directive = Directive.objects.get(pk=replay["headquarters"]["directive"])
    assert directive.is_overdue(demo.REPLAY_CLOCK) and directive.task_force.kind == "testing"
    ledger = queries.ledger(None, now=demo.REPLAY_CLOCK)
    late = {r.item.deadline for r in ledger.open}
    assert {"command.directive", "command.rectification"} <= late
    # The five-to-one teams found the pushed lists' people within two hours
    # and put them under control: on 30 September a few are still open (the
    # phone's list, people not found yet), not the lists of 10 and 13 Sep.
    open_by_deadline = Counter(r.item.deadline for r in ledger.open)
    few = max(3, 0.05 * ScreeningTask.objects.count())
    assert open_by_deadline["screening.task"] <= few
    assert open_by_deadline["teams.control"] <= LEFT_OPEN + few
    # Publicity: the article's three press conferences and media tally, and a
    # notice published for each zone decision.
    assert replay["publicity"]["press_conferences"] == 3
    assert replay["publicity"]["media_reports"] == 46 + 630 + 12206
    published = Notice.objects.filter(source_kind="zone_decision", state="published")
    assert published.count() == ZoneEvent.objects.exclude(notice="").count() > 0

    # The phone stays are in the companion store: the command line answers.
    resident = demo.compound_resident()
    out = data_dir / "companions.csv"
    call_command(
        "companions",
        "find",
        "--case",
        str(resident.external_id),
        "--onset",
        "2021-09-14",
        "--isolated",
        "2021-09-16T22:00",
        "--format",
        "csv",
        "--output",
        str(out),
    )
    assert len(out.read_text().splitlines()) > 1

    username, _role, _area, password = result.accounts[0]
    assert client.login(username=username, password=password)
    assert client.get("/").status_code == 200
    commander = next(a for a in result.accounts if a[0] == "commander")
    assert client.login(username=commander[0], password=commander[3])
    page = client.get(f"/directives/{directive.pk}/").content.decode()
    assert demo.DIRECTIVE_TITLE in page and "已超时" in page


def the_map_shows_the_articles_zones_at_their_level_with_sites_and_cases(client) -> None:
    """The zones map on the story's clock: the sealed compound a point, the
    controlled development zone and the eight prevention units by their
    boundaries, the medium-risk community by its own; the family's cases at
    home (dots on the wall screen), the quarantine sites with rooms taken,
    the checkpoints with a day's flow and the testing sites."""
    from zhanyi.checkpoints.models import Check
    from zhanyi.places import map_layers
    from zhanyi.zones.demo import COMMUNITY, PREVENTION

    at = demo.REPLAY_CLOCK
    zones = map_layers.get("zones").fn(None, at, False)
    by_tier: dict[str, list[tuple[str, str, str]]] = {}
    for f in zones:
        p = f["properties"]
        by_tier.setdefault(p["tier"], []).append((p["level"], p["name"], f["geometry"]["type"]))
    assert by_tier["sealed"] == [("place", "万益学府花园", "Point")]
    assert by_tier["controlled"] == [("county", "台商投资区", by_tier["controlled"][0][2])]
    assert by_tier["controlled"][0][2] in ("Polygon", "MultiPolygon")
    assert by_tier["medium_risk"][0][:2] == ("village", COMMUNITY)
    assert {name for level, name, _kind in by_tier["prevention"] if level == "county"} == set(
        PREVENTION
    )
    assert all(kind != "Point" for _level, _name, kind in by_tier["prevention"])
    # Weaker tiers are drawn first, the sealed compound last, over them.
    assert zones[-1]["properties"]["tier"] == "sealed"
    answer = client.get("/api/v1/command/map/cases/", {"masked": "1", "at": at.isoformat()})
    assert answer.status_code == 200
    cases = answer.json()["features"]
    assert cases and all("name" not in f["properties"] for f in cases)
    named = client.get("/api/v1/command/map/cases/", {"at": at.isoformat()}).json()["features"]
    assert {f["properties"]["name"] for f in named} <= set(
        Case.objects.values_list("person__name", flat=True)
    )
    assert AuditEvent.objects.filter(action="command.map.view").count() == 1
    sites = map_layers.get("quarantine_sites").fn(None, at, False)
    assert sites and sum(f["properties"]["occupied"] for f in sites) > 0
    assert all(f["properties"]["rooms"] > 0 for f in sites)
    # Each site is drawn inside its own county's outline (within a street's width).
    from shapely.geometry import Point, shape

    from zhanyi.quarantine.models import Site

    for site in Site.objects.select_related("area").exclude(area__boundary=None):
        outline = shape(site.area.boundary).buffer(0.002)
        assert outline.contains(Point(site.lon, site.lat)), site.name
    busiest = Check.objects.order_by("-checked_at").values_list("checked_at", flat=True).first()
    stations = map_layers.get("checkpoints").fn(None, busiest, False)
    assert stations and sum(f["properties"]["vehicles"] for f in stations) > 0
    assert map_layers.get("testing_sites").fn(None, at, False)


def the_family_cluster_is_replayed_once_with_contacts_hand_offs_and_companions(
    tmp_path,
) -> None:
    # The integrator may run the replay inside build_demo; either way the
    # cluster is there once after this call.
    replay_family_cluster(say=lambda s: None)
    result = replay_family_cluster(say=lambda s: None)
    assert result.replayed is False

    cases = list(Case.objects.order_by("pk"))
    assert [c.classification for c in cases] == ["confirmed", "asymptomatic", "asymptomatic"]
    assert len({c.person.household_id for c in cases}) == 1
    assert {c.area.parent.parent.name for c in cases} == {"台商投资区"}
    assert all(c.hospital and c.investigated_at for c in cases)
    assert not any(c.investigation_overdue() for c in cases)
    assert not any(c.report_overdue for c in cases)
    assert result.close_contacts >= 12
    assert result.secondary_contacts >= 1
    assert result.upgraded >= 1
    assert Contact.objects.filter(kind="close", quarantined_at__isnull=False).exists()
    assert Handoff.objects.filter(origin__startswith="tracing.contact:", kind="test").exists()
    assert AuditEvent.objects.filter(action="contacts.expand", actor_name="demo").count() == 2
    assert Contact.objects.filter(kind="companion").exists()
    assert Case.objects.count() == 3
    the_codes_on_the_storys_last_day_are_the_rules(tmp_path)


def the_codes_on_the_storys_last_day_are_the_rules(tmp_path) -> None:
    """On the story's last day (REPLAY_CLOCK, 30 Sep 2021) each contact's code
    is what the rule table's rules give (zhanyi/engine/tests/rule_table.toml):
    close and secondary contacts red for their quarantine days from the last
    exposure, yellow for home health monitoring, then green; companions
    yellow until two negatives 24 h apart or 14 days after the last time
    together. And every quarantine test falls inside the quarantine days."""
    from zhanyi.accounts.models import User
    from zhanyi.engine import release
    from zhanyi.engine.protocol import load_protocol
    from zhanyi.handoffs import schedule
    from zhanyi.people.demo import replay_health_codes
    from zhanyi.people.health_facts import gather
    from zhanyi.people.models import HealthCode

    clock = demo.REPLAY_CLOCK
    replay_health_codes(
        as_of=clock, requester=User.objects.get(username="tracer"), say=lambda s: None
    )
    stored = dict(HealthCode.objects.values_list("person_id", "colour"))
    case_persons = set(Case.objects.values_list("person_id", flat=True))
    facts = gather(sorted(set(Contact.objects.values_list("person_id", flat=True))), clock)
    checked = 0
    for contact in Contact.objects.exclude(person_id__in=case_persons):
        f = facts[contact.person_id]
        if f.arrivals or f.quarantines or f.tests or len(f.contacts) > 1:
            continue  # decided by more than this contact
        rules = load_protocol(contact.protocol)
        if contact.kind == "companion":
            end = contact.last_exposure_at + dt.timedelta(
                days=rules.health_codes.companion_end_days
            )
            expected = "yellow" if clock < end else "green"
        else:
            start = release.anchor(
                rules.quarantine,
                last_exposure_at=contact.last_exposure_at,
                quarantined_at=contact.quarantined_at,
                identified_at=contact.identified_at,
            )
            stages = release.periods(
                rules.quarantine.stages(contact.kind), start, released_at=contact.released_at
            )
            now = [p.stage for p in stages if p.start <= clock < p.end]
            expected = (
                "green" if not now else ("yellow" if now[0] == "home_health_monitoring" else "red")
            )
            handoff = Handoff.objects.filter(origin=f"tracing.contact:{contact.pk}", kind="test")
            for h in handoff:
                ends = release.quarantine_end(rules.quarantine.stages(contact.kind), start)
                assert all(
                    t.due_at <= ends for t in schedule.tests_of(h.detail) if t.stage == "quarantine"
                ), contact
        assert stored.get(contact.person_id, "green") == expected, (contact, expected)
        checked += 1
    # the demo places most close contacts in quarantine sites (#17); those are
    # decided by their quarantine facts and skipped above, so 8 remain to check
    assert checked >= 8


def the_teams_assign_the_cases_close_control_and_trace_the_source(settings, client) -> None:
    tracer = User.objects.get(username="tracer")
    first = Team.objects.get(name="台商投资区流调一队")
    assert first.members.get(is_leader=True).user == tracer
    assert Team.objects.get(name="福龙社区五包一").members.count() == 5
    cases = list(Case.objects.order_by("pk"))
    assert all(c.team is not None for c in cases)
    relatives = InfectionSource.objects.filter(source_case=cases[0])
    assert relatives.count() == 2 and all(s.exposure_id for s in relatives)
    assert ControlRecord.objects.exclude(measure="").exists()

    with translation.override("en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        # The county team leader sees its cases and moves one to the second team.
        client.force_login(tracer)
        mine = client.get(reverse("tracing:home") + f"?team={first.pk}").content.decode()
        case = next(c for c in cases if c.team_id == first.pk)
        assert case.person.name in mine
        second = Team.objects.get(name="台商投资区流调二队")
        client.post(
            reverse("tracing:case-assign", args=[case.pk]),
            {"team": second.pk, "reason": "一队夜间无人值守"},
        )
        case.refresh_from_db()
        assert case.team == second
        # The chain graph draws the family's infection edges.
        graph = client.get(reverse("tracing:graph-data")).json()
        infections = [lk for lk in graph["links"] if lk["kind"] == "infection"]
        assert {lk["source"] for lk in infections} == {str(cases[0].person_id)}

        # The five-to-one member's phone: the control list first, and one closed.
        member = User.objects.get(username="fivetoone")
        client.force_login(member)
        landing = client.get(reverse("accounts:landing"), follow=True).content.decode()
        assert landing.index("Put under control first") < landing.index("Screening tasks</h1>")
        from zhanyi.teams import queries

        handoff = queries.controls_for(member).first()
        assert handoff is not None and handoff.kind == HandoffKind.CONTROL
        client.post(reverse("teams:control", args=[handoff.pk]), {"measure": "home"})
        handoff.refresh_from_db()
        assert handoff.status == HandoffStatus.DONE
