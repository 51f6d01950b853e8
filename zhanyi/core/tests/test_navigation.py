def nav_names(client):
    return [item["name"] for item in client.get("/").context["nav_items"]]


def test_an_administrator_sees_users_and_the_audit_log(world, client_for):
    names = nav_names(client_for(world.admin))
    assert "accounts:user-list" in names and "accounts:audit-log" in names


def test_a_village_team_member_sees_no_administration(world, client_for):
    names = nav_names(client_for(world.village_member))
    assert "command:home" in names
    assert "accounts:user-list" not in names and "accounts:audit-log" not in names


def test_the_user_name_opens_the_profile(world, client_for):
    html = client_for(world.tracer).get("/").content.decode()
    assert 'href="/accounts/me/"' in html
