import threading

import pytest
from django.db import close_old_connections
from django.test import RequestFactory, override_settings

from zhanyi.accounts import throttle
from zhanyi.accounts.auth import LoginThrottled, authenticate_throttled
from zhanyi.accounts.testing import build_world
from zhanyi.core.db import dialect
from zhanyi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW_S=600)
def test_it_locks_a_user_name_from_an_address_after_the_limit_until_the_window_passes(clock):
    for name in ("Tracer", "tracer ", "TRACER"):
        assert throttle.attempt(name, "10.0.0.1") is None
    lock = throttle.attempt("tracer", "10.0.0.1")
    assert lock is not None and lock.scope == "account"
    assert lock.retry_after_s == 600
    assert throttle.attempt("tracer", "10.0.0.2") is None  # another address is not locked
    clock.advance(599)
    assert throttle.attempt("tracer", "10.0.0.1").retry_after_s == 1
    clock.advance(1)
    assert throttle.attempt("tracer", "10.0.0.1") is None


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_ADDRESS_FAILURE_LIMIT=3)
def test_it_locks_an_address_that_tries_many_user_names(clock):
    for name in ("a", "b", "c"):
        assert throttle.attempt(name, "10.9.9.9") is None
    lock = throttle.attempt("d", "10.9.9.9")
    assert lock is not None and lock.scope == "address"
    assert throttle.attempt("d", "10.9.9.8") is None


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW_S=600)
def test_the_window_starts_at_the_first_attempt_and_a_new_one_starts_after_it(clock):
    throttle.attempt("tracer", None)
    clock.advance(400)
    throttle.attempt("tracer", None)
    clock.advance(300)  # the first window is over: this attempt starts a new count
    for _ in range(3):
        assert throttle.attempt("tracer", None) is None
    assert throttle.attempt("tracer", None) is not None


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_ADDRESS_FAILURE_LIMIT=4)
def test_success_clears_the_user_name_from_the_address_but_not_the_addresss_failures(clock):
    for _ in range(3):
        throttle.attempt("leader", "10.0.0.1")  # three failures at another name
    throttle.attempt("tracer", "10.0.0.1")
    throttle.succeeded("tracer", "10.0.0.1")  # gives its own attempt back only
    assert throttle.attempt("tracer", "10.0.0.1") is None
    assert throttle.attempt("someone", "10.0.0.1").scope == "address"


@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_ADDRESS_FAILURE_LIMIT=100)
def test_attempts_at_the_same_moment_judge_no_more_than_the_limit():
    """Issue 14, finding 12: 11 guesses were judged where 5 are allowed, because each
    request read the count before the slow password check and wrote it after."""
    if not dialect.is_postgresql():
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them)")
    build_world()
    attackers = 12
    start = threading.Barrier(attackers)
    outcomes: list = [None] * attackers

    def guess(i: int) -> None:
        try:
            start.wait(10)
            request = RequestFactory().post("/api/v1/accounts/token/", REMOTE_ADDR="203.0.113.9")
            outcomes[i] = authenticate_throttled(request, "commander", f"guess-{i}", via="api")
        except LoginThrottled as refused:
            outcomes[i] = refused
        finally:
            close_old_connections()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(attackers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(isinstance(o, LoginThrottled) for o in outcomes) == attackers - 5
    assert AuditEvent.objects.filter(action="login.failed").count() == 5
    assert AuditEvent.objects.filter(action="login.throttled").count() == attackers - 5
