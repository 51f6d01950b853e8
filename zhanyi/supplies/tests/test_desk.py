"""The desk page, the API, the figures, the forecast and the command line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from zhanyi.core.metrics import compute
from zhanyi.supplies.queries import forecast_for

from .factories import holder, item

pytestmark = pytest.mark.django_db
URL = "/api/v1/supplies/"


def test_the_desk_shows_days_of_cover_red_below_target_and_the_alert(world, client_for):
    holder(world.county, stock={"protective_suits": (6000, 300), "masks": (90000, 2000)})
    page = client_for(world.tracer).get(reverse("supplies:home")).content.decode()
    assert 'class="below"' in page and "20.0 d" in page and "45.0 d" in page
    assert "20.0 days of cover, target 30" in page
    assert "Forecast for" in page


def test_a_movement_refused_on_the_desk_says_the_stock_on_hand(world, client_for):
    h = holder(world.county, stock={"masks": (10, 0)})
    page = client_for(world.tracer).post(
        reverse("supplies:home"),
        {
            "form": "movement",
            "holder": h.pk,
            "item": item().pk,
            "kind": "issued",
            "quantity": 50,
            "document_number": "CK-1",
        },
        follow=True,
    )
    assert "has 10 pieces of Masks on hand: 50 cannot be issued" in page.content.decode()


def test_the_desk_refuses_writes_to_a_leader_and_everything_to_an_outsider(world, client_for):
    assert client_for(world.leader).get(reverse("supplies:home")).status_code == 200
    assert (
        client_for(world.leader).post(reverse("supplies:home"), {"form": "check"}).status_code
        == 403
    )
    assert client_for(world.outsider).get(reverse("supplies:home")).status_code == 403


def test_the_api_lists_cover_refuses_below_zero_and_hides_another_county(world, api_for):
    holder(world.county, stock={"masks": (100, 10)})
    api = api_for(world.tracer)
    [row] = api.get(URL + "holders/").json()["results"]
    masks = next(s for s in row["stock"] if s["item"] == "masks")
    assert masks["days_of_cover"] == 10.0 and masks["below_target"] is True
    refused = api.post(
        URL + "movements/",
        {
            "holder": "芗城区医院",
            "item": "masks",
            "kind": "issued",
            "quantity": 101,
            "document_number": "CK",
        },
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["quantity"] == [
        "芗城区医院 has 100 pieces of Masks on hand: 101 cannot be issued."
    ]
    assert api.get(URL + "alerts/").json()["results"][0]["target_days"] == 30
    other = api_for(world.other_county_staff)
    assert other.get(URL + "holders/").json()["results"] == []
    assert (
        other.post(
            URL + "movements/",
            {
                "holder": "芗城区医院",
                "item": "masks",
                "kind": "received",
                "quantity": 1,
                "document_number": "x",
            },
            format="json",
        ).status_code
        == 400
    )
    assert api_for(world.leader).post(URL + "peak-use/", {}, format="json").status_code == 403


def test_the_figures_and_the_forecast_follow_the_stock(world):
    holder(world.county, stock={"masks": (1000, 100)})
    values = {
        f["name"]: f["value"]
        for f in compute(None, world.county)
        if f["name"].startswith("supplies.")
    }
    assert values["supplies.below_target"] == 1 and values["supplies.masks"] == 1000
    inputs, result = forecast_for(world.county)
    masks = next(f for f in result if f.item == "masks")
    assert inputs["days"] == 14 and masks.daily_use[0] == 100.0
    assert masks.shortfall == 400 and masks.runs_out_on is not None
    assert values["supplies.shortfalls"] >= 1
    assert {f["name"]: f["value"] for f in compute(["supplies.masks"], world.other_county)} == {
        "supplies.masks": 0
    }


def test_the_command_line_moves_stock_and_refuses_below_zero(world):
    out = StringIO()
    call_command("supplies", "items", stdout=out)
    call_command(
        "supplies",
        "holder",
        "create",
        "命令医院",
        "--kind",
        "hospital",
        "--area",
        world.county.code,
        stdout=out,
    )
    call_command(
        "supplies", "receive", "命令医院", "gloves", "100", "--document", "RK-1", stdout=out
    )
    with pytest.raises(CommandError) as refused:
        call_command("supplies", "issue", "命令医院", "gloves", "200", "--document", "CK-1")
    assert "has 100 pieces of Gloves on hand: 200 cannot be issued" in str(refused.value)
    call_command("supplies", "peak", "命令医院", "gloves", "10", stdout=out)
    cover = StringIO()
    call_command("supplies", "cover", "--json", stdout=cover)
    assert json.loads(cover.getvalue())[0]["days_of_cover"] == 10.0
