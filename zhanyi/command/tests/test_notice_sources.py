"""Public notices drafted from the headquarters' decisions: the zones'
decisions (their drafted notice text) and directives, read by the
headquarters for publicity (``command/notice_sources.py``), once each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from zhanyi.command import actions as command_actions
from zhanyi.core.audit import SystemActor
from zhanyi.publicity import actions, queries
from zhanyi.publicity.demo import replay_publicity
from zhanyi.publicity.models import Notice, NoticeState
from zhanyi.zones import actions as zone_actions
from zhanyi.zones.models import ZoneEvent

pytestmark = pytest.mark.django_db
SYSTEM = SystemActor("test")


def _sealed_zone(world):
    zone = zone_actions.do_propose_zone(
        tier="sealed",
        name="万益学府花园封控区",
        reason="病例居住地",
        areas=[world.village],
        acting_user=SYSTEM,
    )
    zone_actions.do_approve_zone(zone, acting_user=world.commander)
    return ZoneEvent.objects.exclude(notice="").get(zone=zone)


def test_a_notice_is_drafted_from_a_zone_decision_once(world, client_for):
    event = _sealed_zone(world)
    [draft] = [d for d in queries.drafts_for(world.tracer) if d.kind == "zone_decision"]
    assert draft.key == str(event.pk) and draft.area == event.zone.area
    notice = actions.do_draft_notice(
        acting_user=world.tracer, source_kind="zone_decision", source_key=str(event.pk)
    )
    assert notice.title == event.notice.splitlines()[0]
    assert notice.body in event.notice and notice.area == event.zone.area
    assert notice.source_label and "万益学府花园封控区" in notice.source_label
    # Drafted once: the source is no longer offered, and a second draft is refused.
    assert [d for d in queries.drafts_for(world.tracer) if d.kind == "zone_decision"] == []
    with pytest.raises(ValidationError) as twice, translation.override("en"):
        actions.do_draft_notice(
            acting_user=world.tracer, source_kind="zone_decision", source_key=str(event.pk)
        )
    assert "is drafted from this decision already" in twice.value.messages[0]
    # Another county does not see the decision to draft from.
    assert queries.drafts_for(world.other_county_staff) == []
    with pytest.raises(ValidationError) as missing:
        actions.do_draft_notice(
            acting_user=world.tracer, source_kind="zone_decision", source_key="999999"
        )
    assert "999999" in missing.value.messages[0]


def test_a_notice_is_drafted_from_a_directive_on_the_page(world, client_for):
    directive = command_actions.do_issue_directive(
        acting_user=world.commander,
        title="全员核酸检测",
        body="9月18日起开展第二轮全员核酸检测。",
        area=world.county,
        due_at=timezone.now() + dt.timedelta(hours=6),
    )
    page = client_for(world.tracer)
    shown = page.get(reverse("publicity:notices")).content.decode()
    assert "全员核酸检测" in shown
    response = page.post(
        reverse("publicity:notices"),
        {"source": f"directive:{directive.pk}", "title": "关于开展第二轮全员核酸检测的通告"},
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.title == "关于开展第二轮全员核酸检测的通告"
    assert notice.body == directive.body and notice.source_kind == "directive"


def test_the_demo_step_publishes_a_notice_for_each_zone_decision(world):
    event = _sealed_zone(world)
    result = replay_publicity(acting_user=SYSTEM)
    assert result["press_conferences"] == 3
    assert result["media_reports"] == 46 + 630 + 12206
    notice = Notice.objects.get(source_kind="zone_decision", source_key=str(event.pk))
    assert notice.state == NoticeState.PUBLISHED
    assert notice.published_on == timezone.localdate(event.at)
    again = replay_publicity(acting_user=SYSTEM)
    assert again == result
