"""The fast paths of accounts against the ordinary ones: the hand-written
token check against DRF's authentication, a record carrying writes against
``audit.record``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import RequestFactory
from rest_framework.authentication import TokenAuthentication as BaseTokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from zhanyi.accounts.auth import TokenAuthentication
from zhanyi.accounts.fastpath import audit as carried_audit
from zhanyi.accounts.fastpath import token as fast_token
from zhanyi.core import audit
from zhanyi.core.fastpath import writes
from zhanyi.core.models import AuditEvent, PeriodicRun


class OrmTokenAuthentication(BaseTokenAuthentication):
    """DRF's token authentication through the ORM, as the settings' class read
    the token before its prepared statement: the answers to agree with."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__jurisdiction").get(key=key)
        except model.DoesNotExist:
            raise AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return token.user, token


def _ordinary(header: str, authentication=OrmTokenAuthentication):
    """What DRF's authentication makes of the header."""
    request = Request(RequestFactory().post("/api/v1/testing/scans/", HTTP_AUTHORIZATION=header))
    try:
        found = authentication().authenticate(request)
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
        # The settings' class (the API's) answers as the ORM's.
        assert _ordinary(header, TokenAuthentication) == ordinary, header
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


def test_a_row_and_its_record_written_together_are_those_save_and_record_write(world):
    """``record_if_inserted``: the row ``save`` writes and the record
    ``audit.record`` writes, in one statement on PostgreSQL; a value taken
    already writes neither (a resent check)."""
    request = RequestFactory().post(
        "/api/v1/checkpoints/checks/", REMOTE_ADDR="10.9.8.7", HTTP_USER_AGENT="phone/3"
    )
    at = dt.datetime(2021, 9, 13, 8, 30, tzinfo=dt.UTC)
    fields = {
        "actor": world.village_member,
        "action": "checkpoints.check.record",
        "detail": {"outcome": "pass", "zones": [{"id": 3, "name": "封控区"}]},
        "request": request,
        "area": world.village,
    }
    saved = PeriodicRun.objects.create(name="saved", started_at=at, ok=True, runner="r")
    ordinary = audit.record(obj=saved, **fields)
    fast = PeriodicRun(name="fast", started_at=at, ok=True, runner="r")
    record = carried_audit.record_if_inserted(fast, unless_exists="name", **fields)
    assert record is not None and fast.pk is not None and fast.pk != saved.pk
    stored = PeriodicRun.objects.values().get(pk=fast.pk)
    assert {**stored, "id": None, "name": None} == {
        **PeriodicRun.objects.values().get(pk=saved.pk),
        "id": None,
        "name": None,
    }
    assert _row(record) | {"object_id": "", "object_label": ""} == _row(ordinary) | {
        "object_id": "",
        "object_label": "",
    }
    assert _row(record)["object_id"] == str(fast.pk) and _row(record)["object_label"] == "fast"
    # The name taken: nothing written, no error, the transaction still usable.
    again = PeriodicRun(name="fast", runner="other")
    assert carried_audit.record_if_inserted(again, unless_exists="name", **fields) is None
    assert again.pk is None
    assert PeriodicRun.objects.filter(name="fast").get().runner == "r"
    assert AuditEvent.objects.filter(action="checkpoints.check.record").count() == 2
