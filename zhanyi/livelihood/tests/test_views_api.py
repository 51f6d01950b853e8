from __future__ import annotations

import pytest
from django.urls import reverse

from zhanyi.core.models import AuditEvent
from zhanyi.livelihood import actions
from zhanyi.livelihood.models import CareKind, Facility, OrderState

from .factories import good, home, store

pytestmark = pytest.mark.django_db


def _order(world, zones):
    zones.set(world.village, "sealed")
    household, _p = home(world.village)
    link = actions.do_issue_home_link(household, gate="东门", acting_user=world.tracer)
    return actions.do_place_order(link, facility=store(world.county), items="米 5kg")


def test_the_desk_adds_a_facility_and_checks_a_price_on_the_pages(world, client_for):
    rice = good(price="10")
    client = client_for(world.tracer)
    page = client.get(reverse("livelihood:home"))
    assert page.status_code == 200 and "Affordable store" in page.content.decode()
    added = client.post(
        reverse("livelihood:home"),
        {
            "form": "facility",
            "name": "南昌平价店",
            "kind": "affordable_store",
            "area": world.village.pk,
        },
    )
    facility = Facility.objects.get(name="南昌平价店")
    assert added.status_code == 302
    page = client.post(
        reverse("livelihood:facility", args=[facility.pk]),
        {"form": "check", "good": rice.pk, "price": "12"},
        follow=True,
    )
    assert "is 20.0% from the reference price" in page.content.decode()


def test_the_store_the_gate_and_the_order_page_advance_an_order(world, zones, client_for):
    order = _order(world, zones)
    client = client_for(world.tracer)
    page = client.get(reverse("livelihood:order", args=[order.pk]))
    assert page.status_code == 200 and "万益学府花园3栋101" in page.content.decode()
    assert AuditEvent.objects.filter(action="livelihood.order.view", actor=world.tracer).exists()
    for step in ("accept", "gate"):
        client.post(reverse("livelihood:order", args=[order.pk]), {"step": step})
    client.post(
        reverse("livelihood:order", args=[order.pk]), {"step": "hand", "volunteer": "villager"}
    )
    refused = client.post(
        reverse("livelihood:order", args=[order.pk]), {"step": "accept"}, follow=True
    )
    assert "cannot be marked Accepted by the store now" in refused.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.CARRYING and order.volunteer == world.village_member


def test_an_order_of_another_county_is_not_found_and_a_leader_may_not_advance(
    world, zones, client_for
):
    order = _order(world, zones)
    other = client_for(world.other_county_staff)
    assert other.get(reverse("livelihood:order", args=[order.pk])).status_code == 404
    leader = client_for(world.leader)
    assert leader.get(reverse("livelihood:order", args=[order.pk])).status_code == 200
    assert (
        leader.post(reverse("livelihood:order", args=[order.pk]), {"step": "accept"}).status_code
        == 403
    )
    assert client_for(world.outsider).get(reverse("livelihood:orders")).status_code == 403


def test_the_link_is_issued_on_the_orders_page_with_its_refusal_shown(world, zones, client_for):
    _household, person = home(world.village)
    client = client_for(world.tracer)
    page = client.post(
        reverse("livelihood:orders"), {"form": "link", "person": person.pk, "gate": "东门"}
    )
    assert "is not in a sealed zone" in page.content.decode()
    zones.set(world.village, "sealed")
    page = client.post(
        reverse("livelihood:orders"), {"form": "link", "person": person.pk, "gate": "东门"}
    )
    assert "/livelihood/o/" in page.content.decode()


def test_the_care_list_masks_names_and_audits_the_read(world, client_for):
    _h, person = home(world.village, name="李阿婆")
    actions.do_add_care(person, kind=CareKind.ELDERLY_ALONE, acting_user=world.tracer)
    page = client_for(world.tracer).get(reverse("livelihood:care"))
    text = page.content.decode()
    assert "李**" in text and "李阿婆" not in text
    assert AuditEvent.objects.filter(action="livelihood.care.list.view").exists()
    other = client_for(world.other_county_staff).get(reverse("livelihood:care"))
    assert "李**" not in other.content.decode()


def test_the_api_advances_an_order_and_refuses_with_the_reason(world, zones, api_for):
    order = _order(world, zones)
    api = api_for(world.tracer)
    answer = api.post(
        f"/api/v1/livelihood/orders/{order.pk}/advance/", {"step": "deliver"}, format="json"
    )
    assert answer.status_code == 400
    assert "cannot be marked Delivered to the door now" in str(answer.json())
    answer = api.post(
        f"/api/v1/livelihood/orders/{order.pk}/advance/", {"step": "accept"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["state"] == "accepted"
    listed = api.get("/api/v1/livelihood/orders/").json()["results"]
    assert [o["id"] for o in listed] == [order.pk]
    assert AuditEvent.objects.filter(action="livelihood.orders.api_view").exists()
    assert (
        api_for(world.other_county_staff).get(f"/api/v1/livelihood/orders/{order.pk}/").status_code
        == 404
    )
    assert (
        api_for(world.leader)
        .post(f"/api/v1/livelihood/orders/{order.pk}/advance/", {"step": "gate"}, format="json")
        .status_code
        == 403
    )


def test_the_api_issues_a_link_only_inside_a_sealed_zone(world, zones, api_for):
    household, _p = home(world.village)
    api = api_for(world.tracer)
    refused = api.post(
        "/api/v1/livelihood/links/", {"household": household.pk, "gate": "东门"}, format="json"
    )
    assert refused.status_code == 400 and "is not in a sealed zone" in str(refused.json())
    zones.set(world.village, "sealed")
    issued = api.post(
        "/api/v1/livelihood/links/", {"household": household.pk, "gate": "东门"}, format="json"
    )
    assert issued.status_code == 201 and len(issued.json()["code"]) == 8


def test_the_api_checks_prices_and_sets_references(world, api_for):
    shop = store(world.village)
    good(price="10")
    api = api_for(world.tracer)
    answer = api.post(
        f"/api/v1/livelihood/facilities/{shop.pk}/prices/",
        {"good": "大米", "price": "13"},
        format="json",
    )
    assert answer.status_code == 201 and answer.json()["flagged"] is True
    assert (
        api.post(
            "/api/v1/livelihood/prices/", {"name": "油", "unit": "L", "price": "14"}, format="json"
        ).status_code
        == 403
    )
    assert (
        api_for(world.commander)
        .post(
            "/api/v1/livelihood/prices/", {"name": "油", "unit": "L", "price": "14"}, format="json"
        )
        .status_code
        == 200
    )
    flagged = api.get("/api/v1/livelihood/prices/?flagged=1").json()["results"]
    assert len(flagged) == 1
    assert (
        api_for(world.other_county_staff).get("/api/v1/livelihood/prices/").json()["results"] == []
    )


def test_the_api_adds_care_and_follow_ups(world, api_for):
    _h, person = home(world.village)
    api = api_for(world.village_member)
    made = api.post(
        "/api/v1/livelihood/care/",
        {"person": person.pk, "kind": "chronic_medicine", "needs": "胰岛素"},
        format="json",
    )
    assert made.status_code == 201
    care_id = made.json()["id"]
    done = api.post(
        f"/api/v1/livelihood/care/{care_id}/follow-ups/", {"note": "药已送到"}, format="json"
    )
    assert done.status_code == 201 and done.json()["overdue"] is False
    assert (
        api_for(world.other_county_staff)
        .post(f"/api/v1/livelihood/care/{care_id}/follow-ups/", {"note": "x"}, format="json")
        .status_code
        == 404
    )
