"""The actions check access themselves, whatever view or command calls them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.authtoken.models import Token

from zhanyi.accounts import actions
from zhanyi.accounts.models import Role, User
from zhanyi.core.audit import cli_actor
from zhanyi.core.models import AuditEvent


def test_a_user_without_manage_users_cannot_create_accounts(world):
    for actor in (world.commander, world.leader, world.outsider):
        with pytest.raises(PermissionDenied):
            actions.do_create_user(
                actor=actor,
                username="x",
                role=Role.FIELD,
                jurisdiction=world.village,
                password="a-l0ng-passphrase",
            )
    assert not User.objects.filter(username="x").exists()


def test_a_county_admin_cannot_touch_an_account_of_another_county(world, county_admin):
    with pytest.raises(PermissionDenied):
        actions.do_deactivate_user(world.other_county_staff, actor=county_admin)
    with pytest.raises(PermissionDenied):
        actions.do_reset_password(world.other_county_staff, actor=county_admin)
    with pytest.raises(PermissionDenied):
        actions.do_update_user(world.tracer, actor=county_admin, jurisdiction=world.other_county)
    assert not AuditEvent.objects.exists()


def test_nobody_deactivates_themselves_or_changes_their_own_role(world):
    with pytest.raises(PermissionDenied):
        actions.do_deactivate_user(world.admin, actor=world.admin)
    with pytest.raises(PermissionDenied):
        actions.do_update_user(world.admin, actor=world.admin, role=Role.COMMANDER)
    # Their own name is fine.
    assert actions.do_update_user(world.admin, actor=world.admin, first_name="李") == ["first_name"]


def test_an_unchanged_save_writes_nothing(world):
    assert actions.do_update_user(world.leader, actor=world.admin, role=Role.LEADER) == []
    assert not AuditEvent.objects.exists()


def test_a_role_change_to_admin_opens_the_admin_site_and_back_closes_it(world):
    actions.do_update_user(world.leader, actor=world.admin, role=Role.ADMIN)
    world.leader.refresh_from_db()
    assert world.leader.is_staff
    actions.do_update_user(world.leader, actor=world.admin, role=Role.LEADER)
    world.leader.refresh_from_db()
    assert not world.leader.is_staff


def test_deactivation_revokes_the_api_token(world, api_for):
    api = api_for(world.leader)
    assert api.get("/api/v1/accounts/me/").status_code == 200
    actions.do_deactivate_user(world.leader, actor=world.admin)
    assert not Token.objects.filter(user=world.leader).exists()
    assert api.get("/api/v1/accounts/me/").status_code == 401


def test_the_command_line_may_create_an_account_without_a_jurisdiction(db):
    user = actions.do_create_user(
        actor=cli_actor(),
        username="ops",
        role=Role.LEADER,
        jurisdiction=None,
        password="a-l0ng-passphrase",
    )
    assert user.jurisdiction is None


def test_an_unknown_role_is_refused(world):
    with pytest.raises(ValidationError):
        actions.do_update_user(world.leader, actor=world.admin, role="chief")


def test_generated_passwords_are_long_and_different():
    passwords = {actions.generate_password() for _ in range(50)}
    assert len(passwords) == 50 and all(len(p) == 19 for p in passwords)


def test_a_password_reset_revokes_the_api_token(world, api_for):
    """Issue 14, finding 10: the token outlived the password it was issued with."""
    api = api_for(world.leader)
    assert api.get("/api/v1/accounts/me/").status_code == 200
    actions.do_reset_password(world.leader, actor=world.admin)
    assert api.get("/api/v1/accounts/me/").status_code == 401
    assert not Token.objects.filter(user=world.leader).exists()
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.detail["tokens_revoked"] == 1


def test_changing_ones_own_password_revokes_the_api_token(world, api_for):
    api = api_for(world.tracer)
    actions.do_change_own_password(world.tracer, new_password="another-long-passphrase-9")
    assert api.get("/api/v1/accounts/me/").status_code == 401


# Issue 14, finding 11: nobody hands out, or takes over, more than they hold -----------


@pytest.mark.parametrize("role", [Role.COMMANDER, Role.STAFF, Role.FIELD])
def test_an_admin_cannot_create_a_role_holding_what_they_do_not(world, role):
    with pytest.raises(PermissionDenied, match="capabilities you do not hold"):
        actions.do_create_user(
            actor=world.admin,
            username="x",
            role=role,
            jurisdiction=world.village,
            password="a-l0ng-passphrase",
        )
    assert not User.objects.filter(username="x").exists()
    assert not AuditEvent.objects.exists()


def test_an_admin_creates_leaders_and_admins_inside_their_jurisdiction(world, county_admin):
    for role in (Role.LEADER, Role.ADMIN):
        actions.do_create_user(
            actor=county_admin,
            username=f"new-{role}",
            role=role,
            jurisdiction=world.village,
            password="a-l0ng-passphrase",
        )
    with pytest.raises(PermissionDenied):
        actions.do_create_user(
            actor=county_admin,
            username="far",
            role=Role.LEADER,
            jurisdiction=world.other_village,
            password="a-l0ng-passphrase",
        )
    assert set(User.objects.filter(username__startswith="new-").values_list("role", flat=True)) == {
        Role.LEADER,
        Role.ADMIN,
    }


def test_an_admin_cannot_act_on_an_account_holding_more_than_they_do(world):
    """Resetting a commander's password, changing its e-mail or issuing its token would
    let an administrator act as the commander."""
    attempts = (
        lambda: actions.do_reset_password(world.commander, actor=world.admin),
        lambda: actions.do_update_user(world.commander, actor=world.admin, email="a@b.org"),
        lambda: actions.do_update_user(world.tracer, actor=world.admin, role=Role.LEADER),
        lambda: actions.do_issue_token(world.tracer, actor=world.admin),
        lambda: actions.do_deactivate_user(world.commander, actor=world.admin),
    )
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="capabilities you do not hold"):
            attempt()
    assert not AuditEvent.objects.exists()
    assert not Token.objects.exists()


def test_a_superuser_and_the_command_line_give_any_role(world):
    root = User.objects.create_superuser("root", password="a-l0ng-passphrase")
    actions.do_create_user(
        actor=root,
        username="c1",
        role=Role.COMMANDER,
        jurisdiction=world.city,
        password="a-l0ng-passphrase",
    )
    actions.do_update_user(world.leader, actor=cli_actor(), role=Role.COMMANDER)
    world.leader.refresh_from_db()
    assert world.leader.role == Role.COMMANDER
    assert User.objects.get(username="c1").role == Role.COMMANDER
