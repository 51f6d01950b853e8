"""The product's own error pages (issue 16, point 7): 403, 404 and 500 in the
user's language, each with a way back to the user's own work."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path

from zhanyi import urls as project_urls

pytestmark = pytest.mark.django_db


def _fails(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _fails), *project_urls.urlpatterns]


def test_a_refused_page_says_why_in_chinese(world, client_for):
    response = client_for(world.leader).get("/accounts/users/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert response.status_code == 403
    assert "此页面不适用于您的角色" in page and "/accounts/start/" in page


def test_a_missing_page_is_the_products_own_in_english(world, client_for):
    client = client_for(world.tracer)
    client.cookies["django_language"] = "en"
    response = client.get("/tracing/cases/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "outside your jurisdiction" in page and "Back to my work" in page


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_the_products_own_page(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.tracer)
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 500
    assert "我们这边出了问题" in response.content.decode()
