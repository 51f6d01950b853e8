import pytest
from django.test import override_settings
from django.urls import reverse

from zhanyi.accounts.testing import PASSWORD
from zhanyi.core.models import AuditEvent

pytestmark = pytest.mark.usefixtures("world")
LOGIN = "/accounts/login/"


def post(client, username, password, ip="10.0.0.1"):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT="pytest",
    )


def test_the_login_page_is_public(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_other_pages_send_an_anonymous_visitor_to_log_in(client):
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_right_password_logs_in_and_is_audited(client, world):
    response = post(client, "tracer", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("accounts:me")).status_code == 200
    event = AuditEvent.objects.get(action="login.succeeded")
    assert (event.actor, event.ip, event.path, event.detail) == (
        world.tracer,
        "10.0.0.1",
        LOGIN,
        {"via": "web"},
    )


def test_a_wrong_password_is_refused_and_audited_with_the_name_tried(client, world):
    response = post(client, "tracer", "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="login.failed")
    assert event.actor is None and event.object_label == "tracer"
    assert event.area_path == world.county.path  # the county's admins see attacks on it


@override_settings(LOGIN_FAILURE_LIMIT=3, LANGUAGE_CODE="en")
def test_after_the_limit_even_the_right_password_is_refused(client, clock):
    for _ in range(3):
        post(client, "tracer", "wrong")
    response = post(client, "tracer", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert b"Too many failed log-in attempts" in response.content
    assert b"Try again after" in response.content
    assert AuditEvent.objects.filter(action="login.throttled").count() == 1


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW_S=900)
def test_the_lock_lifts_when_the_window_has_passed(client, clock):
    for _ in range(3):
        post(client, "tracer", "wrong")
    clock.advance(901)
    assert post(client, "tracer", PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_ADDRESS_FAILURE_LIMIT=3)
def test_one_address_trying_many_names_is_locked_out_for_every_name(client, clock):
    for name in ("tracer", "leader", "nobody"):
        post(client, name, "wrong", ip="10.6.6.6")
    assert post(client, "commander", PASSWORD, ip="10.6.6.6").status_code == 200
    assert post(client, "commander", PASSWORD, ip="10.6.6.7").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_successful_log_in_resets_the_user_names_count(client, clock):
    for _ in range(2):
        post(client, "tracer", "wrong")
    assert post(client, "tracer", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        post(client, "tracer", "wrong")
    assert post(client, "tracer", PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_ADDRESS_FAILURE_LIMIT=20, LANGUAGE_CODE="en")
def test_failures_from_elsewhere_do_not_lock_the_commander_out(client, clock):
    """Issue 14, finding 12: five failures from anyone locked any account, the
    commander's included, for 15 minutes."""
    for i in range(4):  # four attackers, each to their own limit and beyond
        for _ in range(6):
            post(client, "commander", "guess", ip=f"203.0.113.{i}")
    assert post(client, "commander", "guess", ip="203.0.113.0").status_code == 200
    assert AuditEvent.objects.filter(action="login.failed").count() == 4 * 5
    assert AuditEvent.objects.filter(action="login.throttled").count() == 4 * 1 + 1
    # The commander, from their own address, logs in.
    assert post(client, "commander", PASSWORD, ip="10.1.1.1").status_code == 302


def test_an_inactive_user_cannot_log_in(client, world):
    world.tracer.is_active = False
    world.tracer.save(update_fields=["is_active"])
    assert post(client, "tracer", PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_admin_sites_log_in_is_throttled_and_audited_too(client, clock):
    for _ in range(3):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.failed", detail__via="admin").count() == 3


def test_log_out_is_audited(client, world):
    client.force_login(world.tracer)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="logout", actor=world.tracer).count() == 1
