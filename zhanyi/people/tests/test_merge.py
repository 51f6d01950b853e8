"""Merging two records of one person, and undoing the merge exactly."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection, models

from zhanyi.core.models import AuditEvent
from zhanyi.people import actions, queries
from zhanyi.people.models import Person, PersonChange, SourceRecord

from .factories import make_person


@pytest.fixture
def probe_model(transactional_db):
    """A model of a 'later app' that points at Person four ways (a plain FK, a
    hidden FK with related_name='+', a many-to-many, a one-to-one): merges
    must find it without the people app knowing it."""

    class MergeProbe(models.Model):
        person = models.ForeignKey(Person, models.PROTECT, related_name="merge_probes")
        witness = models.ForeignKey(Person, models.PROTECT, null=True, related_name="+")
        contacts = models.ManyToManyField(Person, related_name="probe_contacts")
        badge = models.OneToOneField(Person, models.PROTECT, null=True, related_name="probe_badge")

        class Meta:
            app_label = "people"

        def __str__(self) -> str:
            return f"probe {self.pk}"

    with connection.schema_editor() as editor:
        editor.create_model(MergeProbe)
    yield MergeProbe
    with connection.schema_editor() as editor:
        editor.delete_model(MergeProbe)
    del apps.all_models["people"]["mergeprobe"]
    del apps.all_models["people"]["mergeprobe_contacts"]
    apps.clear_cache()


def merge(world, survivor, merged, user=None):
    return actions.do_merge_persons(
        acting_user=user or world.tracer, survivor=survivor, merged=merged, reason="同一人"
    )


def test_a_merge_moves_source_records_and_hides_the_merged_person(world):
    survivor = make_person(world.village, "张三")
    merged = make_person(world.village, "张叁")
    moved_record = merged.source_records.get()
    m = merge(world, survivor, merged)
    merged.refresh_from_db()
    assert merged.merged_into == survivor
    assert moved_record in SourceRecord.objects.filter(person=survivor)
    assert m.moved == {"people.sourcerecord.person": [moved_record.pk]}
    assert list(queries.search_persons(world.tracer, "")) == [survivor]
    event = AuditEvent.objects.get(action="person.merge")
    assert event.object_id == str(survivor.pk)
    assert event.detail["merged"] == merged.pk and event.detail["moved"] == {
        "people.sourcerecord.person": 1
    }


def test_history_stays_with_the_person_it_describes(world):
    survivor = make_person(world.village, "张三")
    merged = make_person(world.village, "张叁")
    actions.do_update_person(
        acting_user=world.tracer,
        person=merged,
        changes={"address": "x路1号"},
        reason="door-to-door",
    )
    merge(world, survivor, merged)
    assert PersonChange.objects.get(kind="updated").person == merged


def test_a_merge_moves_every_record_of_every_app_and_undo_restores_exactly(world, probe_model):
    survivor = make_person(world.village, "张三")
    merged = make_person(world.village, "张叁")
    bystander = make_person(world.village, "王五")
    own = probe_model.objects.create(person=survivor)
    theirs = probe_model.objects.create(person=merged, witness=merged)
    watched = probe_model.objects.create(person=bystander, witness=merged)
    theirs.contacts.add(merged, bystander)
    own.contacts.add(survivor)
    # A person merged into ``merged`` earlier now follows it to the survivor.
    earlier = make_person(world.village, "张三三")
    merge(world, merged, earlier)

    m = merge(world, survivor, merged)

    assert {k for k, v in m.moved.items() if v} == {
        "people.sourcerecord.person",
        "people.mergeprobe.person",
        "people.mergeprobe.witness",
        "people.mergeprobe_contacts.person",
        "people.person.merged_into",
    }
    assert m.moved["people.mergeprobe.witness"] == sorted([theirs.pk, watched.pk])
    assert set(probe_model.objects.filter(person=survivor)) == {own, theirs}
    assert set(theirs.contacts.all()) == {survivor, bystander}
    earlier.refresh_from_db()
    assert earlier.merged_into == survivor

    actions.do_undo_merge(acting_user=world.tracer, merge=m)

    merged.refresh_from_db()
    earlier.refresh_from_db()
    assert merged.merged_into is None
    assert earlier.merged_into == merged
    assert list(probe_model.objects.filter(person=survivor)) == [own]
    assert probe_model.objects.get(pk=theirs.pk).witness == merged
    assert probe_model.objects.get(pk=watched.pk).witness == merged
    assert set(theirs.contacts.all()) == {merged, bystander}
    assert set(own.contacts.all()) == {survivor}
    # ``merged`` keeps its own record and the one it took from ``earlier``.
    assert merged.source_records.count() == 2 and survivor.source_records.count() == 1


def test_undo_leaves_a_row_that_was_moved_elsewhere_since_and_says_so(world):
    survivor = make_person(world.village, "张三")
    merged = make_person(world.village, "张叁")
    other = make_person(world.village, "王五")
    record = merged.source_records.get()
    m = merge(world, survivor, merged)
    SourceRecord.objects.filter(pk=record.pk).update(person=other)
    actions.do_undo_merge(acting_user=world.tracer, merge=m)
    assert SourceRecord.objects.get(pk=record.pk).person == other
    event = AuditEvent.objects.get(action="person.merge_undo")
    assert event.detail["not_returned"] == {"people.sourcerecord.person": [record.pk]}


def test_undoing_twice_is_refused(world):
    m = merge(world, make_person(world.village, "张三"), make_person(world.village, "张叁"))
    actions.do_undo_merge(acting_user=world.tracer, merge=m)
    with pytest.raises(actions.MergeError, match="undone already"):
        actions.do_undo_merge(acting_user=world.tracer, merge=m)
    assert AuditEvent.objects.filter(action="person.merge_undo").count() == 1


def test_undo_is_refused_while_a_later_merge_depends_on_it(world):
    a, b, c = (make_person(world.village, n) for n in ("甲", "乙", "丙"))
    first = merge(world, b, a)
    second = merge(world, c, b)
    with pytest.raises(actions.MergeError, match="undo that merge first"):
        actions.do_undo_merge(acting_user=world.tracer, merge=first)
    actions.do_undo_merge(acting_user=world.tracer, merge=second)
    actions.do_undo_merge(acting_user=world.tracer, merge=first)
    assert a.source_records.count() == b.source_records.count() == 1


def test_undo_is_refused_when_another_person_took_the_document_since(world):
    survivor = make_person(world.village, "张三", identity_number="")
    merged = make_person(world.village, "张叁")
    m = merge(world, survivor, merged)
    actions.do_update_person(
        acting_user=world.tracer,
        person=survivor,
        reason="证件核实",
        changes={"identity_number": merged.identity_number},
    )
    with pytest.raises(actions.MergeError, match="holds the same document"):
        actions.do_undo_merge(acting_user=world.tracer, merge=m)


def test_a_person_cannot_be_merged_with_itself_or_into_a_merged_person(world):
    a, b, c = (make_person(world.village, n) for n in ("甲", "乙", "丙"))
    with pytest.raises(actions.MergeError):
        merge(world, a, a)
    merge(world, b, a)
    with pytest.raises(actions.MergeError, match="merged already"):
        merge(world, a, c)


def test_a_reason_is_required(world):
    with pytest.raises(actions.MergeError):
        actions.do_merge_persons(
            acting_user=world.tracer,
            reason="",
            survivor=make_person(world.village),
            merged=make_person(world.village, "李四"),
        )


@pytest.mark.parametrize("persona", ["village_member", "leader", "admin", "other_county_staff"])
def test_only_users_who_may_merge_both_persons_can(world, persona):
    a, b = make_person(world.village, "甲"), make_person(world.village, "乙")
    with pytest.raises(PermissionDenied):
        merge(world, a, b, user=getattr(world, persona))
    assert not Person.objects.exclude(merged_into=None).exists()


def test_a_county_user_cannot_merge_a_person_of_another_county(world):
    mine, theirs = make_person(world.village, "甲"), make_person(world.other_village, "乙")
    with pytest.raises(PermissionDenied):
        merge(world, mine, theirs)


def test_a_record_both_persons_may_have_only_once_stops_the_merge_untouched(world, probe_model):
    survivor = make_person(world.village, "张三")
    merged = make_person(world.village, "张叁")
    probe_model.objects.create(person=survivor, badge=survivor)
    theirs = probe_model.objects.create(person=merged, badge=merged)
    with pytest.raises(actions.MergeError) as caught:
        merge(world, survivor, merged)
    assert "merge probe" in caught.value.messages[0]
    merged.refresh_from_db()
    assert merged.merged_into is None
    assert probe_model.objects.get(pk=theirs.pk).person == merged  # nothing moved
    assert merged.source_records.count() == 1
