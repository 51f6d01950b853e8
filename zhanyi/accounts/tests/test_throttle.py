from django.test import override_settings

from zhanyi.accounts import throttle


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW_S=600)
def test_it_locks_a_user_name_after_the_limit_until_the_window_passes(clock):
    for _ in range(2):
        throttle.note_failure("Tracer", "10.0.0.1")
    assert throttle.lockout("tracer", "10.0.0.2") is None
    throttle.note_failure("tracer ", "10.0.0.3")
    lock = throttle.lockout("TRACER", "10.0.0.2")
    assert lock is not None and lock.scope == "username"
    assert lock.retry_after_s == 600
    clock.advance(599)
    assert throttle.lockout("tracer", None).retry_after_s == 1
    clock.advance(1)
    assert throttle.lockout("tracer", None) is None


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW_S=600)
def test_it_locks_an_address_that_tries_many_user_names(clock):
    for name in ("a", "b", "c"):
        throttle.note_failure(name, "10.9.9.9")
    lock = throttle.lockout("d", "10.9.9.9")
    assert lock is not None and lock.scope == "ip"
    assert throttle.lockout("d", "10.9.9.8") is None


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW_S=600)
def test_the_window_starts_at_the_first_failure_and_a_new_one_starts_after_it(clock):
    throttle.note_failure("tracer", None)
    clock.advance(400)
    throttle.note_failure("tracer", None)
    clock.advance(300)  # the first window is over: this failure starts a new count
    throttle.note_failure("tracer", None)
    throttle.note_failure("tracer", None)
    assert throttle.lockout("tracer", None) is None
    throttle.note_failure("tracer", None)
    assert throttle.lockout("tracer", None) is not None


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW_S=600)
def test_success_clears_the_user_name_but_not_the_address(clock):
    for _ in range(3):
        throttle.note_failure("tracer", "10.0.0.1")
    throttle.note_success("tracer")
    assert throttle.lockout("tracer", None) is None
    assert throttle.lockout("tracer", "10.0.0.1").scope == "ip"
