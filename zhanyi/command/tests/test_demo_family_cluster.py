"""The demo's tracing replay: three cases in one family, fed through the actions."""

from __future__ import annotations

import pytest

from zhanyi.command import demo
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.models import Handoff
from zhanyi.tracing.demo import replay_family_cluster
from zhanyi.tracing.models import Case, Contact

pytestmark = pytest.mark.django_db


def test_the_family_cluster_is_replayed_once_with_contacts_hand_offs_and_companions(
    settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    demo.build_demo(scale="1500", seed=7, say=lambda s: None)
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
