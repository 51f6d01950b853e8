import pytest

from zhanyi.accounts.models import Role, User
from zhanyi.accounts.testing import make_user
from zhanyi.core.models import AuditEvent

LIST = "/accounts/users/"
NEW = "/accounts/users/new/"


def form(**overrides):
    data = {
        "username": "newbie",
        "first_name": "王",
        "last_name": "",
        "email": "",
        "phone": "",
        "role": Role.LEADER,
        "jurisdiction": "350602001002",
        "task_force": "",
    }
    data.update(overrides)
    return data


def test_an_outsider_and_non_admins_are_refused(world, client_for):
    for user in (world.outsider, world.commander, world.tracer, world.leader):
        client = client_for(user)
        assert client.get(LIST).status_code == 403
        assert client.post(NEW, form()).status_code == 403
    assert not User.objects.filter(username="newbie").exists()


def listed(response):
    return {u.username for u in response.context["page"]}


def test_a_county_admin_lists_only_accounts_in_their_county(world, client_for, county_admin):
    assert listed(client_for(county_admin).get(LIST)) == {"tracer", "villager", "xc-admin"}


def test_a_city_admin_also_sees_accounts_without_a_jurisdiction(world, client_for):
    assert {"longhai", "outsider", "commander"} <= listed(client_for(world.admin).get(LIST))


def test_a_county_admin_creates_a_user_in_their_county_and_sees_the_password_once(
    world, client_for, county_admin
):
    response = client_for(county_admin).post(NEW, form())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    user = User.objects.get(username="newbie")
    assert (user.role, user.jurisdiction) == (Role.LEADER, world.village2)
    password = response.context["password"]
    assert user.check_password(password) and password in response.content.decode()
    event = AuditEvent.objects.get(action="user.created")
    assert event.actor == county_admin and event.object_id == str(user.pk)
    assert password not in str(event.detail)


def test_an_admin_of_xiangcheng_cannot_create_a_user_for_longhai(world, client_for, county_admin):
    response = client_for(county_admin).post(NEW, form(jurisdiction="350604"))
    assert response.status_code == 200
    assert (
        "outside your jurisdiction" in response.content.decode()
        or response.context["form"].errors["jurisdiction"]
    )
    assert not User.objects.filter(username="newbie").exists()
    # Not the city either, which contains their county.
    client_for(county_admin).post(NEW, form(jurisdiction="350600"))
    assert not User.objects.filter(username="newbie").exists()


def test_an_area_can_be_given_by_its_unique_name(world, client_for, county_admin):
    client_for(county_admin).post(NEW, form(jurisdiction="南昌社区"))
    assert User.objects.get(username="newbie").jurisdiction == world.village2


def test_a_taken_user_name_is_a_form_error(world, client_for):
    response = client_for(world.admin).post(NEW, form(username="TRACER"))
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_an_account_of_another_county_is_not_found(world, client_for, county_admin):
    client = client_for(county_admin)
    pk = world.other_county_staff.pk
    assert client.get(f"/accounts/users/{pk}/").status_code == 404
    assert client.post(f"/accounts/users/{pk}/deactivate/").status_code == 404
    assert client.post(f"/accounts/users/{pk}/reset-password/").status_code == 404
    world.other_county_staff.refresh_from_db()
    assert world.other_county_staff.is_active


def test_an_admin_edits_an_account_and_the_change_is_audited(
    world, client_for, county_admin, county_leader
):
    url = f"/accounts/users/{county_leader.pk}/"
    client = client_for(county_admin)
    assert client.get(url).status_code == 200
    response = client.post(url, form(username="ignored", role=Role.ADMIN, jurisdiction="350602001"))
    assert response.status_code == 302
    county_leader.refresh_from_db()
    assert county_leader.username == "xc-leader"  # not editable
    assert (county_leader.role, county_leader.jurisdiction) == (Role.ADMIN, world.township)
    event = AuditEvent.objects.get(action="user.changed")
    assert event.detail["changes"]["role"] == ["leader", "admin"]
    assert event.detail["changes"]["jurisdiction"] == ["350602", "350602001"]


def test_an_admin_cannot_move_an_account_out_of_their_jurisdiction(
    world, client_for, county_admin, county_leader
):
    client_for(county_admin).post(
        f"/accounts/users/{county_leader.pk}/", form(role=Role.LEADER, jurisdiction="350604")
    )
    county_leader.refresh_from_db()
    assert county_leader.jurisdiction == world.county


