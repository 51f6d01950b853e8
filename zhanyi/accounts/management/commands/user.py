"""``zhanyi user``: administer accounts (账号管理) from the server's command line.

Every change goes through ``zhanyi.accounts.actions`` and is audited with the
actor ``cli:<operating-system user>``. Examples::

    zhanyi user create wang --role staff --jurisdiction 350602 --task-force investigation
    echo 'a long password' | zhanyi user create li --role field --jurisdiction 350602001001 \\
        --password-stdin
    zhanyi user list --role field
    zhanyi user set-role wang commander
    zhanyi user set-jurisdiction wang 350604
    zhanyi user deactivate wang
    zhanyi user reset-password wang
    zhanyi user token wang --rotate
    zhanyi user import staff.xlsx --errors refused.xlsx   # staff in bulk; prints set-password links
    zhanyi user password-link 13800000001
    zhanyi user deactivate-staff 13800000001 13800000002   # or --file leaving.txt
    zhanyi user reset-2fa wang
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhanyi.accounts import actions
from zhanyi.accounts.actions import staff
from zhanyi.accounts.actions import twofactor as twofactor_actions
from zhanyi.accounts.models import Role, TaskForce, TaskForceKind, User
from zhanyi.accounts.queries import task_force_over
from zhanyi.core.audit import cli_actor
from zhanyi.places.models import Area

NO_TASK_FORCE = "none"


def _area(code: str) -> Area:
    try:
        return Area.objects.get(code=code)
    except Area.DoesNotExist:
        raise CommandError(
            f"no area has the code {code!r}; see the area codes with `zhanyi` on the "
            "places pages or /api/v1/places/areas/"
        ) from None


def _user(username: str) -> User:
    try:
        return User.objects.select_related("jurisdiction").get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"no user named {username!r}") from None


def _task_force(kind: str, area: Area | None) -> TaskForce | None:
    """The task force of ``kind`` at the nearest headquarters over ``area``."""
    if kind == NO_TASK_FORCE:
        return None
    if area is None:
        raise CommandError("a task force needs a jurisdiction to find its headquarters")
    found = task_force_over(area, kind)
    if found is None:
        raise CommandError(
            f"no {kind!r} task force at any headquarters over {area.name} ({area.code})"
        )
    return found


class Command(BaseCommand):
    help = "Create, list and change user accounts; print API tokens."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        roles = Role.values
        kinds = [*TaskForceKind.values, NO_TASK_FORCE]

        create = sub.add_parser("create", help="create an account")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=roles)
        create.add_argument("--jurisdiction", required=True, metavar="AREA_CODE")
        create.add_argument(
            "--task-force",
            choices=kinds,
            default=NO_TASK_FORCE,
            metavar="KIND",
            help=f"one of: {', '.join(kinds)}",
        )
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument("--email", default="")
        create.add_argument("--phone", default="")
        create.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input instead of generating and printing one",
        )

        listing = sub.add_parser("list", help="list accounts")
        listing.add_argument("--role", choices=roles)
        listing.add_argument(
            "--jurisdiction", metavar="AREA_CODE", help="only accounts in this area's subtree"
        )
        listing.add_argument(
            "--all",
            action="store_true",
            dest="include_inactive",
            help="include deactivated accounts",
        )

        set_role = sub.add_parser("set-role", help="change an account's role")
        set_role.add_argument("username")
        set_role.add_argument("role", choices=roles)

        set_area = sub.add_parser("set-jurisdiction", help="change an account's jurisdiction")
        set_area.add_argument("username")
        set_area.add_argument("area_code", metavar="AREA_CODE")

        set_tf = sub.add_parser("set-task-force", help="change an account's task force")
        set_tf.add_argument("username")
        set_tf.add_argument("kind", choices=kinds, metavar="KIND")

        for name, text in [
            ("deactivate", "deactivate an account (never deleted)"),
            ("reactivate", "reactivate a deactivated account"),
            ("reset-password", "give an account a new random password"),
            ("reset-2fa", "remove an account's second-factor devices (a lost phone)"),
        ]:
            sub.add_parser(name, help=text).add_argument("username")

        load = sub.add_parser(
            "import",
            help="accounts from a staff spreadsheet (姓名, 手机, 角色, 管辖范围, 专班)",
        )
        load.add_argument("file", metavar="FILE", help="xlsx, xls or csv")
        load.add_argument(
            "--errors", metavar="OUT.xlsx", help="write the refused rows, with what to fix, here"
        )
        link = sub.add_parser("password-link", help="print a one-time set-password link")
        link.add_argument("username")
        leaving = sub.add_parser(
            "deactivate-staff", help="deactivate the accounts of leaving staff by their phones"
        )
        leaving.add_argument("phones", nargs="*", metavar="PHONE")
        leaving.add_argument("--file", metavar="FILE", help="phones, one a line")

        token = sub.add_parser("token", help="print the account's API token")
        token.add_argument("username")
        token.add_argument(
            "--rotate", action="store_true", help="replace the token; the old one stops working"
        )

    def handle(self, *args, subcommand: str, **options) -> None:
        handler = getattr(self, "handle_" + subcommand.replace("-", "_"))
        try:
            handler(**options)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            raise CommandError(" ".join(messages)) from None

    def handle_create(
        self,
        *,
        username: str,
        role: str,
        jurisdiction: str,
        task_force: str,
        password_stdin: bool,
        first_name: str,
        last_name: str,
        email: str,
        phone: str,
        stdin=None,
        **_,
    ) -> None:
        area = _area(jurisdiction)
        tf = _task_force(task_force, area)
        if password_stdin:
            password = (stdin or sys.stdin).readline().rstrip("\n")
            if not password:
                raise CommandError("no password on standard input")
        else:
            password = actions.generate_password()
        user = actions.do_create_user(
            actor=cli_actor(),
            username=username,
            role=role,
            jurisdiction=area,
            task_force=tf,
            password=password,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
        )
        self.stdout.write(f"Created {user.username} ({user.get_role_display()}, {area.name}).")
        if not password_stdin:
            self.stdout.write(f"Password: {password}")

    def handle_list(
        self, *, role: str | None, jurisdiction: str | None, include_inactive: bool, **_
    ) -> None:
        users = User.objects.select_related("jurisdiction", "task_force").order_by(
            "jurisdiction__path", "username"
        )
        if role:
            users = users.filter(role=role)
        if jurisdiction:
            users = users.filter(jurisdiction__path__startswith=_area(jurisdiction).path)
        if not include_inactive:
            users = users.filter(is_active=True)
        rows = [("USERNAME", "ROLE", "JURISDICTION", "TASK FORCE", "ACTIVE")]
        for u in users:
            rows.append(
                (
                    u.username + (" *" if u.is_superuser else ""),
                    u.role,
                    f"{u.jurisdiction.name} {u.jurisdiction.code}" if u.jurisdiction else "-",
                    u.task_force.kind if u.task_force else "-",
                    "yes" if u.is_active else "no",
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )

    def handle_set_role(self, *, username: str, role: str, **_) -> None:
        user = _user(username)
        changed = actions.do_update_user(user, actor=cli_actor(), role=role)
        self.stdout.write(f"{username}: role {role}" + ("" if changed else " (unchanged)"))

    def handle_set_jurisdiction(self, *, username: str, area_code: str, **_) -> None:
        user = _user(username)
        area = _area(area_code)
        changed = actions.do_update_user(user, actor=cli_actor(), jurisdiction=area)
        self.stdout.write(
            f"{username}: jurisdiction {area.name} ({area.code})"
            + ("" if changed else " (unchanged)")
        )

    def handle_set_task_force(self, *, username: str, kind: str, **_) -> None:
        user = _user(username)
        tf = _task_force(kind, user.jurisdiction)
        actions.do_update_user(user, actor=cli_actor(), task_force=tf)
        self.stdout.write(f"{username}: task force {tf or '-'}")

    def handle_deactivate(self, *, username: str, **_) -> None:
        actions.do_deactivate_user(_user(username), actor=cli_actor())
        self.stdout.write(f"{username}: deactivated")

    def handle_reactivate(self, *, username: str, **_) -> None:
        actions.do_reactivate_user(_user(username), actor=cli_actor())
        self.stdout.write(f"{username}: reactivated")

    def handle_reset_password(self, *, username: str, **_) -> None:
        password = actions.do_reset_password(_user(username), actor=cli_actor())
        self.stdout.write(f"{username}: new password: {password}")

    def handle_import(self, *, file: str, errors: str | None, **_) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no file {path}")
        with path.open("rb") as fh:
            result = staff.do_import_staff(fh, path.name, actor=cli_actor())
        record = result.record
        for p in result.errors:
            where = f"line {p['line']}: " if p["line"] else ""
            self.stderr.write(f"refused {where}{p['message']} {p['value']}".rstrip())
        for p in result.warnings:
            self.stdout.write(f"warning line {p['line']}: {p['message']} {p['value']}".rstrip())
        self.stdout.write(
            f"{record.rows} rows: {record.created} created, {record.updated} updated, "
            f"{record.unchanged} unchanged, {record.refused} refused."
        )
        if errors and record.error_file:
            Path(errors).write_bytes(bytes(record.error_file))
            self.stdout.write(f"Refused rows, with what to fix: {errors}")
        if result.links:
            expires = (
                timezone.localtime(result.expires_at).strftime("%Y-%m-%d %H:%M %Z")
                if result.expires_at
                else ""
            )
            self.stdout.write(f"Set-password links (each works once, until {expires}):")
            for link in result.links:
                self.stdout.write(f"{link.user.username}\t{link.user.first_name}\t{link.url}")
        if record.rows == 0 and result.errors:
            raise CommandError("nothing loaded")

    def handle_password_link(self, *, username: str, **_) -> None:
        self.stdout.write(staff.do_issue_password_link(_user(username), actor=cli_actor()))

    def handle_deactivate_staff(self, *, phones: list[str], file: str | None, **_) -> None:
        given = list(phones)
        if file:
            given += staff.split_phones(Path(file).read_text(encoding="utf-8-sig"))
        if not given:
            raise CommandError("give the phones of the leaving staff, or --file")
        outcome = staff.do_deactivate_staff(given, actor=cli_actor())
        for user in outcome.deactivated:
            self.stdout.write(f"{user.username}: deactivated")
        for user in outcome.already:
            self.stdout.write(f"{user.username}: deactivated already")
        for phone in outcome.unknown:
            self.stdout.write(f"{phone}: no account has this phone")
        for phone, why in outcome.refused:
            self.stderr.write(f"{phone}: refused: {why}")

    def handle_reset_2fa(self, *, username: str, **_) -> None:
        removed = twofactor_actions.do_reset_two_factor(_user(username), actor=cli_actor())
        self.stdout.write(
            f"{username}: {removed} second-factor device(s) removed; enrols again at next log-in"
        )

    def handle_token(self, *, username: str, rotate: bool, **_) -> None:
        token = actions.do_issue_token(_user(username), actor=cli_actor(), rotate=rotate)
        self.stdout.write(token.key)
