from zhanyi.core import audit
from zhanyi.core.models import AuditEvent


def test_audit_events_are_read_only_in_the_admin_even_for_a_superuser(world, client_for):
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    event = audit.record(actor=world.tracer, action="person.viewed")
    client = client_for(world.admin)
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    assert (
        client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert (
        client.post(f"/admin/core/auditevent/{event.pk}/change/", {"action": "forged"}).status_code
        == 403
    )
    assert AuditEvent.objects.get(pk=event.pk).action == "person.viewed"


def test_a_non_superuser_admin_sees_users_of_their_jurisdiction_but_cannot_change_them(
    world, client_for, county_admin
):
    client = client_for(county_admin)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 200
    names = {u.username for u in response.context["cl"].result_list}
    assert names == {"tracer", "villager", "xc-admin"}
    response = client.post(
        f"/admin/accounts/user/{world.tracer.pk}/change/",
        {"username": "tracer", "role": "commander"},
    )
    assert response.status_code == 403
    assert client.get(
        f"/admin/accounts/user/{world.other_county_staff.pk}/change/"
    ).status_code in {302, 404}


def test_staff_without_capabilities_see_nothing_in_the_admin(world, client_for):
    world.tracer.is_staff = True
    world.tracer.save(update_fields=["is_staff"])
    client = client_for(world.tracer)
    assert client.get("/admin/core/auditevent/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403


def test_a_superusers_change_in_the_admin_is_audited(world, client_for):
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    client = client_for(world.admin)
    response = client.post(
        f"/admin/accounts/user/{world.tracer.pk}/password/",
        {
            "password1": "another-l0ng-passphrase",
            "password2": "another-l0ng-passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="user.changed", object_id=str(world.tracer.pk), detail__via="admin"
    ).exists()
