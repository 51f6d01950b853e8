from django.urls import reverse

from zhanyi.accounts.testing import PASSWORD
from zhanyi.core.models import AuditEvent

URL = "/accounts/me/"


def test_it_shows_the_users_role_jurisdiction_and_capabilities(world, client_for):
    body = client_for(world.village_member).get(URL).content.decode()
    assert "东铺头社区" in body and "view_phone" in body and "view_identity" not in body


def test_a_user_changes_their_password_and_stays_logged_in(world, client_for):
    client = client_for(world.tracer)
    response = client.post(
        URL,
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-l0ng-passphrase",
            "new_password2": "a-new-l0ng-passphrase",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:me")
    world.tracer.refresh_from_db()
    assert world.tracer.check_password("a-new-l0ng-passphrase")
    assert client.get(URL).status_code == 200
    assert AuditEvent.objects.filter(action="user.password_changed", actor=world.tracer).exists()


def test_the_old_password_is_required(world, client_for):
    response = client_for(world.tracer).post(
        URL,
        {
            "old_password": "wrong",
            "new_password1": "a-new-l0ng-passphrase",
            "new_password2": "a-new-l0ng-passphrase",
        },
    )
    assert response.status_code == 200
    world.tracer.refresh_from_db()
    assert world.tracer.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_changed").exists()
