from __future__ import annotations

import pytest
from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.models import Handoff

from .factories import person, store

pytestmark = pytest.mark.django_db

URL = "/api/v1/coldchain/"


def test_a_batch_is_recorded_refused_release_then_traced_through_the_api(world, api_for):
    store(world.county)
    api = api_for(world.tracer)
    made = api.post(
        URL + "batches/",
        {
            "code": "API1",
            "product": "冷冻虾",
            "origin_country": "厄瓜多尔",
            "weight_tonnes": "5",
            "store": "芗城冷库",
            "arrived_at": "2021-09-14T08:00:00+08:00",
            "documents": {"inspection_certificate": "J1"},
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["state"] == "held"
    batch_id = made.json()["id"]
    refused = api.post(f"{URL}batches/{batch_id}/release/")
    assert refused.status_code == 400
    assert "missing the nucleic-acid report" in refused.json()["state"][0]
    api.post(
        f"{URL}batches/{batch_id}/documents/",
        {
            "documents": {
                "nucleic_acid_report": "H",
                "disinfection_certificate": "X",
                "traceability_code": "Z",
            }
        },
        format="json",
    )
    assert api.post(f"{URL}batches/{batch_id}/release/").json()["state"] == "released"
    buyer = person(world.village, "买家")
    sent = api.post(
        f"{URL}batches/{batch_id}/distributions/",
        {
            "buyer": "市场",
            "receiver": buyer.pk,
            "quantity_tonnes": "1",
            "delivered_on": timezone.localdate().isoformat(),
            "area": world.village.code,
        },
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    traced = api.post(
        f"{URL}batches/{batch_id}/samples/",
        {"kind": "product", "result": "positive", "sampled_at": "2021-09-20T08:00:00+08:00"},
        format="json",
    )
    assert traced.json() == {"id": traced.json()["id"], "batch_state": "sealed", "traced_people": 1}
    assert Handoff.objects.filter(kind="test", person=buyer).exists()
    detail = api.get(f"{URL}batches/{batch_id}/").json()
    assert detail["distributions"][0]["name"] == "买*"
    assert AuditEvent.objects.filter(action="coldchain.batch.api_view").exists()


def test_another_county_and_a_leader_are_refused(world, api_for):
    store(world.county)
    api = api_for(world.tracer)
    batch_id = api.post(
        URL + "batches/",
        {
            "code": "API2",
            "product": "p",
            "origin_country": "c",
            "weight_tonnes": "5",
            "store": "芗城冷库",
            "arrived_at": "2021-09-14T08:00:00+08:00",
        },
        format="json",
    ).json()["id"]
    assert api_for(world.other_county_staff).get(f"{URL}batches/{batch_id}/").status_code == 404
    assert api_for(world.other_county_staff).get(URL + "batches/").json()["results"] == []
    assert api_for(world.leader).post(f"{URL}batches/{batch_id}/release/").status_code == 403
    assert api_for(world.outsider).get(URL + "batches/").status_code == 403
