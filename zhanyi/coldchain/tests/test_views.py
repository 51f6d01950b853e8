from __future__ import annotations

import io

import pytest
from django.urls import reverse

from zhanyi.coldchain.models import Batch, BatchState
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.models import Handoff

from .factories import ACTOR, ARRIVED, batch, person, released, store

pytestmark = pytest.mark.django_db


def test_the_desk_sees_the_batches_and_a_release_refused_shows_what_is_missing(world, client_for):
    b = batch(store(world.county), documents={"inspection_certificate": "JY1"})
    client = client_for(world.tracer)
    page = client.get(reverse("coldchain:home"))
    assert page.status_code == 200 and "CC001" in page.content.decode()
    refused = client.post(reverse("coldchain:batch", args=[b.pk]), {"form": "release"}, follow=True)
    text = refused.content.decode()
    missing = "nucleic-acid report, disinfection certificate, traceability code"
    assert f"cannot be released: missing the {missing}" in text
    client.post(
        reverse("coldchain:batch", args=[b.pk]),
        {
            "form": "documents",
            "inspection_certificate": "JY1",
            "nucleic_acid_report": "HS1",
            "disinfection_certificate": "XD1",
            "traceability_code": "ZS1",
        },
    )
    client.post(reverse("coldchain:batch", args=[b.pk]), {"form": "release"})
    b.refresh_from_db()
    assert b.state == BatchState.RELEASED


def test_a_positive_sample_from_the_page_traces_and_the_page_view_is_audited(world, client_for):
    b = released(store(world.county))
    from zhanyi.coldchain import actions

    worker = person(world.village, "张三丰")
    actions.do_record_handling(b, worker, step="unloading", handled_at=ARRIVED, acting_user=ACTOR)
    client = client_for(world.tracer)
    page = client.get(reverse("coldchain:batch", args=[b.pk])).content.decode()
    assert "张**" in page and "张三丰" not in page
    assert AuditEvent.objects.get(action="coldchain.batch.view").detail["persons"] == [worker.pk]
    done = client.post(
        reverse("coldchain:batch", args=[b.pk]),
        {
            "form": "sample",
            "kind": "environment",
            "result": "positive",
            "sampled_at": "2021-09-16T10:00",
        },
        follow=True,
    )
    assert "1 people handed to testing" in done.content.decode()
    assert Handoff.objects.filter(kind="test", person=worker).exists()


def test_a_spreadsheet_uploaded_on_the_page_shows_its_refused_rows(world, client_for):
    store(world.county)
    data = (
        "批次号,品名,原产国,重量,冷库,到港日期,检验检疫证明,核酸检测报告,消毒证明,追溯码\n"
        "B1,猪肉,巴西,10,芗城冷库,2021-09-14,J,H,X,Z\nB2,猪肉,巴西,,芗城冷库,2021-09-14,J,H,X,Z\n"
    ).encode()
    upload = io.BytesIO(data)
    upload.name = "customs.csv"
    client = client_for(world.tracer)
    page = client.post(reverse("coldchain:home"), {"form": "import", "file": upload}, follow=True)
    text = page.content.decode()
    assert "Row 3: no weight" in text and Batch.objects.filter(code="B1").exists()
    run_id = page.resolver_match.kwargs["run_id"]
    errors = client.get(reverse("coldchain:import-errors", args=[run_id]))
    assert errors.status_code == 200 and errors.content[:2] == b"PK"
    other = client_for(world.other_county_staff)
    assert other.get(reverse("coldchain:import", args=[run_id])).status_code == 404


def test_another_countys_batch_is_not_found(world, client_for):
    b = batch(store(world.county))
    assert (
        client_for(world.other_county_staff)
        .get(reverse("coldchain:batch", args=[b.pk]))
        .status_code
        == 404
    )


def test_a_leader_reads_but_may_not_release(world, client_for):
    b = batch(store(world.county))
    client = client_for(world.leader)
    assert client.get(reverse("coldchain:home")).status_code == 200
    assert (
        client.post(reverse("coldchain:batch", args=[b.pk]), {"form": "release"}).status_code == 403
    )


def test_an_outsider_is_refused(world, client_for):
    assert client_for(world.outsider).get(reverse("coldchain:home")).status_code == 403
