"""The tracing workbench pages: scoped, audited, refusing the wrong users."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhanyi.core.models import AuditEvent
from zhanyi.people import actions as people_actions
from zhanyi.people.models import Person
from zhanyi.tracing import actions
from zhanyi.tracing.models import Case, Contact, Exposure

from .factories import SYSTEM, at, case, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def traced(world):
    c = case(world.village)
    close = person(world.village, "李密接")
    actions.do_record_exposure(
        c,
        acting_user=SYSTEM,
        person_a=c.person,
        person_b=close,
        setting="household",
        exposed_at=at(13, 19),
    )
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=at(15))
    return c, close


def test_the_home_page_lists_the_cases_in_the_jurisdiction_with_figures(world, client_for, traced):
    c, _ = traced
    page = client_for(world.tracer).get(reverse("tracing:home"))
    assert page.status_code == 200
    assert c.person.name in page.content.decode()
    assert 'data-figure="tracing.close_contacts"' in page.content.decode()


def test_another_county_sees_no_case_and_gets_404_on_the_case(world, client_for, traced):
    c, _ = traced
    client = client_for(world.other_county_staff)
    assert c.person.name not in client.get(reverse("tracing:home")).content.decode()
    assert client.get(reverse("tracing:case", args=[c.pk])).status_code == 404
    assert client.post(reverse("tracing:expand", args=[c.pk])).status_code == 404


def test_an_outsider_is_refused_everywhere(world, client_for, traced):
    c, _ = traced
    client = client_for(world.outsider)
    for url in (
        reverse("tracing:home"),
        reverse("tracing:case", args=[c.pk]),
        reverse("tracing:contacts"),
        reverse("tracing:graph-data"),
    ):
        assert client.get(url).status_code == 403, url


def test_a_leader_may_read_but_not_write(world, client_for, traced):
    c, _ = traced
    client = client_for(world.leader)
    assert client.get(reverse("tracing:case", args=[c.pk])).status_code == 200
    assert client.post(reverse("tracing:expand", args=[c.pk])).status_code == 403
    assert client.get(reverse("tracing:case-create")).status_code == 403


def test_the_workbench_shows_contacts_by_kind_and_the_deadlines(world, client_for, traced):
    c, close = traced
    client = client_for(world.tracer)
    url = reverse("tracing:case", args=[c.pk])
    summary = client.get(url).content.decode()
    assert 'aria-current="page"' in summary and "tracing-graph" not in summary
    assert 'href="?tab=contacts"' in summary
    assert close.name in client.get(url + "?tab=contacts").content.decode()
    assert "tracing-graph" in client.get(url + "?tab=chain").content.decode()


def test_the_case_page_has_tabs_and_pages_its_contacts_and_exposures(world, client_for):
    """A case with 120 contacts: the contacts tab shows 50 a page, filters by
    kind and by name, and the exposures tab pages the same way; a bad tab is
    the summary."""
    index = case(world.village)
    people = [person(world.village) for _ in range(120)]
    for p in people:
        Exposure.objects.create(
            case=index, person_a=index.person, person_b=p, setting="household", exposed_at=at(13)
        )
    actions.do_expand_contacts([index], acting_user=SYSTEM, as_of=at(15))
    assert Contact.objects.filter(case=index).count() == 120
    client = client_for(world.tracer)
    url = reverse("tracing:case", args=[index.pk])
    first = client.get(url + "?tab=contacts").content.decode()
    assert first.count('class="mono"') == 50
    assert "tab=contacts&amp;kind=&amp;q=&amp;page=2" in first
    third = client.get(url + "?tab=contacts&page=3").content.decode()
    assert third.count('class="mono"') == 20
    named = client.get(url + f"?tab=contacts&q={people[7].name}").content.decode()
    assert people[7].name in named and named.count('class="mono"') >= 1
    none = client.get(url + "?tab=contacts&kind=companion").content.decode()
    assert none.count('class="mono"') == 0
    exposures = client.get(url + "?tab=exposures&page=3").content.decode()
    assert exposures.count(reverse("people:detail", args=[people[0].pk])) <= 1
    assert "tab=exposures&amp;page=2" in exposures
    assert client.get(url + "?tab=nonsense").status_code == 200


def test_the_contacts_list_is_one_row_per_person_naming_each_case(world, client_for):
    """A person exposed to two cases of one family is one row naming both."""
    first, second = case(world.village), case(world.village)
    shared, other = person(world.village), person(world.village)
    for index, exposed in ((first, shared), (second, shared), (second, other)):
        actions.do_record_exposure(
            index,
            acting_user=SYSTEM,
            person_a=index.person,
            person_b=exposed,
            setting="household",
            exposed_at=at(13, 19),
        )
    actions.do_expand_contacts([first, second], acting_user=SYSTEM, as_of=at(15))
    assert Contact.objects.filter(person=shared).count() == 2
    body = client_for(world.tracer).get(reverse("tracing:contacts")).content.decode()
    assert body.count(reverse("people:detail", args=[shared.pk])) == 1
    assert body.count(reverse("people:detail", args=[other.pk])) == 1
    for index in (first, second):
        assert reverse("tracing:case", args=[index.pk]) in body
        assert index.person.name in body
    assert "#" + str(first.pk) not in body


def test_a_tracer_enters_a_case_by_hand(world, client_for):
    p = person(world.village)
    response = client_for(world.tracer).post(
        reverse("tracing:case-create"),
        {
            "person_id": p.pk,
            "classification": "confirmed",
            "onset_date": "2021-09-12",
            "sampled_at": "2021-09-13T08:00",
            "reported_at": "2021-09-13T20:00",
            "protocol_name": "edition-8",
        },
    )
    c = Case.objects.get(person=p)
    assert response.status_code == 302
    assert response.url == reverse("tracing:case", args=[c.pk])


def test_a_case_for_a_person_of_another_county_is_refused(world, client_for):
    p = person(world.other_village)
    response = client_for(world.tracer).post(
        reverse("tracing:case-create"),
        {
            "person_id": p.pk,
            "classification": "confirmed",
            "sampled_at": "2021-09-13T08:00",
            "reported_at": "2021-09-13T20:00",
            "protocol_name": "edition-8",
        },
    )
    # A form error with the input kept, not a bare 404: the number is still in the box.
    assert response.status_code == 200
    page = response.content.decode()
    assert "不在您的管辖范围内" in page
    assert f'value="{p.pk}"' in page and "2021-09-13T20:00" in page
    assert p.name not in page
    assert not Case.objects.exists()


def test_recording_an_exposure_with_a_new_person_goes_through_the_duplicate_check(
    world, client_for, traced
):
    c, _ = traced
    close = people_actions.do_create_person(
        acting_user=world.tracer,
        data={"name": "张已在", "phone": "13912340000", "village": world.village},
    )
    client = client_for(world.tracer)
    url = reverse("tracing:exposure-add", args=[c.pk])
    form = {
        "name": close.name,
        "phone": "139 1234 0000",
        "setting": "meal",
        "exposed_at": "2021-09-13T12:00",
        "certainty": "confirmed",
    }
    response = client.post(url, form)
    assert response.status_code == 400
    page = response.content.decode()
    assert close.name in page
    assert re.search(rf'name="use_person"\s+value="{close.pk}"', page)
    assert Exposure.objects.count() == 1
    response = client.post(url, {**form, "name": "王新", "phone": "13912345678"})
    assert response.status_code == 302
    assert Person.objects.filter(name="王新", village=world.village).exists()
    assert Exposure.objects.count() == 2
    # "Use this person" from the warning: the exposure goes to the one in the index.
    response = client.post(url, {**form, "use_person": str(close.pk)})
    assert response.status_code == 302
    assert Exposure.objects.filter(person_b=close).count() == 1
    assert Person.objects.filter(name=close.name).count() == 1


def test_the_person_picker_finds_by_name_within_the_jurisdiction(world, client_for):
    mine = person(world.village, name="林小梅")
    theirs = person(world.other_village, name="林小梅")
    response = client_for(world.tracer).get(reverse("people:pick"), {"person_id__q": "小梅"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-pick="{mine.pk}"' in page
    assert f'data-pick="{theirs.pk}"' not in page
    assert AuditEvent.objects.filter(action="person.search", detail__via="picker").exists()


def test_a_case_is_entered_by_the_persons_number_typed_without_a_script(world, client_for):
    p = person(world.village, name="郑一鸣")
    response = client_for(world.tracer).post(
        reverse("tracing:case-create"),
        {
            "person_id__q": str(p.pk),
            "classification": "confirmed",
            "sampled_at": "2021-09-13T08:00",
            "reported_at": "2021-09-13T20:00",
            "protocol_name": "edition-8",
        },
    )
    assert response.status_code == 302
    assert Case.objects.get().person == p


def test_expanding_from_the_page_creates_the_contacts_and_an_audit_record(
    world, client_for, traced
):
    c, _ = traced
    new = person(world.village)
    actions.do_record_exposure(
        c,
        acting_user=SYSTEM,
        person_a=c.person,
        person_b=new,
        setting="vehicle",
        exposed_at=at(14, 8),
    )
    response = client_for(world.tracer).post(reverse("tracing:expand", args=[c.pk]))
    assert response.status_code == 302
    assert Contact.objects.filter(person=new, kind="close").exists()
    assert AuditEvent.objects.filter(action="contacts.expand", actor=world.tracer).exists()


def test_the_village_team_marks_a_contact_quarantined_from_its_list(world, client_for, traced):
    _, close = traced
    contact = Contact.objects.get(person=close)
    client = client_for(world.village_member)
    assert close.name in client.get(reverse("tracing:contacts")).content.decode()
    response = client.post(
        reverse("tracing:contact-quarantined", args=[contact.pk]),
        {"quarantined_at": "2021-09-15T10:00"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.quarantined_at is not None


def test_the_graph_names_its_people_links_each_node_and_is_audited(world, client_for, traced):
    c, close = traced
    client = client_for(world.tracer)
    data = client.get(reverse("tracing:graph-data") + f"?case={c.pk}").json()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert {str(c.person_id), str(close.pk)} <= set(nodes)
    # Names as the case page shows them, no internal number; the case is
    # labelled whatever the graph's size, and each node opens its page.
    case_node, contact_node = nodes[str(c.person_id)], nodes[str(close.pk)]
    assert case_node["name"].startswith(c.person.name) and "#" not in case_node["name"]
    assert case_node["label"] == {"show": True}
    assert case_node["url"] == reverse("tracing:case", args=[c.pk])
    assert contact_node["name"] == close.name
    assert contact_node["url"] == reverse("people:detail", args=[close.pk])
    # An exposure edge; infection edges (溯源) are drawn apart, and there is none here.
    assert data["links"] == [
        {"source": str(c.person_id), "target": str(close.pk), "kind": "exposure"}
    ]
    # On a wall screen the names are masked.
    masked = client.get(reverse("tracing:graph-data") + f"?case={c.pk}&masked=1").json()
    assert close.name not in str(masked)
    seen = AuditEvent.objects.filter(action="tracing.graph.view", object_id=str(c.pk))
    assert [e.detail for e in seen.order_by("pk")] == [
        {"people": 2, "masked": False},
        {"people": 2, "masked": True},
    ]


def test_a_tracer_records_the_transfer_to_hospital_and_bad_input_is_named(
    world, client_for, traced
):
    c, _ = traced
    client = client_for(world.tracer)
    url = reverse("tracing:case-update", args=[c.pk])
    form = {
        "classification": "confirmed",
        "onset_date": "2021-09-13",
        "isolated_at": "2021-09-14T21:00",
        "hospital": "厦门市定点医院",
        "transferred_at": "2021-09-15T10:00",
    }
    assert client.post(url, form).status_code == 302
    c.refresh_from_db()
    assert c.hospital == "厦门市定点医院"
    response = client.post(url, {**form, "onset_date": "2021-09-30"})
    assert response.status_code == 400
    c.refresh_from_db()
    assert str(c.onset_date) == "2021-09-13"


def test_the_village_team_releases_a_contact_with_a_reason(world, client_for, traced):
    _, close = traced
    contact = Contact.objects.get(person=close)
    client = client_for(world.village_member)
    url = reverse("tracing:contact-release", args=[contact.pk])
    assert f'action="{url}"' in client.get(reverse("tracing:contacts")).content.decode()
    client.post(url, {"reason": ""})
    contact.refresh_from_db()
    assert contact.released_at is None
    assert client.post(url, {"reason": "核实非密接"}).status_code == 302
    contact.refresh_from_db()
    assert contact.released_at is not None
    other = client_for(world.other_county_staff)
    assert other.post(url, {"reason": "x"}).status_code == 404


def test_the_contacts_page_audits_the_contacts_it_shows(world, client_for):
    """Issue 14, finding 8: the list of contacts (with phones) was read unrecorded."""
    from zhanyi.tracing.models import Contact, ContactKind

    from .factories import at, case

    c = case(world.village)
    shown = Contact.objects.create(
        case=c,
        person=person(world.village2),
        area=world.village2,
        kind=ContactKind.CLOSE,
        first_exposure_at=at(12),
        last_exposure_at=at(12),
        identified_at=at(14, 22),
        protocol=c.protocol,
    )
    client_for(world.village_member).get(reverse("tracing:contacts"))
    client_for(world.tracer).get(reverse("tracing:contacts"))
    events = AuditEvent.objects.filter(action="contact.list").order_by("pk")
    assert [e.detail["ids"] for e in events] == [[], [shown.pk]]
