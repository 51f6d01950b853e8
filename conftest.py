"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os

os.environ.setdefault("ZHANYI_TESTING", "1")

import pytest
from hypothesis import HealthCheck, settings

# Property-based tests (hypothesis): a modest number of examples per test, so
# the whole suite stays well inside CI's time on 2 cores; no deadline (a shared
# machine's pauses are no finding); no example database written into the tree.
# A failure prints the seed and the blob that reproduce it.
settings.register_profile(
    "zhanyi",
    max_examples=50,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# HYPOTHESIS_PROFILE=thorough: ten times the examples, to hunt before a release.
settings.register_profile("thorough", settings.get_profile("zhanyi"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "zhanyi"))


# Fixtures through which a test reaches the database (pytest-django's, and the
# closure of every fixture a test asks for, so ``world`` counts).
_DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def _uses_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db"):
        return True
    if _DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    cls = getattr(item, "cls", None)
    if cls is not None:
        from django.test import TransactionTestCase

        return issubclass(cls, TransactionTestCase)
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``ZHANYI_TESTS=database`` keeps only the tests that touch the database,
    ``ZHANYI_TESTS=other`` only the rest (unset: all). ``make test`` runs the
    database tests on SQLite and on PostgreSQL, and the others (the engine, the
    parsers, processes started on their own SQLite file) once, in a lane of
    their own: they give the same answer on either database, and most of their
    time is spent waiting on the processes they start."""
    selection = os.environ.get("ZHANYI_TESTS", "")
    if selection not in ("", "database", "other"):
        raise pytest.UsageError(f"ZHANYI_TESTS must be database or other, not {selection!r}")
    if not selection:
        return
    wanted = selection == "database"
    kept = [item for item in items if _uses_database(item) == wanted]
    dropped = [item for item in items if _uses_database(item) != wanted]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: login-failure counts and cached
    figures of one test must not leak into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def world(db):
    from zhanyi.accounts.testing import build_world

    return build_world()


@pytest.fixture
def client_for(client):
    """``client_for(user)`` logs the test client in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    """``api_for(user)``: a DRF API client authenticated with the user's token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user):
        token, _ = Token.objects.get_or_create(user=user)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return make


@pytest.fixture
def full_disk(monkeypatch):
    """The disk fills up under the exports: files opened through
    ``zhanyi.core.files.open_for_writing`` take ``room`` bytes (the first
    write's bytes do land, as on a real disk), then every write fails with
    ENOSPC. ``full_disk(room)`` arms it; it returns the paths it opened."""
    import errno

    from zhanyi.core import files

    opened = []
    real_open = files.open_for_writing

    def arm(room: int = 100):
        class FullFile:
            def __init__(self, fh):
                self.fh, self.left = fh, room

            def write(self, data):
                if len(data) > self.left:
                    self.fh.write(data[: self.left])
                    self.left = 0
                    raise OSError(errno.ENOSPC, "No space left on device")
                self.left -= len(data)
                return self.fh.write(data)

            def __getattr__(self, name):
                return getattr(self.fh, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

        def open_full(path, mode, **kwargs):
            opened.append(path)
            return FullFile(real_open(path, mode, **kwargs))

        monkeypatch.setattr(files, "open_for_writing", open_full)
        return opened

    return arm


# One production migrate per session, in a new process, for the tests that
# start zhanyi as a production process (zhanyi.core.processes_testing).
from zhanyi.core.processes_testing import production_migrated  # noqa: E402, F401