def test_an_admin_cannot_change_their_own_role(world, client_for, county_admin):
    response = client_for(county_admin).post(
        f"/accounts/users/{county_admin.pk}/", form(role=Role.LEADER, jurisdiction="350602")
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    county_admin.refresh_from_db()
    assert county_admin.role == Role.ADMIN


def test_deactivating_stops_log_in_and_is_audited(world, client_for, county_admin, county_leader):
    response = client_for(county_admin).post(f"/accounts/users/{county_leader.pk}/deactivate/")
    assert response.status_code == 302
    county_leader.refresh_from_db()
    assert not county_leader.is_active
    assert AuditEvent.objects.filter(
        action="user.deactivated", object_id=str(county_leader.pk)
    ).exists()
    client_for(county_admin).post(f"/accounts/users/{county_leader.pk}/reactivate/")
    county_leader.refresh_from_db()
    assert county_leader.is_active


def test_deactivation_needs_a_post(world, client_for, county_admin):
    assert (
        client_for(county_admin).get(f"/accounts/users/{world.tracer.pk}/deactivate/").status_code
        == 405
    )


def test_resetting_a_password_shows_a_new_one(world, client_for, county_admin, county_leader):
    response = client_for(county_admin).post(f"/accounts/users/{county_leader.pk}/reset-password/")
    county_leader.refresh_from_db()
    assert county_leader.check_password(response.context["password"])
    assert AuditEvent.objects.filter(action="user.password_reset").count() == 1


# Issue 14, finding 11: a role could grant capabilities it does not hold -------------


def test_an_admin_cannot_create_a_commander_and_is_told_why(world, client_for, county_admin):
    response = client_for(county_admin).post(NEW, form(role=Role.COMMANDER))
    assert response.status_code == 200
    errors = response.context["form"].errors["role"]
    assert any("approve" in e and "edit_person" in e for e in errors)  # what is missing
    assert not User.objects.filter(username="newbie").exists()
    assert not AuditEvent.objects.filter(action="user.created").exists()


@pytest.mark.parametrize("role", [Role.COMMANDER, Role.STAFF, Role.FIELD])
def test_an_admin_cannot_raise_an_account_to_a_role_above_their_own(
    world, client_for, county_admin, county_leader, role
):
    response = client_for(county_admin).post(
        f"/accounts/users/{county_leader.pk}/", form(role=role, jurisdiction="350602")
    )
    assert response.status_code == 200 and response.context["form"].errors["role"]
    county_leader.refresh_from_db()
    assert county_leader.role == Role.LEADER


def test_an_admin_cannot_take_over_a_commander_by_resetting_the_password(
    world, client_for, county_admin
):
    """Resetting the password of an account holding more than oneself is acting as it."""
    commander = make_user("xc-commander", Role.COMMANDER, world.county)
    before = commander.password
    client = client_for(county_admin)
    for action in ("reset-password", "deactivate"):
        response = client.post(f"/accounts/users/{commander.pk}/{action}/", follow=True)
        assert response.status_code == 200
        shown = " ".join(str(m) for m in response.context["messages"])
        assert "approve" in shown and "xc-commander" in shown
    commander.refresh_from_db()
    assert commander.password == before and commander.is_active
    assert not AuditEvent.objects.filter(object_id=str(commander.pk)).exists()
    # Nor by editing it: not even its e-mail address (a reset link could go there).
    client.post(
        f"/accounts/users/{commander.pk}/",
        form(role=Role.COMMANDER, jurisdiction="350602", email="me@example.org"),
    )
    commander.refresh_from_db()
    assert commander.email == ""


@pytest.mark.parametrize("query", [{"role": "field"}, {"q": "villa"}])
def test_the_list_filters(world, client_for, query):
    assert listed(client_for(world.admin).get(LIST, query)) == {"villager"}


def test_a_superuser_is_not_listed_for_a_city_admin(world, client_for):
    make_user("root", Role.ADMIN, None, is_superuser=True)
    assert "root" not in listed(client_for(world.admin).get(LIST))


def test_the_new_user_form_offers_only_areas_of_the_admins_jurisdiction(
    world, client_for, county_admin
):
    response = client_for(county_admin).get(NEW)
    assert response.status_code == 200
    offered = {a.code for a in response.context["form"].area_suggestions}
    assert offered == {"350602", "350602001"}  # villages are typed, not listed
