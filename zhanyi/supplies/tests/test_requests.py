from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhanyi.core.models import AuditEvent
from zhanyi.supplies import actions
from zhanyi.supplies.models import Stock

from .factories import holder, item

pytestmark = pytest.mark.django_db


def _request(world, quantity=500):
    store = holder(
        world.county, "芗城区储备库", "county_store", stock={"protective_suits": (800, 0)}
    )
    hospital = holder(world.county)
    made = actions.do_request_supplies(
        hospital, item("protective_suits"), quantity, reason="增派医护", acting_user=world.tracer
    )
    return store, hospital, made


def test_a_request_is_approved_by_a_commander_and_allocated(world):
    store, hospital, made = _request(world)
    with pytest.raises(PermissionDenied):
        actions.do_approve_request(made, store, acting_user=world.tracer)  # staff: no approve
    done = actions.do_approve_request(made, store, acting_user=world.commander)
    assert done.state == "approved" and done.decided_by_name == "commander"
    assert Stock.objects.get(holder=hospital).quantity == 500
    assert Stock.objects.get(holder=store).quantity == 300
    assert AuditEvent.objects.filter(action="supplies.request.approve").exists()
    with pytest.raises(ValidationError) as again:
        actions.do_approve_request(made, store, acting_user=world.commander)
    assert again.value.message_dict["state"] == ["This request is Approved and allocated already."]


def test_an_allocation_beyond_the_suppliers_stock_is_refused(world):
    store, _hospital, made = _request(world, quantity=900)
    with pytest.raises(ValidationError) as refused:
        actions.do_approve_request(made, store, acting_user=world.commander)
    assert (
        "芗城区储备库 has 800 sets of Medical protective suits on hand" in refused.value.messages[0]
    )
    made.refresh_from_db()
    assert made.state == "pending"


def test_a_refusal_says_why(world):
    _store, _hospital, made = _request(world)
    with pytest.raises(ValidationError) as refused:
        actions.do_refuse_request(made, reason="", acting_user=world.commander)
    assert refused.value.message_dict["reason"] == ["Say why the request is refused."]
    assert (
        actions.do_refuse_request(made, reason="库存不足", acting_user=world.commander).state
        == "refused"
    )


def test_another_countys_commander_may_not_approve(world):
    store, _hospital, made = _request(world)
    from zhanyi.accounts.testing import make_user

    other = make_user("longhai_cmd", "commander", world.other_county)
    with pytest.raises(PermissionDenied):
        actions.do_approve_request(made, store, acting_user=other)
