from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.places.risk import risk_of_area, risk_of_paths
from zhanyi.zones import actions
from zhanyi.zones.models import ZoneEventKind, ZoneState

from .factories import zone

pytestmark = pytest.mark.django_db


def test_a_proposed_zone_has_no_effect_until_approved(world):
    z = zone("controlled", areas=[world.county], by=world.tracer)
    assert z.state == ZoneState.PROPOSED and z.area == world.county
    assert risk_of_area(world.village, timezone.now()) is None
    actions.do_approve_zone(z, acting_user=world.commander)
    risk = risk_of_area(world.village, timezone.now())
    assert risk is not None and risk.tier == "controlled" and risk.zone_id == z.pk
    assert risk_of_area(world.other_village, timezone.now()) is None
    kinds = list(z.events.values_list("kind", flat=True))
    assert kinds == [ZoneEventKind.PROPOSED, ZoneEventKind.APPROVED]
    assert AuditEvent.objects.filter(action="zones.propose", object_id=str(z.pk)).exists()
    assert AuditEvent.objects.filter(action="zones.approve", object_id=str(z.pk)).exists()


def test_the_strongest_zone_in_force_answers_for_an_area(world):
    now = timezone.now()
    wide = zone("prevention", areas=[world.city])
    narrow = zone("sealed", areas=[world.village])
    actions.do_approve_zone(wide, acting_user=world.commander, starts_at=now - dt.timedelta(days=2))
    actions.do_approve_zone(
        narrow, acting_user=world.commander, starts_at=now - dt.timedelta(days=1)
    )
    answers = risk_of_paths([world.village.path, world.village2.path, world.county.path], now)
    assert answers[world.village.path].tier == "sealed"
    assert answers[world.village2.path].tier == "prevention"
    assert answers[world.county.path].tier == "prevention"
    # Before the sealed zone took force only the prevention zone counted.
    earlier = risk_of_paths([world.village.path], now - dt.timedelta(hours=36))
    assert earlier[world.village.path].tier == "prevention"


def test_a_zone_outside_the_jurisdiction_is_refused_by_name(world):
    with pytest.raises(ValidationError) as refused:
        zone("sealed", areas=[world.village, world.other_village], by=world.tracer)
    message = refused.value.message_dict["areas"][0]
    assert "新华社区" in message and "芗城区" in message and "outside your jurisdiction" in message


def test_a_role_without_approve_cannot_approve(world):
    z = zone("sealed", areas=[world.village], by=world.tracer)
    with pytest.raises(PermissionDenied) as refused:
        actions.do_approve_zone(z, acting_user=world.tracer)
    assert "approve" in str(refused.value)
    with pytest.raises(PermissionDenied):
        zone("sealed", areas=[world.village], by=world.leader)


def test_other_county_cannot_decide_on_a_zone(world):
    z = zone("sealed", areas=[world.village], by=world.tracer)
    from zhanyi.accounts.models import Role
    from zhanyi.accounts.testing import make_user

    longhai_commander = make_user("lh-commander", Role.COMMANDER, world.other_county)
    with pytest.raises(ValidationError) as refused:
        actions.do_approve_zone(z, acting_user=longhai_commander)
    assert "东铺头社区" in refused.value.message_dict["areas"][0]
    assert z.__class__.objects.get(pk=z.pk).state == ZoneState.PROPOSED


def test_an_empty_or_unreasoned_zone_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        zone("sealed", by=world.tracer)
    assert "an area, a place or a drawn outline" in refused.value.message_dict["areas"][0]
    with pytest.raises(ValidationError) as refused:
        actions.do_propose_zone(
            tier="sealed", name="x", reason=" ", areas=[world.village], acting_user=world.tracer
        )
    assert "why" in refused.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as refused:
        actions.do_propose_zone(
            tier="sealed",
            name="x",
            reason="y",
            areas=[world.village],
            polygon={"type": "Point", "coordinates": [1, 2]},
            acting_user=world.tracer,
        )
    assert "Polygon" in refused.value.message_dict["polygon"][0]


def test_lifting_waits_for_the_countdown_and_then_steps_down_by_approval(world):
    start = timezone.now() - dt.timedelta(days=15)
    z = zone("controlled", areas=[world.village], now=start)
    actions.do_approve_zone(z, acting_user=world.commander, starts_at=start, now=start)
    early = start + dt.timedelta(days=10)
    with pytest.raises(ValidationError) as refused:
        actions.do_step_down_zone(z, acting_user=world.commander, reason="平稳", now=early)
    assert "4 more day(s) without a new case" in refused.value.message_dict["state"][0]
    # Nobody lives there: the negative round holds (0 of 0), the clock has run out.
    assert actions.do_flag_ready_zones(acting_user=world.commander) == 1
    z.refresh_from_db()
    assert z.ready_since is not None
    with pytest.raises(PermissionDenied):
        actions.do_step_down_zone(z, acting_user=world.tracer, reason="平稳")
    actions.do_step_down_zone(z, acting_user=world.commander, reason="14天无新增")
    z.refresh_from_db()
    assert z.tier == "prevention" and z.state == ZoneState.IN_FORCE
    stepped = z.events.get(kind=ZoneEventKind.STEPPED_DOWN)
    assert stepped.from_tier == "controlled" and "防范区" in stepped.notice
    assert risk_of_area(world.village, timezone.now()).tier == "prevention"
    # A prevention zone steps down to nothing: it lifts, once its own clock has run.
    with pytest.raises(ValidationError):
        actions.do_lift_zone(z, acting_user=world.commander, reason="解除")
    later = timezone.now() + dt.timedelta(days=15)
    actions.do_lift_zone(z, acting_user=world.commander, reason="解除", now=later)
    z.refresh_from_db()
    assert z.state == ZoneState.LIFTED
    assert risk_of_area(world.village, later) is None
    assert risk_of_area(world.village, timezone.now()).tier == "prevention"
    assert AuditEvent.objects.filter(action="zones.lift", object_id=str(z.pk)).exists()


def test_a_rejected_proposal_never_takes_force(world):
    z = zone("sealed", areas=[world.village], by=world.tracer)
    with pytest.raises(ValidationError) as refused:
        actions.do_reject_zone(z, acting_user=world.commander, reason="")
    assert "rejected" in refused.value.message_dict["reason"][0]
    actions.do_reject_zone(z, acting_user=world.commander, reason="范围过大")
    with pytest.raises(ValidationError) as refused:
        actions.do_approve_zone(z, acting_user=world.commander)
    assert "Rejected" in refused.value.message_dict["state"][0]
    assert risk_of_area(world.village, timezone.now()) is None
