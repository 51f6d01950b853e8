"""Merging and undoing on the web."""

from __future__ import annotations

from zhanyi.people.models import Person, PersonMerge

from .factories import make_person


def test_choosing_the_other_record_shows_both_before_merging(world, client_for):
    person, other = make_person(world.village, "张三"), make_person(world.village, "张叁")
    client = client_for(world.tracer)
    picker = client.get(
        "/people/", {"q": "张", "pick_for": person.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f"/people/{person.pk}/merge/?other={other.pk}" in picker
    page = client.get(f"/people/{person.pk}/merge/", {"other": other.pk}).content.decode()
    assert "张三" in page and "张叁" in page and "Merge the two records" in page
    assert not PersonMerge.objects.exists()


def test_posting_with_a_reason_merges_and_the_undo_page_reverts_it(world, client_for):
    person, other = make_person(world.village, "张三"), make_person(world.village, "张叁")
    client = client_for(world.tracer)
    response = client.post(f"/people/{person.pk}/merge/", {"other": other.pk, "reason": "同一人"})
    assert response["Location"] == f"/people/{person.pk}/"
    merge = PersonMerge.objects.get()
    assert Person.objects.get(pk=other.pk).merged_into == person
    assert "Undo the merge" in client.get(f"/people/merges/{merge.pk}/undo/").content.decode()
    response = client.post(f"/people/merges/{merge.pk}/undo/")
    assert response["Location"] == f"/people/{other.pk}/"
    assert Person.objects.get(pk=other.pk).merged_into is None
    again = client.post(f"/people/merges/{merge.pk}/undo/", follow=True).content.decode()
    assert "undone already" in again


def test_a_merge_without_a_reason_is_refused_on_the_form(world, client_for):
    person, other = make_person(world.village, "张三"), make_person(world.village, "张叁")
    page = (
        client_for(world.tracer)
        .post(f"/people/{person.pk}/merge/", {"other": other.pk, "reason": ""})
        .content.decode()
    )
    assert "errorlist" in page and not PersonMerge.objects.exists()


def test_a_person_of_another_county_cannot_be_chosen(world, client_for):
    person, other = make_person(world.village, "张三"), make_person(world.other_village, "张叁")
    response = client_for(world.tracer).post(
        f"/people/{person.pk}/merge/", {"other": other.pk, "reason": "同一人"}
    )
    assert response.status_code == 404 and not PersonMerge.objects.exists()


def test_users_who_may_not_merge_are_refused(world, client_for):
    person, other = make_person(world.village, "张三"), make_person(world.village, "张叁")
    for persona in ("village_member", "leader", "admin", "outsider"):
        client = client_for(getattr(world, persona))
        assert client.get(f"/people/{person.pk}/merge/").status_code == 403
    picker = client_for(world.leader).get("/people/", {"q": "张", "pick_for": person.pk})
    assert "/merge/?other=" not in picker.content.decode()
    merge = PersonMerge.objects.create(
        survivor=person, merged=other, reason="x", merged_by=world.tracer
    )
    assert client_for(world.leader).post(f"/people/merges/{merge.pk}/undo/").status_code == 403
    assert (
        client_for(world.other_county_staff).post(f"/people/merges/{merge.pk}/undo/").status_code
        == 404
    )
