"""The door-to-door campaign (家家访): visits with the checklist, arrivals found at the door."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from zhanyi.people.models import Household
from zhanyi.screening.actions import do_record_visit, do_save_source, do_start_campaign
from zhanyi.screening.models import PushRecord, PushSource, ScreeningTask, Visit

from .conftest import resident_id


@pytest.fixture
def campaign(world):
    return do_start_campaign(acting_user=world.tracer, name="家家访 9月", villages=[world.village])


@pytest.fixture
def household(world):
    return Household.objects.create(village=world.village, address="东铺头社区胜利路9号")


def test_a_visit_is_recorded_with_the_checklist(world, campaign, household):
    visit = do_record_visit(
        campaign,
        household,
        acting_user=world.village_member,
        letter_delivered=True,
        questions_asked=True,
        notice_posted=True,
    )
    assert (visit.letter_delivered, visit.questions_asked, visit.notice_posted) == (True,) * 3
    # Visiting again updates the visit.
    do_record_visit(
        campaign,
        household,
        acting_user=world.village_member,
        letter_delivered=True,
        questions_asked=False,
        notice_posted=True,
        nobody_home=True,
    )
    assert Visit.objects.get().nobody_home


def test_an_arrival_found_at_the_door_becomes_a_task_for_the_village(
    world, index, campaign, household
):
    arrival = {
        "name": "周小龙",
        "identity_number": resident_id("19920303", 31, "350302"),
        "phone": "13905969990",
        "origin": "莆田市",
        "arrived_at": "2021-09-11 18:00",
    }
    visit = do_record_visit(
        campaign,
        household,
        acting_user=world.village_member,
        letter_delivered=True,
        questions_asked=True,
        notice_posted=True,
        arrivals=[arrival],
    )
    assert visit.arrivals_found == 1
    record = PushRecord.objects.get()
    assert record.source.kind == "door_to_door"
    assert record.category == "risk_area_arrival"
    task = ScreeningTask.objects.get(person=record.person)
    assert task.area == world.village


def test_an_arrival_without_where_they_came_from_is_refused_and_nothing_stored(
    world, index, campaign, household
):
    with pytest.raises(ValidationError):
        do_record_visit(
            campaign,
            household,
            acting_user=world.village_member,
            letter_delivered=True,
            questions_asked=True,
            notice_posted=True,
            arrivals=[{"name": "周小龙", "phone": "13905969990"}],
        )
    assert Visit.objects.count() == 0 and PushRecord.objects.count() == 0


def test_a_household_outside_the_campaign_or_the_jurisdiction_is_refused(world, campaign):
    other = Household.objects.create(village=world.village2, address="南昌社区1号")
    with pytest.raises(ValidationError):
        do_record_visit(
            campaign,
            other,
            acting_user=world.tracer,
            letter_delivered=True,
            questions_asked=True,
            notice_posted=True,
        )
    with pytest.raises(PermissionDenied):
        do_record_visit(
            campaign,
            other,
            acting_user=world.village_member,
            letter_delivered=True,
            questions_asked=True,
            notice_posted=True,
        )


def test_a_campaign_over_another_countys_village_is_refused(world):
    with pytest.raises(ValidationError):
        do_start_campaign(acting_user=world.tracer, name="x", villages=[world.other_village])


def test_the_campaign_pages_list_households_and_record_a_visit(
    world, campaign, household, client_for
):
    client = client_for(world.village_member)
    page = client.get(f"/screening/campaigns/{campaign.pk}/")
    assert "胜利路9号" in page.content.decode()
    response = client.post(
        f"/screening/campaigns/{campaign.pk}/households/{household.pk}/",
        {"letter_delivered": "on", "questions_asked": "on", "notice_posted": "on"},
    )
    assert response.status_code == 302
    assert Visit.objects.get().letter_delivered
    assert (
        client_for(world.other_county_staff).get(f"/screening/campaigns/{campaign.pk}/").status_code
        == 404
    )


def test_a_name_or_origin_longer_than_its_column_is_refused_not_cut(world):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        do_start_campaign(acting_user=world.tracer, name="家" * 101, villages=[world.village])
    assert refused.value.message_dict == {"name": ["共 101 个字符，最多允许 100 个。"]}
    with pytest.raises(ValidationError) as refused:
        do_save_source(acting_user=world.tracer, name="莆田市协查", origin_city="莆" * 101)
    assert list(refused.value.message_dict) == ["origin_city"]
    assert not PushSource.objects.filter(name="莆田市协查").exists()
