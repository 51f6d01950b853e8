from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from zhanyi.accounts.testing import PASSWORD
from zhanyi.core.models import AuditEvent

URL = "/api/v1/accounts/token/"


def post(username, password, ip="10.0.0.1"):
    return APIClient().post(
        URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def test_it_exchanges_a_password_for_a_token_that_works(world):
    response = post("tracer", PASSWORD)
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=world.tracer).key == key
    assert response.json()["user"]["role"] == "staff"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/accounts/me/").json()["username"] == "tracer"


def test_it_returns_the_same_token_twice_and_audits_its_creation_once(world):
    first = post("tracer", PASSWORD).json()["token"]
    assert post("tracer", PASSWORD).json()["token"] == first
    assert (
        AuditEvent.objects.filter(action="token.created", object_id=str(world.tracer.pk)).count()
        == 1
    )
    assert AuditEvent.objects.filter(action="login.succeeded", detail__via="api").count() == 2


def test_a_wrong_password_gets_no_token(world):
    response = post("tracer", "wrong")
    assert response.status_code == 400
    assert not Token.objects.exists()
    assert AuditEvent.objects.get(action="login.failed").detail == {"via": "api"}


def test_a_deactivated_user_gets_no_token(world):
    world.tracer.is_active = False
    world.tracer.save(update_fields=["is_active"])
    assert post("tracer", PASSWORD).status_code == 400


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW_S=900)
def test_it_is_throttled_like_the_login_page_and_says_when_to_retry(world, clock):
    for _ in range(3):
        assert post("tracer", "wrong").status_code == 400
    response = post("tracer", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "detail" in response.json()
    assert not Token.objects.exists()
    clock.advance(900)
    assert post("tracer", PASSWORD).status_code == 200


def test_a_missing_field_is_a_clear_400(db):
    response = APIClient().post(URL, {"username": "tracer"}, format="json")
    assert response.status_code == 400 and "password" in response.json()
