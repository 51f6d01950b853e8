"""Lists of personal data are bounded and audited with what they showed (issue 14,
finding 8; the 64-bit part of finding 13)."""

from __future__ import annotations

from zhanyi.core.models import AuditEvent

from .factories import make_person


def test_a_list_gives_at_most_500_persons_a_page_and_audits_their_ids(world, api_for):
    from zhanyi.people.models import Person

    for i in range(3):
        make_person(world.village, f"张{i}")
    body = api_for(world.tracer).get("/api/v1/people/", {"limit": 100000}).json()
    assert body["count"] == 3 and len(body["results"]) == 3
    event = AuditEvent.objects.get(action="person.search")
    assert sorted(event.detail["ids"]) == sorted(Person.objects.values_list("pk", flat=True))
    from zhanyi.core.api import BoundedPagination

    assert BoundedPagination.max_limit == 500


def test_a_limit_or_offset_beyond_64_bits_is_not_a_server_error(world, api_for):
    make_person(world.village, "张三")
    huge = str(2**70)
    api = api_for(world.tracer)
    assert api.get("/api/v1/people/", {"limit": huge}).status_code == 200
    assert api.get("/api/v1/people/", {"offset": huge}).json()["results"] == []
    assert api.get(f"/api/v1/people/{huge}/").status_code == 404


def test_the_web_search_audits_the_persons_it_showed(world, client_for):
    person = make_person(world.village, "张三")
    client_for(world.tracer).get("/people/", {"q": "张三"})
    assert AuditEvent.objects.get(action="person.search").detail["ids"] == [person.pk]
