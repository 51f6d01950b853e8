"""One check at a station: the plate read, the zones asked, the decision and its hand-off."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhanyi.checkpoints import actions
from zhanyi.checkpoints.models import Check
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.models import Handoff, HandoffKind
from zhanyi.people.models import Person

from .factories import check, station

pytestmark = pytest.mark.django_db


def test_a_green_vehicle_from_nowhere_in_a_zone_passes_and_is_audited(world):
    st = station(world.county)
    c = check(st, user=world.tracer, origin_area=world.village, origin_city="")
    assert c.outcome == "pass" and c.reasons[0]["code"] == "clear"
    assert c.recorded_by == world.tracer
    event = AuditEvent.objects.get(action="checkpoints.check.record")
    assert event.detail["plate"] == "闽E12345" and event.detail["outcome"] == "pass"


def test_the_plate_is_normalised(world):
    st = station(world.county)
    c = check(st, plate=" 闽ｅ·ｄ１２３４５ ")
    assert (c.plate, c.new_energy) == ("闽ED12345", True)


@pytest.mark.parametrize(
    ("plate", "says"),
    [
        ("E12345", "must start with a province's character"),
        ("闽E1234", "it has 6 characters; a plate has 7, a new-energy plate 8"),
        ("闽E12O45", "never use the letters I or O"),
        ("闽EA12345", "new-energy plate has D or F"),
    ],
)
def test_a_malformed_plate_is_refused_saying_why(world, plate, says):
    st = station(world.county)
    with pytest.raises(ValidationError) as refused:
        check(st, plate=plate)
    assert says in refused.value.message_dict["plate"][0]
    assert not Check.objects.exists()


def test_every_refusal_of_a_check_is_said_at_once(world):
    st = station(world.county)
    with pytest.raises(ValidationError) as refused:
        check(st, plate="", people=0, origin_city="", destination="", test_age_hours=5000)
    said = refused.value.message_dict
    assert said["plate"] == ["Type the plate."]
    assert "Between 1 and 99 people" in said["people"][0]
    assert "Choose an area or type a city" in said["origin_city"][0]
    assert said["destination"] == ["Where is the vehicle going?"]
    assert "between 0 and 720 hours" in said["test_age_hours"][0]


def test_the_decision_follows_the_zones(world, zones):
    st = station(world.county)
    assert check(st, origin_area=world.village, origin_city="").outcome == "pass"
    zones[world.township.path] = "controlled"
    turned = check(st, origin_area=world.village, origin_city="")
    assert turned.outcome == "turn_back" and turned.origin_tier == "controlled"
    zones[world.village.path] = "sealed"
    sealed = check(st, origin_area=world.village, origin_city="")
    assert sealed.outcome == "quarantine" and sealed.waits_for_person
    into = check(st, destination_area=world.village, destination="")
    assert into.outcome == "turn_back" and into.reasons[0]["code"] == "into_tier"


def test_a_prevention_zone_needs_a_fresh_negative_test(world, zones):
    st = station(world.county)
    zones[world.county.path] = "prevention"
    assert check(st, origin_area=world.village, origin_city="").outcome == "testing"
    tested = check(st, origin_area=world.village, origin_city="", test_age_hours=20)
    assert tested.outcome == "pass" and tested.reasons[0]["code"] == "from_tier_tested"


def test_a_red_code_with_identity_is_handed_to_quarantine(world):
    st = station(world.county)
    c = check(
        st,
        user=world.tracer,
        code_colour="red",
        origin_area=world.village,
        origin_city="",
        identity=actions.Identity("王五", "350602198503151241", "13900000000"),
    )
    assert c.outcome == "quarantine" and not c.waits_for_person
    person = Person.objects.get(identity_number="350602198503151241")
    assert person.village == world.village and c.person == person
    handoff = Handoff.objects.get(key=c.handoff_key)
    assert handoff.kind == HandoffKind.TRANSFER and handoff.area == world.county
    assert handoff.detail["kind"] == "close" and handoff.detail["days"] == 14
    # the same identity again links to the same person
    again = check(
        st,
        code_colour="red",
        identity=actions.Identity("王五", "350602198503151241"),
    )
    assert again.person == person


def test_a_yellow_code_with_a_picked_person_is_handed_to_testing(world):
    st = station(world.county)
    someone = Person.objects.create(name="赵六", village=world.village)
    c = check(st, user=world.tracer, code_colour="yellow", person=someone)
    handoff = Handoff.objects.get(key=c.handoff_key)
    assert handoff.kind == HandoffKind.TEST and handoff.person == someone
    assert handoff.detail["tests"][0]["stage"] == "checkpoint"


def test_a_person_is_named_later_for_a_check_kept_offline(world):
    st = station(world.county)
    c = check(st, code_colour="red")
    assert c.waits_for_person
    someone = Person.objects.create(name="孙七", village=world.village)
    named = actions.do_name_person(c, person=someone, acting_user=world.tracer)
    assert not named.waits_for_person
    assert Handoff.objects.filter(person=someone, kind=HandoffKind.TRANSFER).count() == 1
    with pytest.raises(ValidationError) as refused:
        actions.do_name_person(named, person=someone, acting_user=world.tracer)
    assert "handed its person on already" in refused.value.messages[0]
    passed = check(st, test_age_hours=10)
    with pytest.raises(ValidationError) as refused:
        actions.do_name_person(passed, person=someone, acting_user=world.tracer)
    assert "decision was Pass: nobody is handed on" in refused.value.messages[0]


def test_an_invalid_identity_number_is_refused_before_anything_is_stored(world):
    st = station(world.county)
    with pytest.raises(ValidationError) as refused:
        check(st, code_colour="red", identity=actions.Identity("王五", "350602198503151240"))
    assert "is not a valid identity number" in refused.value.message_dict["identity_number"][0]
    assert not Check.objects.exists()


def test_the_same_client_id_is_stored_once(world):
    st = station(world.county)
    cid = uuid.uuid4()
    first = check(st, client_id=cid)
    second = check(st, client_id=cid, plate="闽E99999")
    assert first.pk == second.pk and second.plate == "闽E12345"
    assert Check.objects.count() == 1
    assert AuditEvent.objects.filter(action="checkpoints.check.record").count() == 1
    actions.do_set_station_active(st, False, acting_user=world.tracer)
    assert check(st, client_id=cid).pk == first.pk  # sent again after the station closed
    other = station(world.county, name="高速路口", kind="expressway_exit")
    with pytest.raises(ValidationError) as refused:
        check(other, client_id=cid)
    assert "another checkpoint" in refused.value.messages[0]


def test_other_county_staff_and_a_leader_may_not_record(world):
    st = station(world.county)
    with pytest.raises(PermissionDenied):
        check(st, user=world.other_county_staff)
    with pytest.raises(PermissionDenied):
        check(st, user=world.leader)
    assert not Check.objects.exists()


def test_a_closed_station_takes_no_checks(world):
    st = station(world.county)
    actions.do_set_station_active(st, False, acting_user=world.tracer)
    with pytest.raises(ValidationError) as refused:
        check(st)
    assert "is closed: it takes no checks" in refused.value.messages[0]


def test_a_station_is_set_up_with_shifts_of_local_staff(world):
    import datetime as dt

    from django.utils import timezone

    st = actions.do_create_station(
        acting_user=world.tracer, name="G15 漳州北", kind="expressway_exit", area=world.county
    )
    with pytest.raises(ValidationError) as refused:
        actions.do_create_station(
            acting_user=world.tracer, name="G15 漳州北", kind="road", area=world.county
        )
    assert "has a checkpoint named G15 漳州北 already" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        actions.do_create_station(
            acting_user=world.tracer, name="X", kind="moon", area=world.county
        )
    assert "Unknown kind of checkpoint: moon." in refused.value.messages
    with pytest.raises(PermissionDenied):
        actions.do_create_station(
            acting_user=world.tracer, name="Y", kind="road", area=world.other_county
        )
    now = timezone.now()
    shift = actions.do_add_shift(
        st,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=8),
        staff=[world.tracer],
        acting_user=world.tracer,
    )
    assert list(shift.staff.all()) == [world.tracer]
    with pytest.raises(ValidationError) as refused:
        actions.do_add_shift(
            st,
            starts_at=now,
            ends_at=now + dt.timedelta(hours=8),
            staff=[world.other_county_staff],
            acting_user=world.tracer,
        )
    assert "Not working where G15 漳州北 is: longhai." in refused.value.messages
    assert AuditEvent.objects.filter(action="checkpoints.shift.add").count() == 1
