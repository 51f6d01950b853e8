"""Two-factor devices: enrolment, verification at log-in, an administrator's reset.
Every step is audited; the secret never is."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_otp import login as otp_login  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from zhanyi.accounts.actions import _check_actor_may_manage
from zhanyi.accounts.models import User
from zhanyi.accounts.twofactor import confirmed_device
from zhanyi.core import audit
from zhanyi.core.audit import SystemActor


def _clean(code: str) -> str:
    return "".join(code.split())


@transaction.atomic
def pending_device(user: User) -> TOTPDevice:
    """The device being enrolled: the user's unconfirmed one, or a new one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def do_confirm_enrolment(user: User, code: str, *, request: Any) -> bool:
    """Confirm the pending device with a code it shows; the session is then verified."""
    device = pending_device(user)
    if not device.verify_token(_clean(code)):
        audit.record(
            actor=user,
            action="twofactor.enrol_failed",
            obj=user,
            request=request,
            area=user.jurisdiction,
        )
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit.record(
        actor=user, action="twofactor.enrolled", obj=user, request=request, area=user.jurisdiction
    )
    return True


def do_verify(user: User, code: str, *, request: Any) -> bool:
    """Check a log-in's code against the user's device; the session is then verified.
    Failures are audited, and django-otp slows repeated ones down (each failure
    doubles the wait before the next code is looked at)."""
    device = confirmed_device(user)
    ok = device is not None and device.verify_token(_clean(code))
    if ok:
        otp_login(request, device)
    audit.record(
        actor=user,
        action="twofactor.verified" if ok else "twofactor.failed",
        obj=user,
        request=request,
        area=user.jurisdiction,
    )
    return ok


def check_code(user: User, code: str) -> bool:
    """Whether ``code`` is current for the user's device (the API's token request)."""
    device = confirmed_device(user)
    return device is not None and device.verify_token(_clean(code))


@transaction.atomic
def do_reset_two_factor(user: User, *, actor: User | SystemActor, request: Any = None) -> int:
    """Remove the user's devices (a lost or replaced phone): they enrol again at
    their next log-in. Returns the number of devices removed."""
    _check_actor_may_manage(actor, user, None)
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    audit.record(
        actor=actor,
        action="twofactor.reset",
        obj=user,
        request=request,
        area=user.jurisdiction,
        detail={"devices_removed": removed},
    )
    return removed
