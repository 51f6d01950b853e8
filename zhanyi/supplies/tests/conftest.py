"""The supplies app's tests read English messages, whatever the default language.

The interface speaks Chinese by default; once the zh_Hans catalogue holds this
app's messages, assertions on English text would break. Tests run in English
(the second language) so that they say what a message means in the source.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
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
