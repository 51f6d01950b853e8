"""Fixtures for an app whose tests read English messages, whatever the default language.

The interface speaks Chinese by default; once an app's zh_Hans catalogue holds its
messages, assertions on English text would break. Such an app's tests run in
English (the second language), so that they say what a message means in the
source. Its ``tests/conftest.py`` takes the three fixtures from here::

    from zhanyi.core.testing import api_for, client, english  # noqa: F401

``english`` (autouse) turns messages made outside a request English; ``client``
and ``api_for`` wrap the shared fixtures of the same names with the language
cookie, so pages and API answers are English too.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def api_for(api_for):
    def make(user):
        api = api_for(user)
        api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return api

    return make
