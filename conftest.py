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
