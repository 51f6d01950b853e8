from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhanyi.coldchain import actions
from zhanyi.coldchain.models import Batch, BatchState
from zhanyi.core.models import AuditEvent

from .factories import ACTOR, ARRIVED, batch, person, released, store

pytestmark = pytest.mark.django_db


def test_a_batch_without_its_certificates_cannot_be_released_and_the_refusal_names_them(world):
    b = batch(
        store(world.county), documents={"inspection_certificate": "JY1", "traceability_code": "ZS1"}
    )
    assert b.state == BatchState.HELD
    with pytest.raises(ValidationError) as refused:
        actions.do_release_batch(b, acting_user=world.tracer)
    message = refused.value.message_dict["state"][0]
    assert "CC001" in message and "芗城冷库" in message
    assert "nucleic-acid report" in message and "disinfection certificate" in message
    assert "inspection" not in message
    b.refresh_from_db()
    assert b.state == BatchState.HELD
    actions.do_set_documents(
        b,
        {"nucleic_acid_report": "HS1", "disinfection_certificate": "XD1"},
        acting_user=world.tracer,
    )
    actions.do_release_batch(b, acting_user=world.tracer)
    b.refresh_from_db()
    assert b.state == BatchState.RELEASED and b.released_by_name == "tracer"
    event = AuditEvent.objects.get(action="coldchain.batch.release")
    assert event.detail["new"] == "released"


def test_a_document_written_as_blank_space_is_missing(world):
    b = batch(
        store(world.county),
        documents={
            "inspection_certificate": "JY1",
            "nucleic_acid_report": "  ",
            "disinfection_certificate": "XD1",
            "traceability_code": "ZS1",
        },
    )
    assert b.missing_documents == ["nucleic-acid report"]


def test_release_of_complete_batches_leaves_the_incomplete_held(world):
    s = store(world.county)
    batch(s, "A1")
    batch(s, "A2", documents={"inspection_certificate": "JY"})
    assert actions.do_release_complete_batches(Batch.objects.all(), acting_user=world.tracer) == 1
    assert dict(Batch.objects.values_list("code", "state")) == {"A1": "released", "A2": "held"}


def test_another_county_may_not_release_or_record(world):
    b = batch(store(world.county))
    with pytest.raises(PermissionDenied):
        actions.do_release_batch(b, acting_user=world.other_county_staff)
    with pytest.raises(PermissionDenied):
        actions.do_create_store(acting_user=world.other_county_staff, name="x", area=world.county)


def test_a_leader_may_not_release(world):
    b = batch(store(world.county))
    with pytest.raises(PermissionDenied):
        actions.do_release_batch(b, acting_user=world.leader)


def test_a_batch_number_is_recorded_once(world):
    s = store(world.county)
    batch(s)
    with pytest.raises(ValidationError) as refused:
        batch(s)
    assert refused.value.message_dict["code"] == ["Batch CC001 is recorded already."]


def test_a_held_batch_cannot_be_delivered(world):
    b = batch(store(world.county), documents={})
    with pytest.raises(ValidationError) as refused:
        actions.do_distribute(
            b,
            buyer="市场",
            receiver=person(world.village, "甲"),
            quantity_tonnes=Decimal(1),
            delivered_on=dt.date(2021, 9, 15),
            area=world.village,
            acting_user=ACTOR,
        )
    assert "it leaves the store only once released" in refused.value.message_dict["batch"][0]


def test_a_delivery_cannot_exceed_what_is_left(world):
    b = released(store(world.county))
    buyer = person(world.village, "甲")
    kwargs = {
        "buyer": "市场",
        "receiver": buyer,
        "delivered_on": dt.date(2021, 9, 16),
        "area": world.village,
        "acting_user": ACTOR,
    }
    actions.do_distribute(b, quantity_tonnes=Decimal("10"), **kwargs)
    with pytest.raises(ValidationError) as refused:
        actions.do_distribute(b, quantity_tonnes=Decimal("3"), **kwargs)
    assert refused.value.message_dict["quantity_tonnes"] == [
        "Batch CC001 has 2.500 tonnes left; 3.000 cannot be delivered."
    ]


def test_a_worker_cannot_handle_a_batch_before_it_arrived(world):
    b = batch(store(world.county))
    with pytest.raises(ValidationError) as refused:
        actions.do_record_handling(
            b,
            person(world.village, "甲"),
            step="unloading",
            handled_at=ARRIVED - dt.timedelta(days=1),
            acting_user=ACTOR,
        )
    assert "nobody handled it before" in refused.value.message_dict["handled_at"][0]
