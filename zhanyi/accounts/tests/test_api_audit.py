import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from zhanyi.core import audit
from zhanyi.core.models import AuditEvent

URL = "/api/v1/accounts/audit/"


@pytest.fixture
def events(world):
    return {
        "county": audit.record(
            actor=world.tracer, action="person.viewed", object_type="people.person", object_id="1"
        ),
        "other": audit.record(
            actor=world.other_county_staff,
            action="person.viewed",
            object_type="people.person",
            object_id="2",
        ),
        "city_about_county": audit.record(
            actor=world.commander,
            action="person.changed",
            object_type="people.person",
            object_id="1",
            area=world.village,
        ),
        "cli": audit.record(actor=audit.cli_actor(), action="user.created"),
    }


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_an_anonymous_caller_is_refused(events):
    assert APIClient().get(URL).status_code == 401


def test_an_outsider_is_refused(world, api_for, events):
    assert api_for(world.outsider).get(URL).status_code == 403


def test_roles_without_view_audit_are_refused(world, api_for, events):
    for user in (world.tracer, world.leader, world.village_member, world.other_county_staff):
        assert api_for(user).get(URL).status_code == 403


def test_a_city_admin_sees_every_event_including_those_with_no_area(world, api_for, events):
    assert ids(api_for(world.admin).get(URL)) == {e.pk for e in events.values()}


def test_a_county_admin_sees_their_countys_users_and_objects_but_not_another_county(
    world, api_for, county_admin, events
):
    seen = ids(api_for(county_admin).get(URL))
    assert seen == {events["county"].pk, events["city_about_county"].pk}


def test_an_admin_of_the_other_county_sees_nothing_of_this_one(world, api_for, events):
    from zhanyi.accounts.models import Role
    from zhanyi.accounts.testing import make_user

    longhai_admin = make_user("lh-admin", Role.ADMIN, world.other_county)
    assert ids(api_for(longhai_admin).get(URL)) == {events["other"].pk}


def test_it_filters_by_object_actor_and_action_prefix(world, api_for, events):
    api = api_for(world.admin)
    assert ids(api.get(URL, {"object_type": "people.person", "object_id": "1"})) == {
        events["county"].pk,
        events["city_about_county"].pk,
    }
    assert ids(api.get(URL, {"actor": "longhai"})) == {events["other"].pk}
    assert ids(api.get(URL, {"action": "person."})) == {
        events["county"].pk,
        events["other"].pk,
        events["city_about_county"].pk,
    }
    assert ids(api.get(URL, {"action": "person"})) == set()


def test_it_filters_by_time(world, api_for, events):
    api = api_for(world.admin)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert ids(api.get(URL, {"since": later.isoformat()})) == set()
    assert len(ids(api.get(URL, {"since": "2021-09-10", "until": "2099-01-01"}))) == 4
    assert ids(api.get(URL, {"until": "2021-09-10"})) == set()
    today = timezone.localdate().isoformat()  # a whole local day, both ends inclusive
    assert len(ids(api.get(URL, {"since": today, "until": today}))) == 4
    response = api.get(URL, {"since": "last tuesday"})
    assert response.status_code == 400 and "since" in response.json()


def test_the_newest_event_comes_first_and_carries_where_it_came_from(world, api_for, events):
    row = api_for(world.admin).get(URL).json()["results"][0]
    assert row["id"] == events["cli"].pk
    assert set(row) >= {
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "ip",
        "path",
        "user_agent",
        "detail",
    }


def test_reading_the_audit_log_through_the_api_changes_nothing(world, api_for, events):
    before = AuditEvent.objects.count()
    api_for(world.admin).get(URL)
    assert AuditEvent.objects.count() == before
