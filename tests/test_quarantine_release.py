"""Quarantine meets testing: the protocol's release needs negative results on its
test days (testing's samples, read through the health-code facts), and a
positive ends the placement; the test spans both apps."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.models import Handoff, HandoffKind
from zhanyi.quarantine import actions as quarantine
from zhanyi.quarantine.models import Monitoring, PlacementState, RoomState
from zhanyi.quarantine.tests.factories import person as resident
from zhanyi.quarantine.tests.factories import site as quarantine_site
from zhanyi.quarantine.tests.factories import waiting
from zhanyi.testing.tests.factories import SYSTEM, deliver_and_receive, lab, report, scan, site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _tested(p, barcode, at, result, sampling, laboratory):
    scan(barcode, [p], site=sampling, purpose="scheduled", pool_size=1, sampled_at=at)
    deliver_and_receive(sampling, laboratory, [barcode])
    report(laboratory, {barcode: result})


def _placed_15_days_ago(world):
    s = quarantine_site(world.county)
    p = resident(world.village, "隔离甲")
    found = timezone.now() - dt.timedelta(days=15)
    placement = quarantine.do_place(
        waiting(p, identified_at=found),
        s.rooms.first(),
        acting_user=SYSTEM,
        now=found + dt.timedelta(hours=2),
    )
    return p, placement


def test_release_follows_the_engines_rule_and_hands_on_to_home_monitoring(world):
    p, placement = _placed_15_days_ago(world)
    sampling, laboratory = site(world.village), lab(world.city)
    day = placement.starts_at + dt.timedelta(hours=10)
    _tested(p, "QT01", day, "negative", sampling, laboratory)
    with pytest.raises(ValidationError) as refused:
        quarantine.do_release(placement, acting_user=SYSTEM, different_reagents=True)
    assert "The last 2 samples must be negative." in str(refused.value)
    _tested(p, "QT14", day + dt.timedelta(days=13), "negative", sampling, laboratory)
    with pytest.raises(ValidationError) as refused:
        quarantine.do_release(placement, acting_user=SYSTEM)
    assert "tested with different reagents" in str(refused.value)
    released = quarantine.do_release(placement, acting_user=SYSTEM, different_reagents=True)
    assert released.state == PlacementState.RELEASED
    assert released.room.state == RoomState.CLEANING
    monitoring = Handoff.objects.get(key=f"quarantine.placement:{placement.pk}:monitoring")
    assert monitoring.kind == HandoffKind.CONTROL
    assert monitoring.detail == {"measure": "home_health_monitoring", "days": 7}
    home = Monitoring.objects.get(placement=placement)
    assert (home.kind, (home.ends_at - home.starts_at).days) == ("home_health_monitoring", 7)


def test_a_positive_ends_the_placement_and_the_room_goes_to_cleaning(world):
    p, placement = _placed_15_days_ago(world)
    sampling, laboratory = site(world.village), lab(world.city)
    _tested(p, "QP01", placement.starts_at + dt.timedelta(days=3), "positive", sampling, laboratory)
    assert quarantine.do_end_positives(acting_user=SYSTEM) == 1
    placement.refresh_from_db()
    assert placement.state == PlacementState.POSITIVE
    assert placement.room.state == RoomState.CLEANING


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages)


def test_the_notice_and_the_certificate_print_in_chinese(world, client_for):
    p, placement = _placed_15_days_ago(world)
    client = client_for(world.tracer)
    notice = client.get(reverse("quarantine:document", args=[placement.pk, "notice"]))
    assert notice["Content-Type"] == "application/pdf"
    text = _pdf_text(notice.content)
    assert "隔离告知书" in text and "隔离甲" in text
    assert (
        client.get(reverse("quarantine:document", args=[placement.pk, "certificate"])).status_code
        == 400
    )
    sampling, laboratory = site(world.village), lab(world.city)
    day = placement.starts_at + dt.timedelta(hours=10)
    for n, barcode in ((7, "QC07"), (14, "QC14")):
        _tested(p, barcode, day + dt.timedelta(days=n - 1), "negative", sampling, laboratory)
    quarantine.do_release(placement, acting_user=SYSTEM, different_reagents=True)
    bulk = client.get(reverse("quarantine:site-documents", args=[placement.site_id, "certificate"]))
    text = _pdf_text(bulk.content)
    assert "解除隔离证明" in text and "隔离甲" in text
    assert Monitoring.objects.get(placement=placement).code in text
    assert AuditEvent.objects.filter(action="quarantine.certificate.print").exists()
    other = client_for(world.other_county_staff)
    assert (
        other.get(reverse("quarantine:document", args=[placement.pk, "notice"])).status_code == 404
    )
