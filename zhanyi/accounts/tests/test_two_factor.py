"""Two-factor authentication (TOTP) for the roles that see identity numbers or approve."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhanyi.accounts import checks
from zhanyi.accounts.testing import PASSWORD
from zhanyi.core.models import AuditEvent


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    otp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    otp.time = time.time() + steps_ahead * device.step
    return f"{otp.token():06d}"


def log_in(username: str) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    answer = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def test_a_commander_enrols_then_verifies_at_each_log_in(world, required, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after a wrong code (tested below)
    client = log_in("commander")
    held = client.get("/people/")
    assert held.status_code == 302
    assert held["Location"].startswith("/accounts/2fa/?next=")
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"otpauth" not in page.content  # drawn, not linked
    assert "no-store" in page["Cache-Control"]
    device = TOTPDevice.objects.get(user=world.commander, confirmed=False)

    wrong = client.post("/accounts/2fa/", {"code": "000000", "next": "/people/"})
    assert wrong.status_code == 200 and b"not right" in wrong.content
    done = client.post("/accounts/2fa/", {"code": code(device), "next": "/people/"})
    assert done.status_code == 302 and done["Location"] == "/people/"
    assert client.get("/people/").status_code == 200
    assert TOTPDevice.objects.get(user=world.commander).confirmed
    assert AuditEvent.objects.filter(action="twofactor.enrolled", actor=world.commander).exists()

    # The next log-in asks for a code; a used code is refused (replay).
    again = log_in("commander")
    assert again.get("/people/")["Location"].startswith("/accounts/2fa/")
    assert again.post("/accounts/2fa/", {"code": code(device)}).status_code == 200
    assert AuditEvent.objects.filter(action="twofactor.failed").exists()
    assert again.post("/accounts/2fa/", {"code": code(device, 1)}).status_code == 302
    assert again.get("/people/").status_code == 200


def test_a_wrong_code_makes_the_next_one_wait(world, required, settings):
    # A minute's wait after a wrong code (django-otp's throttle; one second by
    # default, which a busy machine's test could outlast between two posts).
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = TOTPDevice.objects.create(user=world.commander, name="phone", confirmed=True)
    client = log_in("commander")
    assert client.post("/accounts/2fa/", {"code": "000000"}).status_code == 200
    # Right, but within the wait after a wrong one: refused.
    assert client.post("/accounts/2fa/", {"code": code(device)}).status_code == 200
    assert client.get("/people/").status_code == 302


def test_a_session_api_call_is_refused_until_verified(world, required):
    client = log_in("tracer")
    answer = client.get("/api/v1/accounts/me/")
    assert answer.status_code == 403
    assert "second factor" in answer.json()["detail"]


def test_roles_without_identity_numbers_or_approval_need_no_second_factor(world, required):
    for username in ("leader", "villager"):
        assert log_in(username).get("/accounts/me/").status_code == 200


def test_off_the_log_in_is_the_password_alone(world, settings):
    settings.TWO_FACTOR_REQUIRED = False
    assert log_in("commander").get("/accounts/me/").status_code == 200


def test_a_token_needs_the_current_code(world, required, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    api = Client()
    api.cookies["django_language"] = "en"
    url = "/api/v1/accounts/token/"
    creds = {"username": "tracer", "password": PASSWORD}
    first = api.post(url, creds, content_type="application/json")
    assert first.status_code == 400 and "set it up" in first.json()["detail"]
    device = TOTPDevice.objects.create(user=world.tracer, name="phone", confirmed=True)
    assert api.post(url, creds, content_type="application/json").status_code == 400
    bad = api.post(url, {**creds, "otp": "123456"}, content_type="application/json")
    assert bad.status_code == 400
    good = api.post(url, {**creds, "otp": code(device, 1)}, content_type="application/json")
    assert good.status_code == 200 and good.json()["token"]


def test_an_administrator_resets_a_lost_phone(world, required, client):
    TOTPDevice.objects.create(user=world.leader, name="phone", confirmed=True)
    client.force_login(world.admin)
    session = client.session
    device = TOTPDevice.objects.create(user=world.admin, name="phone", confirmed=True)
    session["otp_device_id"] = device.persistent_id
    session.save()
    answer = client.post(f"/accounts/users/{world.leader.pk}/reset-2fa/")
    assert answer.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.leader).exists()
    event = AuditEvent.objects.get(action="twofactor.reset")
    assert event.actor == world.admin and event.detail == {"devices_removed": 1}
    # An administrator may not reset a commander's (it holds more than they do).
    TOTPDevice.objects.create(user=world.commander, name="phone", confirmed=True)
    client.post(f"/accounts/users/{world.commander.pk}/reset-2fa/")
    assert TOTPDevice.objects.filter(user=world.commander).exists()


def test_the_command_line_resets_any_account(world):
    TOTPDevice.objects.create(user=world.commander, name="phone", confirmed=True)
    out = io.StringIO()
    call_command("user", "reset-2fa", "commander", stdout=out)
    assert "1 second-factor device(s) removed" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=world.commander).exists()


def test_production_refuses_two_factor_off(settings):
    settings.DEBUG = False
    settings.TESTING = False
    settings.TWO_FACTOR_REQUIRED = False
    assert [e.id for e in checks.check_two_factor(None)] == ["zhanyi.E004"]
    settings.TWO_FACTOR_REQUIRED = True
    assert checks.check_two_factor(None) == []
    settings.TWO_FACTOR_REQUIRED = False
    settings.DEBUG = True  # the demo
    assert checks.check_two_factor(None) == []
