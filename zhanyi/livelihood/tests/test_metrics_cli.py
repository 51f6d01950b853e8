from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from zhanyi.core import metrics
from zhanyi.livelihood import actions

from .factories import good, home, store

pytestmark = pytest.mark.django_db


def test_the_figures_count_what_the_actions_made(world, zones):
    store(world.village)
    store(world.other_village, name="龙海平价店")
    shop = store(world.village, name="网点", kind="outlet")
    actions.do_record_price_check(shop, good(price="10"), price="12", acting_user=world.tracer)
    zones.set(world.village, "sealed")
    household, _p = home(world.village)
    link = actions.do_issue_home_link(household, gate="东门", acting_user=world.tracer)
    order = actions.do_place_order(link, facility=shop, items="米")
    assert metrics.get("livelihood.affordable_stores").fn(None) == 2
    assert metrics.get("livelihood.affordable_stores").fn(world.county) == 1
    assert metrics.get("livelihood.outlets").fn(world.county) == 1
    assert metrics.get("livelihood.price_flags").fn(world.county) == 1
    assert metrics.get("livelihood.orders_open").fn(world.county) == 1
    for step in (actions.do_accept_order, actions.do_bring_to_gate):
        step(order, acting_user=world.tracer)
    actions.do_hand_to_volunteer(order, volunteer=world.village_member, acting_user=world.tracer)
    actions.do_deliver_order(order, acting_user=world.village_member)
    assert metrics.get("livelihood.orders_open").fn(world.county) == 0
    assert metrics.get("livelihood.orders_delivered").fn(world.county) == 1
    assert metrics.get("livelihood.orders_delivered").fn(world.other_county) == 0
    actions.do_add_care(_p, kind="elderly_alone", acting_user=world.tracer)
    assert metrics.get("livelihood.care_open").fn(world.county) == 1
    assert metrics.get("livelihood.care_overdue").fn(world.county) == 1


def test_the_command_line_adds_checks_and_advances(world, zones):
    out = io.StringIO()
    call_command(
        "livelihood",
        "facility",
        "add",
        "芗城平价店",
        "--kind",
        "affordable_store",
        "--area",
        world.village.code,
        stdout=out,
    )
    call_command("livelihood", "price", "set", "鸡蛋", "--unit", "kg", "--price", "10", stdout=out)
    facility_id = int(out.getvalue().split()[1])
    call_command("livelihood", "price", "check", str(facility_id), "鸡蛋", "12", stdout=out)
    assert "+20.0% of 10.00) OVER THE TOLERANCE" in out.getvalue()
    household, _p = home(world.village)
    with pytest.raises(CommandError, match="is not in a sealed zone"):
        call_command("livelihood", "link", str(household.pk), "--gate", "东门")
    zones.set(world.village, "sealed")
    call_command("livelihood", "link", str(household.pk), "--gate", "东门", stdout=out)
    assert "code " in out.getvalue()
    link = household and actions.do_issue_home_link(
        household, gate="东门", acting_user=world.tracer
    )
    from zhanyi.livelihood.models import Facility

    order = actions.do_place_order(link, facility=Facility.objects.get(pk=facility_id), items="蛋")
    call_command("livelihood", "order", str(order.pk), "accept", stdout=out)
    with pytest.raises(CommandError, match="cannot be marked"):
        call_command("livelihood", "order", str(order.pk), "deliver")
    listed = io.StringIO()
    call_command("livelihood", "orders", "--json", stdout=listed)
    assert json.loads(listed.getvalue())[0]["state"] == "accepted"
    counts = io.StringIO()
    call_command("livelihood", "facilities", "--json", stdout=counts)
    assert json.loads(counts.getvalue())["affordable_store"] == 1
