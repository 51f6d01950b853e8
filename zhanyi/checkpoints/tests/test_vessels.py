"""Ports and the coast: vessels, exit and entry reports, crew checks, patrols, overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zhanyi.checkpoints import actions, periodic
from zhanyi.checkpoints.models import VesselState
from zhanyi.core.models import AuditEvent

from .factories import ACTOR, station

pytestmark = pytest.mark.django_db


def port(world):
    return station(world.county, name="浮宫渔港", kind="port")


def test_a_vessel_out_past_its_return_time_is_flagged_overdue(world):
    harbour = port(world)
    boat = actions.do_register_vessel(
        acting_user=world.tracer, registration="闽漳渔 01234", home_port=harbour, name="顺丰号"
    )
    assert boat.registration == "闽漳渔01234"
    now = timezone.now()
    actions.do_report_movement(
        boat,
        port=harbour,
        movement="exit",
        crew=6,
        at=now - dt.timedelta(hours=30),
        due_back_at=now - dt.timedelta(hours=2),
        acting_user=world.tracer,
    )
    boat.refresh_from_db()
    assert boat.state == VesselState.AT_SEA
    assert periodic.overdue_vessels(now) == "1 vessel(s) flagged overdue"
    boat.refresh_from_db()
    assert boat.overdue_since == now
    assert AuditEvent.objects.filter(action="checkpoints.vessel.overdue").count() == 1
    assert actions.do_flag_overdue(now=now) == 0  # flagged once
    actions.do_report_movement(
        boat, port=harbour, movement="entry", crew=6, acting_user=world.tracer
    )
    boat.refresh_from_db()
    assert boat.state == VesselState.IN_PORT and boat.overdue_since is None


def test_reports_that_contradict_the_vessel_are_refused(world):
    harbour = port(world)
    boat = actions.do_register_vessel(acting_user=ACTOR, registration="闽漳渔1", home_port=harbour)
    with pytest.raises(ValidationError) as refused:
        actions.do_report_movement(boat, port=harbour, movement="entry", crew=3, acting_user=ACTOR)
    assert "闽漳渔1 is in port: it has no exit to end." in refused.value.messages
    with pytest.raises(ValidationError) as refused:
        actions.do_report_movement(boat, port=harbour, movement="exit", crew=3, acting_user=ACTOR)
    assert "Say when the vessel will be back" in refused.value.messages[0]
    road = station(world.county, name="国道口", kind="road")
    with pytest.raises(ValidationError) as refused:
        actions.do_register_vessel(acting_user=ACTOR, registration="闽漳渔2", home_port=road)
    assert "国道口 is not a port." in refused.value.messages
    with pytest.raises(ValidationError) as refused:
        actions.do_register_vessel(acting_user=ACTOR, registration="闽漳渔1", home_port=harbour)
    assert "Vessel 闽漳渔1 is registered already." in refused.value.messages
    with pytest.raises(PermissionDenied):
        actions.do_register_vessel(
            acting_user=world.other_county_staff, registration="闽漳渔3", home_port=harbour
        )


def test_crew_checks_and_patrols_are_recorded(world):
    harbour = port(world)
    boat = actions.do_register_vessel(acting_user=ACTOR, registration="闽漳渔5", home_port=harbour)
    actions.do_record_crew_check(
        boat, port=harbour, crew_checked=5, fever=1, sampled=5, acting_user=world.tracer
    )
    with pytest.raises(ValidationError) as refused:
        actions.do_record_crew_check(
            boat, port=harbour, crew_checked=2, fever=3, acting_user=world.tracer
        )
    assert "No more with fever or sampled than the crew checked (2)." in refused.value.messages
    now = timezone.now()
    actions.do_record_patrol(
        harbour,
        started_at=now - dt.timedelta(hours=3),
        ended_at=now,
        route="浮宫—港尾岸线",
        vessels_checked=12,
        acting_user=world.tracer,
    )
    with pytest.raises(ValidationError) as refused:
        actions.do_record_patrol(
            harbour, started_at=now, ended_at=now, route="x", acting_user=world.tracer
        )
    assert "A patrol ends after it starts." in refused.value.messages
    assert AuditEvent.objects.filter(action="checkpoints.patrol.record").count() == 1


def test_the_vessels_page_lists_the_overdue_and_takes_reports(world, client_for):
    harbour = port(world)
    client = client_for(world.tracer)
    client.post(
        reverse("checkpoints:vessels"),
        {"form": "vessel", "registration": "闽漳渔9", "home_port": harbour.pk},
    )
    from zhanyi.checkpoints.models import Vessel

    boat = Vessel.objects.get(registration="闽漳渔9")
    client.post(
        reverse("checkpoints:vessels"),
        {
            "form": "report",
            "vessel": boat.pk,
            "port": harbour.pk,
            "movement": "exit",
            "crew": "4",
            "due_back_at": "2020-01-01T08:00",
        },
    )
    boat.refresh_from_db()
    assert boat.state == "in_port"  # the due time is before the exit: refused
    actions.do_report_movement(
        boat,
        port=harbour,
        movement="exit",
        crew=4,
        at=timezone.now() - dt.timedelta(hours=5),
        due_back_at=timezone.now() - dt.timedelta(hours=1),
        acting_user=ACTOR,
    )
    actions.do_flag_overdue()
    page = client.get(reverse("checkpoints:vessels")).content.decode()
    assert "闽漳渔9" in page and "No vessel overdue." not in page
    other = client_for(world.other_county_staff).get(reverse("checkpoints:vessels")).content
    assert "闽漳渔9" not in other.decode()
    assert (
        client_for(world.leader)
        .post(reverse("checkpoints:vessels"), {"form": "vessel"})
        .status_code
        == 403
    )


def test_crew_checks_and_patrols_over_the_api_scoped_and_refused_with_reasons(world, api_for):
    harbour = port(world)
    boat = actions.do_register_vessel(
        acting_user=world.tracer, registration="闽漳渔05678", home_port=harbour
    )
    api = api_for(world.tracer)
    crew_url = f"/api/v1/checkpoints/vessels/{boat.pk}/crew-checks/"
    made = api.post(
        crew_url, {"port": harbour.pk, "crew_checked": 6, "fever": 1, "sampled": 6}, format="json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["fever"] == 1 and made.json()["port_name"] == "浮宫渔港"
    too_many = api.post(
        crew_url, {"port": harbour.pk, "crew_checked": 2, "fever": 3}, format="json"
    )
    assert too_many.status_code == 400
    assert "No more with fever or sampled than the crew checked (2)." in str(too_many.json())
    assert [c["crew_checked"] for c in api.get(crew_url).json()["results"]] == [6]

    start = timezone.now() - dt.timedelta(hours=3)
    patrol = {
        "port": harbour.pk,
        "started_at": start.isoformat(),
        "ended_at": (start + dt.timedelta(hours=2)).isoformat(),
        "route": "浮宫至港尾沿岸",
        "vessels_checked": 4,
    }
    assert api.post("/api/v1/checkpoints/patrols/", patrol, format="json").status_code == 201
    backwards = {**patrol, "ended_at": (start - dt.timedelta(hours=1)).isoformat()}
    refused = api.post("/api/v1/checkpoints/patrols/", backwards, format="json")
    assert refused.status_code == 400 and "A patrol ends after it starts." in str(refused.json())
    listed = api.get(f"/api/v1/checkpoints/patrols/?port={harbour.pk}").json()["results"]
    assert [p["route"] for p in listed] == ["浮宫至港尾沿岸"]
    assert AuditEvent.objects.filter(action="checkpoints.patrol.record").count() == 1

    # Another county sees none of it and cannot write to this port; a leader reads only.
    other = api_for(world.other_county_staff)
    assert other.get("/api/v1/checkpoints/patrols/").json() == {"results": []}
    assert other.get(crew_url).status_code == 404
    assert other.post("/api/v1/checkpoints/patrols/", patrol, format="json").status_code == 404
    leader = api_for(world.leader)
    assert len(leader.get("/api/v1/checkpoints/patrols/").json()["results"]) == 1
    assert leader.post("/api/v1/checkpoints/patrols/", patrol, format="json").status_code == 403
    assert api_for(world.outsider).get("/api/v1/checkpoints/patrols/").status_code == 403
