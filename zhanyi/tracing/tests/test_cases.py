"""Cases: created by hand or from a positive result, with their deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhanyi.core.models import AuditEvent
from zhanyi.tracing import actions
from zhanyi.tracing.models import Case

from .factories import SYSTEM, at, case, person

pytestmark = pytest.mark.django_db


def test_a_positive_result_becomes_an_asymptomatic_case_with_deadlines_from_the_protocol(world):
    p = person(world.village)
    c = actions.do_create_case_from_result(
        person=p,
        sampled_at=at(14, 8),
        reported_at=at(14, 20),
        source="testing.tube:ZZ1",
        acting_user=world.tracer,
    )
    assert c.classification == "asymptomatic"
    assert c.area == world.village
    assert c.protocol == "edition-8"
    assert c.report_due_at == at(14, 22)
    assert c.investigation_due_at == at(15, 20)
    assert c.isolated_at == at(14, 20)
    assert AuditEvent.objects.filter(action="case.create", object_id=str(c.pk)).count() == 1


def test_the_same_result_twice_gives_the_same_case(world):
    p = person(world.village)
    kwargs = {
        "person": p,
        "sampled_at": at(14, 8),
        "reported_at": at(14, 20),
        "source": "testing.tube:ZZ2",
        "acting_user": world.tracer,
    }
    first = actions.do_create_case_from_result(**kwargs)
    second = actions.do_create_case_from_result(**kwargs, classification="confirmed")
    assert first.pk == second.pk
    assert Case.objects.count() == 1


def test_a_case_under_the_ninth_edition_uses_its_deadlines_and_name(world):
    c = case(world.village, protocol_name="edition-9")
    assert c.protocol == "edition-9"


def test_an_unknown_protocol_is_refused_naming_it(world):
    with pytest.raises(ValidationError) as error:
        case(world.village, protocol_name="edition-99")
    assert "edition-99" in str(error.value)
    assert not Case.objects.exists()


def test_a_result_reported_before_its_sample_is_refused(world):
    with pytest.raises(ValidationError) as error:
        case(world.village, sampled_at=at(14, 20), reported_at=at(14, 8))
    assert "reported_at" in error.value.error_dict


def test_a_result_reported_in_the_future_is_refused_naming_reported_at(world):
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as error:
        case(world.village, sampled_at=later, reported_at=later, isolated_at=None)
    assert list(error.value.error_dict) == ["reported_at"]
    assert not Case.objects.exists()


def test_a_case_filed_late_is_flagged_as_a_late_report(world):
    c = case(world.village, reported_at=at(14, 20))
    # Filed now, years after 2021: far past the 2-hour deadline.
    assert c.report_overdue


def test_an_investigation_past_24_hours_is_overdue_until_done_and_then_late(world):
    c = case(world.village)
    assert c.investigation_overdue(now=c.reported_at + dt.timedelta(hours=24)) is False
    assert c.investigation_overdue(now=c.reported_at + dt.timedelta(hours=24, seconds=1))
    done = actions.do_complete_investigation(c, acting_user=world.tracer)
    assert done.status == "investigated"
    assert done.investigation_overdue()  # done in 2026 for a 2021 case: late


def test_a_tracer_of_another_county_cannot_create_a_case_here(world):
    with pytest.raises(PermissionDenied):
        case(world.village, acting_user=world.other_county_staff)
    assert not Case.objects.exists()


def test_an_outsider_cannot_create_a_case(world):
    with pytest.raises(PermissionDenied):
        case(world.village, acting_user=world.outsider)


def test_a_leader_cannot_create_a_case(world):
    with pytest.raises(PermissionDenied):
        case(world.village, acting_user=world.leader)


def test_a_person_without_a_village_cannot_become_a_case(world):
    p = person(None)
    with pytest.raises(ValidationError) as error:
        actions.do_create_case(
            acting_user=SYSTEM,
            person=p,
            classification="confirmed",
            sampled_at=at(14, 8),
            reported_at=at(14, 20),
        )
    assert "person" in error.value.error_dict
