import datetime as dt

import pytest
from django.test import RequestFactory, override_settings

from zhanyi.core import audit
from zhanyi.core.models import AuditEvent


@pytest.fixture
def rf():
    return RequestFactory()


def test_it_records_who_what_and_from_where(world, rf):
    request = rf.get(
        "/people/42/?tab=codes", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Mozilla/5.0 test"
    )
    event = audit.record(
        actor=world.tracer,
        action="person.viewed",
        obj=world.village,
        request=request,
        detail={"on": dt.date(2021, 9, 12)},
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor == world.tracer
    assert event.actor_name == "tracer"
    assert event.actor_path == world.county.path
    assert event.ip == "10.1.2.3"
    assert event.path == "/people/42/?tab=codes"
    assert event.user_agent == "Mozilla/5.0 test"
    assert (event.object_type, event.object_id, event.object_label) == (
        "places.area",
        str(world.village.pk),
        "东铺头社区",
    )
    assert event.detail == {"on": "2021-09-12"}
    assert event.at is not None and event.at.tzinfo is not None


def test_explicit_object_fields_win_over_the_object(world):
    event = audit.record(
        actor=world.tracer,
        action="x",
        obj=world.village,
        object_type="people.person",
        object_id="7",
        object_label="张*",
    )
    assert (event.object_type, event.object_id, event.object_label) == ("people.person", "7", "张*")


def test_it_ignores_x_forwarded_for_unless_a_proxy_is_trusted(world, rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    assert audit.record(actor=world.tracer, action="x", request=request).ip == "10.0.0.1"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert audit.client_ip(request) == "5.6.7.8"
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert audit.client_ip(request) == "1.2.3.4"
    with override_settings(TRUSTED_PROXY_COUNT=3):  # fewer hops than proxies: no guessing
        assert audit.client_ip(request) == "10.0.0.1"


def test_a_forged_non_address_is_not_stored(world, rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="<script>")
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert audit.record(actor=None, action="x", request=request).ip is None


def test_a_command_line_actor_has_no_user_but_a_name(world):
    event = audit.record(actor=audit.cli_actor(), action="user.created", obj=world.tracer)
    assert event.actor is None
    assert event.actor_name.startswith("cli:")


def test_an_anonymous_actor_leaves_the_name_empty(world, rf):
    from django.contrib.auth.models import AnonymousUser

    event = audit.record(actor=AnonymousUser(), action="login.failed", request=rf.post("/"))
    assert event.actor is None and event.actor_name == ""


def test_the_area_of_the_object_is_kept_for_scoping(world):
    event = audit.record(actor=world.commander, action="person.viewed", area=world.village)
    assert event.area_path == world.village.path


def test_the_model_refuses_to_change_or_delete_an_event(world):
    event = audit.record(actor=world.tracer, action="x")
    event.action = "y"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
