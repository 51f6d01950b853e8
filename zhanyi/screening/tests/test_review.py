"""The review queue: a user who may merge persons confirms a candidate or rejects them all."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhanyi.people.models import Person, SourceRecord
from zhanyi.screening.actions import do_confirm_candidate, do_reject_candidates
from zhanyi.screening.models import Decision, PushList, PushRecord, ScreeningTask

from .conftest import address_of


def pending(world, putian, index, name="陈建国", **extra) -> PushRecord:
    now = timezone.now()
    push_list, _ = PushList.objects.get_or_create(
        file_hash="f" * 64,
        defaults={
            "source": putian,
            "filename": "list.csv",
            "file_format": "csv",
            "received_at": now,
        },
    )
    values = {
        "push_list": push_list,
        "source": putian,
        "row_number": PushRecord.objects.count() + 2,
        "fingerprint": f"{PushRecord.objects.count():064d}",
        "name": name,
        "phone": "+8613905961999",
        "address": address_of(world, "village", "胜利路1号"),
        "category": "close_contact",
        "received_at": now,
        "decision": Decision.REVIEW,
        "match_probability": 0.7,
        "candidates": [index["陈建国"].pk, index["林秀英"].pk],
        "village": world.village,
        "resolved_area": world.village,
    }
    values.update(extra)
    return PushRecord.objects.create(**values)


def test_confirming_a_candidate_links_and_dispatches_the_record(world, index, putian):
    record = pending(world, putian, index)
    do_confirm_candidate(record, index["陈建国"], acting_user=world.tracer)
    record.refresh_from_db()
    assert record.person == index["陈建国"]
    assert record.decision == Decision.LINK and record.reviewed_by_name == "tracer"
    assert record.task.area == world.village
    assert SourceRecord.objects.filter(person=index["陈建国"], source="push_list").count() == 1


def test_rejecting_the_candidates_creates_a_new_person_and_a_task(world, index, putian):
    record = pending(world, putian, index, name="陈建果")
    before = Person.objects.count()
    do_reject_candidates(record, acting_user=world.tracer)
    record.refresh_from_db()
    assert Person.objects.count() == before + 1
    assert record.person.name == "陈建果" and record.decision == Decision.NEW
    assert ScreeningTask.objects.get(person=record.person).area == world.village


def test_a_person_not_among_the_candidates_cannot_be_confirmed(world, index, putian):
    record = pending(world, putian, index)
    with pytest.raises(ValidationError):
        do_confirm_candidate(record, index["王芳"], acting_user=world.tracer)


def test_a_record_is_reviewed_only_once(world, index, putian):
    record = pending(world, putian, index)
    do_confirm_candidate(record, index["陈建国"], acting_user=world.tracer)
    with pytest.raises(ValidationError):
        do_reject_candidates(record, acting_user=world.tracer)


def test_a_field_member_a_leader_and_another_county_cannot_review(world, index, putian):
    record = pending(world, putian, index)
    for user in (world.village_member, world.leader, world.other_county_staff, world.outsider):
        with pytest.raises(PermissionDenied):
            do_confirm_candidate(record, index["陈建国"], acting_user=user)


def test_the_review_page_confirms_a_candidate(world, index, putian, client_for):
    record = pending(world, putian, index)
    client = client_for(world.tracer)
    page = client.get(f"/screening/review/{record.pk}/")
    assert page.status_code == 200
    assert "陈建国" in page.content.decode()
    response = client.post(
        f"/screening/review/{record.pk}/", {"decision": "confirm", "person": index["陈建国"].pk}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.person == index["陈建国"]


def test_the_review_queue_of_another_county_does_not_show_the_record(
    world, index, putian, client_for
):
    record = pending(world, putian, index)
    client = client_for(world.other_county_staff)
    assert client.get(f"/screening/review/{record.pk}/").status_code == 404
    assert "陈建国" not in client.get("/screening/review/").content.decode()
