from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhanyi.coldchain import actions
from zhanyi.coldchain.models import BatchState
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.models import Handoff

from .factories import ACTOR, ARRIVED, person, released, store

pytestmark = pytest.mark.django_db

LATER = ARRIVED + dt.timedelta(days=3)


def _exposed(world):
    b = released(store(world.county))
    worker = person(world.village, "工人甲")
    both = person(world.village2, "工人乙")
    receiver = person(world.other_village, "买家丙")
    actions.do_record_handling(b, worker, step="unloading", handled_at=ARRIVED, acting_user=ACTOR)
    actions.do_record_handling(b, both, step="sorting", handled_at=ARRIVED, acting_user=ACTOR)
    for who in (receiver, both):
        actions.do_distribute(
            b,
            buyer="龙海农贸市场",
            receiver=who,
            quantity_tonnes=Decimal("2"),
            delivered_on=dt.date(2021, 9, 15),
            area=world.other_village,
            acting_user=ACTOR,
        )
    return b, worker, both, receiver


def test_a_positive_sample_seals_the_batch_and_hands_every_receiver_and_worker_to_testing(world):
    b, worker, both, receiver = _exposed(world)
    sample = actions.do_record_sample(
        b,
        kind="environment",
        result="positive",
        sampled_at=LATER,
        acting_user=world.tracer,
        now=LATER,
    )
    b.refresh_from_db()
    assert b.state == BatchState.SEALED and sample.traced_people == 3
    tests = Handoff.objects.filter(kind="test", origin=f"coldchain.batch:{b.pk}")
    assert {h.person_id for h in tests} == {worker.pk, both.pk, receiver.pk}
    assert all(
        h.to_task_force == "testing" and h.due_at == LATER + dt.timedelta(hours=24) for h in tests
    )
    # the receiver of the other county is seen by their own village
    assert tests.get(person=receiver).area_id == world.other_village.pk
    controls = Handoff.objects.filter(kind="control", origin=f"coldchain.batch:{b.pk}")
    assert controls.count() == 3 and controls.get(person=worker).detail["role"] == "worker"
    assert AuditEvent.objects.get(action="coldchain.sample.record").detail["traced_people"] == 3
    with pytest.raises(ValidationError) as refused:
        actions.do_release_batch(b, acting_user=world.tracer)
    assert "sealed after a positive sample" in refused.value.message_dict["state"][0]


def test_a_second_positive_hands_nobody_on_twice_and_a_late_worker_is_handed_on(world):
    b, *_ = _exposed(world)
    for _n in range(2):
        actions.do_record_sample(
            b, kind="product", result="positive", sampled_at=LATER, acting_user=ACTOR, now=LATER
        )
    assert Handoff.objects.filter(kind="test").count() == 3
    late = person(world.village, "工人丁")
    actions.do_record_handling(b, late, step="storage", handled_at=LATER, acting_user=ACTOR)
    assert Handoff.objects.filter(kind="test", person=late).exists()


def test_a_negative_sample_traces_nobody(world):
    b, *_ = _exposed(world)
    actions.do_record_sample(
        b, kind="packaging", result="negative", sampled_at=LATER, acting_user=ACTOR, now=LATER
    )
    b.refresh_from_db()
    assert b.state == BatchState.RELEASED and not Handoff.objects.exists()


def test_a_sample_of_another_countys_batch_is_refused(world):
    b, *_ = _exposed(world)
    with pytest.raises(PermissionDenied):
        actions.do_record_sample(
            b,
            kind="environment",
            result="positive",
            sampled_at=LATER,
            acting_user=world.other_county_staff,
            now=LATER,
        )
    assert not Handoff.objects.exists()
