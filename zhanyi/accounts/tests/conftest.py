import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Commands and actions speak the default language (Chinese); the tests
    read their messages in English, the source language."""
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch):
    """Move the throttle's clock without sleeping: ``clock.advance(seconds)``."""
    import time

    from zhanyi.accounts import throttle

    class Clock:
        now = time.time()

        def advance(self, seconds: float) -> None:
            self.now += seconds

    c = Clock()
    monkeypatch.setattr(throttle, "_now", lambda: c.now)
    return c


@pytest.fixture
def county_admin(world):
    """An administrator of 芗城区 only."""
    from zhanyi.accounts.models import Role
    from zhanyi.accounts.testing import make_user

    return make_user("xc-admin", Role.ADMIN, world.county, is_staff=True)


@pytest.fixture
def county_leader(world):
    """A read-only leader of 芗城区: an account an administrator may manage (a leader
    holds nothing an administrator does not)."""
    from zhanyi.accounts.models import Role
    from zhanyi.accounts.testing import make_user

    return make_user("xc-leader", Role.LEADER, world.county)
