from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.livelihood import actions
from zhanyi.livelihood.models import OrderState

from .factories import home, store

pytestmark = pytest.mark.django_db


def _link(world, zones, **kw):
    zones.set(world.village, "sealed")
    household, _person = home(world.village, **kw)
    return actions.do_issue_home_link(household, gate="东门", acting_user=world.tracer)


def test_a_sealed_homes_phone_order_reaches_the_door(world, zones, client, client_for):
    shop = store(world.county)
    link = _link(world, zones)
    page = client.get(reverse("livelihood:home-order", args=[link.token]))
    assert page.status_code == 200 and "平价超市" in page.content.decode()
    sent = client.post(
        reverse("livelihood:home-order", args=[link.token]),
        {"facility": shop.pk, "items": "大米 5kg\n青菜 1kg", "phone": "13900000000"},
    )
    assert "your order is sent" in sent.content.decode()
    order = link.orders.get()
    assert order.state == OrderState.PLACED
    actions.do_accept_order(order, acting_user=world.tracer)
    actions.do_bring_to_gate(order, acting_user=world.tracer)
    volunteer = client_for(world.village_member)
    page = volunteer.get(reverse("livelihood:deliveries"))
    assert "万益学府花园3栋101" in page.content.decode()
    volunteer.post(reverse("livelihood:deliveries"), {"order": order.pk, "step": "take"})
    order.refresh_from_db()
    assert order.state == OrderState.CARRYING and order.volunteer == world.village_member
    volunteer.post(reverse("livelihood:deliveries"), {"order": order.pk, "step": "deliver"})
    order.refresh_from_db()
    assert order.state == OrderState.DELIVERED
    steps = list(order.steps.values_list("state", "by_name"))
    assert steps == [
        ("placed", f"home-order:{link.pk}"),
        ("accepted", "tracer"),
        ("at_gate", "tracer"),
        ("carrying", "villager"),
        ("delivered", "villager"),
    ]
    assert AuditEvent.objects.filter(
        action="livelihood.order.delivered", actor=world.village_member
    ).exists()
    assert AuditEvent.objects.filter(action="livelihood.deliveries.view").exists()
    # The resident sees where the order is.
    page = client.get(reverse("livelihood:home-order", args=[link.token]))
    assert "Delivered to the door" in page.content.decode()


def test_an_order_link_outside_a_sealed_zone_is_refused_saying_so(world, zones):
    household, _p = home(world.village, address="南昌路8号")
    with pytest.raises(ValidationError) as refused:
        actions.do_issue_home_link(household, gate="东门", acting_user=world.tracer)
    assert "南昌路8号 (东铺头社区) is not in a sealed zone" in refused.value.messages[0]
    zones.set(world.village, "controlled")
    with pytest.raises(ValidationError) as refused:
        actions.do_issue_home_link(household, gate="东门", acting_user=world.tracer)
    assert "is in a Controlled zone (测试区), not a sealed zone" in refused.value.messages[0]


def test_an_order_after_the_zone_is_lifted_is_refused_on_the_phone_page(world, zones, client):
    shop = store(world.county)
    link = _link(world, zones)
    zones.set(world.village, None)
    page = client.post(
        reverse("livelihood:home-order", args=[link.token]), {"facility": shop.pk, "items": "米"}
    )
    assert "is not in a sealed zone" in page.content.decode()
    assert not link.orders.exists()


def test_a_store_of_another_county_does_not_deliver(world, zones):
    far = store(world.other_county, name="龙海超市")
    link = _link(world, zones)
    with pytest.raises(ValidationError) as refused:
        actions.do_place_order(link, facility=far, items="米")
    assert refused.value.messages == ["龙海超市 does not deliver to 东铺头社区."]


def test_an_expired_link_and_an_empty_order_are_refused(world, zones, client):
    shop = store(world.county)
    link = _link(world, zones)
    with pytest.raises(ValidationError) as refused:
        actions.do_place_order(link, facility=shop, items="  ")
    assert refused.value.messages == ["Write what you need."]
    later = link.expires_at + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as refused:
        actions.do_place_order(link, facility=shop, items="米", now=later)
    assert "expired" in refused.value.messages[0]
    link.expires_at = timezone.now()
    link.save(update_fields=["expires_at"])
    assert client.get(reverse("livelihood:home-order", args=[link.token])).status_code == 410
    assert client.get(reverse("livelihood:home-order", args=["nope"])).status_code == 410


def test_the_code_page_opens_the_order_page_and_guessing_is_rate_limited(world, zones, client):
    link = _link(world, zones)
    answer = client.post(reverse("livelihood:home-order-code"), {"code": link.code.lower()})
    assert answer.status_code == 302 and link.token in answer["Location"]
    for _ in range(9):
        client.post(reverse("livelihood:home-order-code"), {"code": "WRONG"})
    limited = client.post(reverse("livelihood:home-order-code"), {"code": link.code})
    assert limited.status_code == 429
    assert "Too many tries" in limited.content.decode()


def test_steps_out_of_order_are_refused_with_the_state(world, zones):
    shop = store(world.county)
    link = _link(world, zones)
    order = actions.do_place_order(link, facility=shop, items="米")
    with pytest.raises(ValidationError) as refused:
        actions.do_deliver_order(order, acting_user=world.tracer)
    assert refused.value.messages == [
        f"Order {order.pk} is Placed: it cannot be marked Delivered to the door now."
    ]
    with pytest.raises(ValidationError) as refused:
        actions.do_decline_order(order, reason=" ", acting_user=world.tracer)
    assert refused.value.messages == ["Say why the order is declined."]


def test_a_volunteer_of_another_county_cannot_carry(world, zones):
    shop = store(world.county)
    link = _link(world, zones)
    order = actions.do_place_order(link, facility=shop, items="米")
    actions.do_accept_order(order, acting_user=world.tracer)
    actions.do_bring_to_gate(order, acting_user=world.tracer)
    with pytest.raises(ValidationError) as refused:
        actions.do_hand_to_volunteer(
            order, volunteer=world.other_county_staff, acting_user=world.tracer
        )
    assert refused.value.messages == ["longhai cannot carry orders in 东铺头社区."]


def test_staff_of_another_county_and_a_leader_are_refused(world, zones):
    shop = store(world.county)
    link = _link(world, zones)
    order = actions.do_place_order(link, facility=shop, items="米")
    with pytest.raises(PermissionDenied):
        actions.do_accept_order(order, acting_user=world.other_county_staff)
    with pytest.raises(PermissionDenied):
        actions.do_accept_order(order, acting_user=world.leader)
    household, _p = home(world.village, address="另一户")
    with pytest.raises(PermissionDenied):
        actions.do_issue_home_link(household, gate="东门", acting_user=world.other_county_staff)


def test_a_sealed_compound_inside_a_medium_risk_community_takes_orders(world, zones):
    from zhanyi.places.models import Place

    compound = Place.objects.create(name="万益学府花园", kind="residential", area=world.village)
    household, _p = home(world.village)
    household.place = compound
    household.save(update_fields=["place"])
    zones.set(world.village, "medium_risk")
    with pytest.raises(ValidationError) as refused:
        actions.do_issue_home_link(household, gate="东门", acting_user=world.tracer)
    assert "is in a Medium-risk area (测试区), not a sealed zone" in refused.value.messages[0]
    zones.set_place(compound, "sealed")
    link = actions.do_issue_home_link(household, gate="东门", acting_user=world.tracer)
    assert link.expires_at > link.created_at
