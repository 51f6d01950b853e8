"""One person, one case (issue 14, finding 3): the new-case form sent twice, in a
row or at the same moment, files one case; a case filed in error is voided, with
a reason, by a user who may, on the record, and counts and contacts follow."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhanyi.core import metrics
from zhanyi.core.db import dialect
from zhanyi.core.models import AuditEvent
from zhanyi.tracing import actions
from zhanyi.tracing.models import Case, Contact, ContactKind

from .factories import SYSTEM, at, case, person

FORM = {
    "classification": "confirmed",
    "onset_date": "2021-09-12",
    "sampled_at": "2021-09-13T08:00",
    "reported_at": "2021-09-13T20:00",
    "protocol_name": "edition-8",
}


def figure(name: str, area) -> int:
    return metrics.compute([name], area)[0]["value"]


def _new_case(p, acting_user=SYSTEM):
    return actions.do_create_case(
        acting_user=acting_user,
        person=p,
        classification="confirmed",
        sampled_at=at(13, 8),
        reported_at=at(13, 20),
    )


def test_the_form_sent_twice_in_a_row_files_one_case_and_lands_on_it(world, client_for):
    p = person(world.village)
    client = client_for(world.tracer)
    first = client.post(reverse("tracing:case-create"), {"person_id": p.pk, **FORM})
    second = client.post(reverse("tracing:case-create"), {"person_id": p.pk, **FORM})
    (only,) = Case.objects.filter(person=p)
    assert first.url == second.url == reverse("tracing:case", args=[only.pk])
    assert AuditEvent.objects.filter(action="case.create").count() == 1


def test_the_api_answers_a_second_case_for_the_person_with_409_naming_the_first(world, api_for):
    p = person(world.village)
    body = {
        "person": p.pk,
        "classification": "confirmed",
        "sampled_at": "2021-09-13T08:00:00+08:00",
        "reported_at": "2021-09-13T20:00:00+08:00",
    }
    api = api_for(world.tracer)
    assert api.post("/api/v1/tracing/cases/", body, format="json").status_code == 201
    again = api.post("/api/v1/tracing/cases/", body, format="json")
    assert again.status_code == 409
    assert again.json()["case"] == Case.objects.get(person=p).pk


def test_a_second_positive_result_of_a_person_is_the_same_case(world):
    p = person(world.village)
    first = actions.do_create_case_from_result(
        person=p, sampled_at=at(13, 8), reported_at=at(13, 20), source="t:1", acting_user=SYSTEM
    )
    second = actions.do_create_case_from_result(
        person=p, sampled_at=at(14, 8), reported_at=at(14, 20), source="t:2", acting_user=SYSTEM
    )
    assert first == second and Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_form_sent_twice_at_the_same_moment_files_one_case():
    """Two requests racing on PostgreSQL: the live-case key lets one in, the other
    is told the person has a case."""
    if not dialect.is_postgresql():
        pytest.skip("two writers at once need PostgreSQL; SQLite locks the file")
    import threading

    from django.db import close_old_connections

    from zhanyi.accounts.testing import build_world

    world = build_world()
    p = person(world.village)
    start = threading.Barrier(2)
    outcomes: list = [None, None]

    def submit(i: int) -> None:
        try:
            start.wait(10)
            outcomes[i] = _new_case(p, acting_user=world.tracer)
        except ValidationError as error:
            outcomes[i] = error
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    filed = [o for o in outcomes if isinstance(o, Case)]
    refused = [o for o in outcomes if isinstance(o, actions.DuplicateCase)]
    assert len(filed) == 1 and len(refused) == 1, outcomes
    assert refused[0].case == filed[0]
    assert Case.objects.filter(person=p).count() == 1


@pytest.fixture
def with_contacts(world):
    c = case(world.village)
    close = person(world.village2)
    Contact.objects.create(
        case=c,
        person=close,
        area=world.village2,
        kind=ContactKind.CLOSE,
        first_exposure_at=at(12),
        last_exposure_at=at(12),
        identified_at=at(14, 22),
        protocol=c.protocol,
    )
    return c, close


def test_a_commander_voids_a_case_and_counts_contacts_and_codes_follow(
    world, with_contacts, client_for
):
    c, close = with_contacts
    assert figure("tracing.cases", world.city) == 1
    assert figure("tracing.close_contacts", world.city) == 1
    response = client_for(world.commander).post(
        reverse("tracing:case-void", args=[c.pk]), {"reason": "filed twice for one person"}
    )
    assert response.status_code == 302
    assert figure("tracing.cases", world.city) == 0
    assert figure("tracing.close_contacts", world.city) == 0
    voided = Case.all_objects.get(pk=c.pk)
    assert voided.void_reason == "filed twice for one person"
    assert voided.voided_by_name == "commander"
    assert Contact.objects.get(person=close).released_at == voided.voided_at
    event = AuditEvent.objects.get(action="case.void")
    assert event.detail["reason"] == "filed twice for one person"
    assert event.detail["contacts"] == [Contact.objects.get(person=close).pk]
    assert client_for(world.commander).get(reverse("tracing:case", args=[c.pk])).status_code == 404
    # The person's code no longer comes from the voided case.
    from zhanyi.people.models import HealthCode

    code = HealthCode.objects.filter(person_id=c.person_id).first()
    assert code is None or code.colour != "red"
    # The person may be filed again, properly.
    assert _new_case(c.person).pk != c.pk


def test_voiding_needs_approve_a_reason_and_the_jurisdiction(world, with_contacts, api_for):
    c, _close = with_contacts
    for user in (world.tracer, world.village_member, world.leader):
        refused = api_for(user).post(
            f"/api/v1/tracing/cases/{c.pk}/void/", {"reason": "x"}, format="json"
        )
        assert refused.status_code == 403
    assert api_for(world.other_county_staff).post(
        f"/api/v1/tracing/cases/{c.pk}/void/", {"reason": "x"}, format="json"
    ).status_code in (403, 404)
    with pytest.raises(ValidationError):
        actions.do_void_case(c, acting_user=world.commander, reason="   ")
    with pytest.raises(PermissionDenied):
        actions.do_void_case(c, acting_user=world.tracer, reason="a reason")
    ok = api_for(world.commander).post(
        f"/api/v1/tracing/cases/{c.pk}/void/", {"reason": "wrong person"}, format="json"
    )
    assert ok.status_code == 204
    assert not Case.objects.filter(pk=c.pk).exists()
    again = api_for(world.commander).post(
        f"/api/v1/tracing/cases/{c.pk}/void/", {"reason": "again"}, format="json"
    )
    assert again.status_code == 404
