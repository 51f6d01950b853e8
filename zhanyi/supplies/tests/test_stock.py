from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhanyi.core.models import AuditEvent
from zhanyi.supplies import actions
from zhanyi.supplies.models import CoverAlert, Movement, Stock

from .factories import holder, item

pytestmark = pytest.mark.django_db


def test_issuing_below_zero_is_refused_saying_the_stock_on_hand(world):
    h = holder(world.county, stock={"masks": (320, 0)})
    with pytest.raises(ValidationError) as refused:
        actions.do_move_stock(
            h, item(), kind="issued", quantity=500, document_number="CK-1", acting_user=world.tracer
        )
    assert refused.value.message_dict["quantity"] == [
        "芗城区医院 has 320 pieces of Masks on hand: 500 cannot be issued."
    ]
    assert Stock.objects.get(holder=h).quantity == 320
    actions.do_move_stock(
        h, item(), kind="issued", quantity=300, document_number="CK-2", acting_user=world.tracer
    )
    movement = Movement.objects.get(document_number="CK-2")
    assert movement.balance_after == 20 and movement.recorded_by_name == "tracer"
    assert AuditEvent.objects.filter(action="supplies.stock.issued").count() == 1


def test_a_transfer_moves_the_stock_and_keeps_the_document_on_both_sides(world):
    a = holder(world.county, stock={"gloves": (1000, 0)})
    b = holder(world.village, "东铺头采样点", "testing_site")
    actions.do_move_stock(
        a,
        item("gloves"),
        kind="transfer",
        quantity=400,
        document_number="DB-9",
        to_holder=b,
        acting_user=world.tracer,
    )
    assert Stock.objects.get(holder=a).quantity == 600
    assert Stock.objects.get(holder=b).quantity == 400
    assert set(Movement.objects.filter(document_number="DB-9").values_list("kind", flat=True)) == {
        "transfer_out",
        "transfer_in",
    }


def test_a_movement_needs_its_document_number(world):
    h = holder(world.county)
    with pytest.raises(ValidationError) as refused:
        actions.do_move_stock(
            h, item(), kind="received", quantity=5, document_number=" ", acting_user=world.tracer
        )
    assert refused.value.message_dict["document_number"] == [
        "Give the document number of the movement."
    ]


def test_another_county_and_a_leader_are_refused(world):
    h = holder(world.county)
    for user in (world.other_county_staff, world.leader):
        with pytest.raises(PermissionDenied):
            actions.do_move_stock(
                h, item(), kind="received", quantity=5, document_number="RK", acting_user=user
            )


def test_a_hospital_below_30_days_raises_an_alert_and_a_receipt_clears_it(world):
    h = holder(world.county, stock={"protective_suits": (6000, 300)})  # 20 days
    alert = CoverAlert.objects.get(holder=h, cleared_at__isnull=True)
    assert alert.target_days == 30 and float(alert.days_of_cover) == 20.0
    actions.do_move_stock(
        h,
        item("protective_suits"),
        kind="received",
        quantity=3000,
        document_number="RK-2",
        acting_user=world.tracer,
    )
    assert not CoverAlert.objects.filter(cleared_at__isnull=True).exists()


def test_the_cdc_keeps_10_days_and_a_testing_site_has_no_target(world):
    holder(world.county, "芗城区疾控中心", "cdc", stock={"masks": (1100, 100)})  # 11 days
    holder(world.county, "采样点", "testing_site", stock={"masks": (10, 100)})
    assert not CoverAlert.objects.exists()
    counts = actions.do_check_cover(acting_user=world.tracer)
    assert counts["raised"] == 0 and counts["ok"] == 2
