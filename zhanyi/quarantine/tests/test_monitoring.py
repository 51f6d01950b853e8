from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.models import Handoff
from zhanyi.quarantine import actions
from zhanyi.quarantine.models import SelfReport

from .factories import ACTOR, person

pytestmark = pytest.mark.django_db


def _monitoring(world, *, started_hours_ago=1, days=7):
    p = person(world.village, "居家甲")
    return actions.do_start_monitoring(
        p,
        area=world.village,
        kind="home_health_monitoring",
        starts_at=timezone.now() - dt.timedelta(hours=started_hours_ago),
        days=days,
        acting_user=ACTOR,
    )


def test_the_person_reports_by_link_without_an_account_and_sees_nothing_else(world, client):
    m = _monitoring(world)
    page = client.get(reverse("quarantine:self-report", args=[m.token]))
    assert page.status_code == 200
    assert "居家甲" not in page.content.decode()
    client.post(reverse("quarantine:self-report", args=[m.token]), {"temperature": "36.5"})
    report = SelfReport.objects.get(monitoring=m)
    assert str(report.temperature) == "36.5" and not report.by_visit
    event = AuditEvent.objects.get(action="quarantine.monitoring.report")
    assert event.actor_name == f"self-report:{m.pk}"


def test_the_short_code_leads_to_the_same_page(world, client):
    m = _monitoring(world)
    answer = client.post(reverse("quarantine:self-report-code"), {"code": m.code.lower()})
    assert answer.status_code == 302 and answer["Location"].endswith(f"/r/{m.token}/")
    wrong = client.post(reverse("quarantine:self-report-code"), {"code": "XXXXXXXX"})
    assert "No such code." in wrong.content.decode()


def test_an_expired_link_is_refused(world, client):
    m = _monitoring(world, started_hours_ago=24 * 8, days=7)
    page = client.get(reverse("quarantine:self-report", args=[m.token]))
    assert page.status_code == 410
    assert "This link has expired" in page.content.decode()
    with pytest.raises(ValidationError) as refused:
        actions.do_self_report(m, temperature=36.6)
    assert "This link has expired: the monitoring ended." in str(refused.value)
    assert client.get(reverse("quarantine:self-report", args=["nonsense"])).status_code == 410


def test_a_fever_makes_a_task_for_the_village_team(world):
    m = _monitoring(world)
    actions.do_self_report(m, temperature=38.4)
    task = Handoff.objects.get(origin=f"quarantine.monitoring:{m.pk}")
    assert task.kind == "control" and task.to_task_force == "community"
    assert task.detail["reason"] == "fever"
    assert task.area == world.village


def test_a_missed_report_makes_one_task_per_interval(world):
    m = _monitoring(world, started_hours_ago=13)
    assert actions.do_flag_missed_reports(acting_user=ACTOR) == 1
    assert actions.do_flag_missed_reports(acting_user=ACTOR) == 1  # the same slot: no second task
    assert Handoff.objects.filter(origin=f"quarantine.monitoring:{m.pk}").count() == 1
    actions.do_self_report(m, temperature=36.4)
    assert actions.do_flag_missed_reports(acting_user=ACTOR) == 0


def test_the_village_team_sees_its_list_and_records_a_visit(world, client_for):
    m = _monitoring(world)
    client = client_for(world.village_member)
    page = client.get(reverse("quarantine:monitoring"))
    assert page.status_code == 200 and m.code in page.content.decode()
    client.post(reverse("quarantine:monitoring"), {"monitoring": m.pk, "temperature": "36.8"})
    assert SelfReport.objects.get(monitoring=m).by_visit
    other = client_for(world.other_county_staff).get(reverse("quarantine:monitoring"))
    assert m.code not in other.content.decode()
