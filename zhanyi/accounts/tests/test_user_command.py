import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from rest_framework.authtoken.models import Token

from zhanyi.accounts.models import Headquarters, Role, TaskForce, TaskForceKind, User
from zhanyi.core.models import AuditEvent


def run(*args, stdin=None) -> str:
    out = io.StringIO()
    extra = {"stdin": stdin} if stdin is not None else {}
    call_command("user", *args, stdout=out, **extra)
    return out.getvalue()


def test_create_generates_and_prints_a_password_and_audits_as_the_cli(world):
    out = run("create", "wang", "--role", "staff", "--jurisdiction", "350602", "--first-name", "王")
    password = out.split("Password: ")[1].strip()
    user = User.objects.get(username="wang")
    assert user.check_password(password)
    assert (user.role, user.jurisdiction, user.first_name) == (Role.STAFF, world.county, "王")
    event = AuditEvent.objects.get(action="user.created")
    assert event.actor is None and event.actor_name.startswith("cli:")


def test_create_reads_a_password_from_stdin_and_does_not_print_it(world):
    out = run(
        "create",
        "li",
        "--role",
        "field",
        "--jurisdiction",
        "350602001001",
        "--password-stdin",
        stdin=io.StringIO("a long enough passphrase 42\n"),
    )
    assert "Password" not in out
    assert User.objects.get(username="li").check_password("a long enough passphrase 42")


def test_create_refuses_a_weak_password_from_stdin(world):
    with translation.override("en"), pytest.raises(CommandError, match=r"too common|too short"):
        run(
            "create",
            "li",
            "--role",
            "field",
            "--jurisdiction",
            "350602001001",
            "--password-stdin",
            stdin=io.StringIO("password\n"),
        )
    assert not User.objects.filter(username="li").exists()


def test_an_unknown_area_code_or_role_is_a_clear_error(world):
    with pytest.raises(CommandError, match="no area has the code '999999'"):
        run("create", "wang", "--role", "staff", "--jurisdiction", "999999")
    with pytest.raises(CommandError, match="invalid choice: 'chief'"):
        run("create", "wang", "--role", "chief", "--jurisdiction", "350602")
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        run("set-role", "nobody", "staff")


def test_a_taken_user_name_is_a_clear_error(world):
    with pytest.raises(CommandError, match="taken"):
        run("create", "Tracer", "--role", "staff", "--jurisdiction", "350602")


def test_the_task_force_is_found_at_the_nearest_headquarters(world):
    city_hq = Headquarters.objects.create(name="漳州市战疫指挥部", area=world.city)
    county_hq = Headquarters.objects.create(name="芗城区指挥部", area=world.county, parent=city_hq)
    TaskForce.objects.create(headquarters=city_hq, kind=TaskForceKind.INVESTIGATION)
    county_tf = TaskForce.objects.create(headquarters=county_hq, kind=TaskForceKind.INVESTIGATION)
    run(
        "create",
        "wang",
        "--role",
        "staff",
        "--jurisdiction",
        "350602001",
        "--task-force",
        "investigation",
    )
    assert User.objects.get(username="wang").task_force == county_tf
    with pytest.raises(CommandError, match="no 'testing' task force"):
        run("set-task-force", "wang", "testing")


def test_list_shows_active_accounts_filtered_by_role(world):
    out = run("list", "--role", "staff")
    assert "tracer" in out and "longhai" in out and "villager" not in out
    world.tracer.is_active = False
    world.tracer.save(update_fields=["is_active"])
    assert "tracer" not in run("list", "--role", "staff")
    assert "tracer" in run("list", "--role", "staff", "--all")
    out = run("list", "--jurisdiction", "350604")
    assert "longhai" in out and "tracer" not in out


def test_set_role_and_set_jurisdiction_change_and_audit(world):
    run("set-role", "tracer", "commander")
    run("set-jurisdiction", "tracer", "350604")
    world.tracer.refresh_from_db()
    assert (world.tracer.role, world.tracer.jurisdiction) == (Role.COMMANDER, world.other_county)
    assert AuditEvent.objects.filter(action="user.changed").count() == 2


def test_deactivate_revokes_the_token_and_reactivate_restores_log_in(world):
    Token.objects.create(user=world.tracer)
    run("deactivate", "tracer")
    world.tracer.refresh_from_db()
    assert not world.tracer.is_active and not Token.objects.filter(user=world.tracer).exists()
    run("reactivate", "tracer")
    world.tracer.refresh_from_db()
    assert world.tracer.is_active


def test_reset_password_prints_a_new_one(world):
    out = run("reset-password", "tracer")
    world.tracer.refresh_from_db()
    assert world.tracer.check_password(out.split("new password: ")[1].strip())


def test_token_prints_the_same_token_until_rotated(world):
    first = run("token", "tracer").strip()
    assert Token.objects.get(user=world.tracer).key == first
    assert run("token", "tracer").strip() == first
    rotated = run("token", "tracer", "--rotate").strip()
    assert rotated != first and Token.objects.get(user=world.tracer).key == rotated
    assert AuditEvent.objects.filter(action="token.created").count() == 2


def test_no_token_for_a_deactivated_account(world):
    run("deactivate", "tracer")
    with pytest.raises(CommandError, match="deactivated"):
        run("token", "tracer")
