"""The fast paths of accounts against the ordinary ones: the hand-written
token check against DRF's authentication, a record carrying writes against
``audit.record``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from zhanyi.accounts.auth import TokenAuthentication
from zhanyi.accounts.fastpath import audit as carried_audit
from zhanyi.accounts.fastpath import token as fast_token
from zhanyi.core import audit
from zhanyi.core.fastpath import writes
from zhanyi.core.models import AuditEvent, PeriodicRun


def _ordinary(header: str):
    """What DRF's authentication (the settings' class) makes of the header."""
    request = Request(RequestFactory().post("/api/v1/testing/scans/", HTTP_AUTHORIZATION=header))
    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed as e:
        return ("refused", str(e.detail))
    if found is None:
        return None
    user, token = found
    return (user.pk, token.key, user.jurisdiction)


def _fast(header: str):
    """What the scan lane makes of it: None when it hands the request on."""
    key = fast_token.key(header)
    if key is None:
        return None
    try:
        user, token = fast_token.check(key)
    except AuthenticationFailed as e:
        return ("refused", str(e.detail))
    return (user.pk, token.key, user.jurisdiction)


def test_the_hand_written_token_check_agrees_with_drfs_authentication(world):
    valid = Token.objects.create(user=world.village_member).key
    no_jurisdiction = Token.objects.create(user=world.outsider).key
    revoked = Token.objects.create(user=world.commander)
    revoked_key = revoked.key
    revoked.delete()
    inactive = Token.objects.create(user=world.tracer).key
    world.tracer.is_active = False
    world.tracer.save(update_fields=["is_active"])
    headers = [
        f"Token {valid}",
        f"token {valid}",
        f"TOKEN {valid}",
        f"  Token   {valid}  ",
        f"Token\t{valid}",
        f"Token {no_jurisdiction}",
        f"Token {revoked_key}",
        f"Token {inactive}",
        f"Bearer {valid}",
        f"Basic {valid}",
        "Token",
        f"Token {valid} {valid}",
        f"Token\xa0{valid}",  # no break space: not a separator in DRF's bytes
        f"Token {valid}\xa0",
        f"Token {valid[:-1]}é",
        f"Tokens {valid}",
        "",
    ]
    answered = 0
    for header in headers:
        ordinary, fast = _ordinary(header), _fast(header)
        if fast is None:
            # Handed on: the general stack answers (nothing, or a refusal).
            assert ordinary is None or ordinary[0] == "refused", header
        else:
            assert fast == ordinary, header
            answered += fast[0] != "refused"
    assert answered == 6  # the five forms of the valid key, and the outsider's
    assert _fast(f"Token\xa0{valid}") is None
    assert _fast(f"Token {inactive}") == ("refused", "User inactive or deleted.")
    assert _fast(f"Token {revoked_key}") == ("refused", "Invalid token.")
    assert _fast(f"Token {valid}")[2] == world.village


def _row(event: AuditEvent) -> dict:
    values = AuditEvent.objects.filter(pk=event.pk).values().get()
    return {k: v for k, v in values.items() if k not in ("id", "at")}


def test_a_record_carrying_writes_stores_the_row_audit_record_stores(world):
    request = RequestFactory().post(
        "/api/v1/testing/scans/?x=1", REMOTE_ADDR="10.9.8.7", HTTP_USER_AGENT="phone/2"
    )
    fields = {
        "actor": world.village_member,
        "action": "testing.scan",
        "obj": world.village,
        "detail": {"accepted": [1, 2], "on": dt.date(2021, 9, 13)},
        "request": request,
        "area": world.village,
    }
    ordinary = audit.record(**fields)
    table = connection.ops.quote_name(PeriodicRun._meta.db_table)
    run = PeriodicRun.objects.create(name="carried", runner="a")
    carried = carried_audit.record_with_writes(
        [writes.Write(f"UPDATE {table} SET runner = %s WHERE id = %s", ["b", run.pk])], **fields
    )
    plain = carried_audit.record_with_writes([], **fields)
    assert _row(carried) == _row(ordinary) == _row(plain)
    assert carried.pk not in (ordinary.pk, None) and carried.at is not None
    assert PeriodicRun.objects.get(pk=run.pk).runner == "b"


def test_a_record_is_append_only_on_either_path(world):
    event = carried_audit.record_with_writes([], actor=None, action="x")
    with pytest.raises(PermissionError):
        event.save()
