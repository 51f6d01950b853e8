"""Staff in bulk (人员批量导入): accounts from a spreadsheet, set-password links,
leaving staff disabled by their phones.

The spreadsheet is what a city's organisation department keeps: one row per person
with 姓名, 手机, 角色, 管辖范围 (area code or name) and 专班 (optional), as xlsx, xls or
CSV in any encoding staff save (read by ``zhanyi.core.tabular``). Headers are matched
by their Chinese or English names (``HEADERS``), roles by their key or their label in
either language (``role_of``), task forces likewise.

- **The phone is the key**: an account whose phone (or user name) is the row's phone
  is updated, not duplicated; a new account gets the phone as its user name and no
  password, and its user sets one through a one-time link (``password_link``:
  Django's token generator, which the first password set, or a log-in, spends; it
  expires after ``PASSWORD_RESET_TIMEOUT``).
- **A row that cannot be understood is refused** with its line and why (an unknown
  role or area, a phone that is not a mobile number, a role or area the loader may
  not give) and goes to the error file (the rows as sent, with a column saying what
  to fix); the other rows are stored, each in its own savepoint, all in one
  transaction with one audit record for the file besides each account's own.
- **Leaving staff** (``do_deactivate_staff``): a list of phones, each account
  deactivated through ``do_deactivate_user`` (audited), unknown phones reported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from zhanyi.accounts.actions import (
    _check_actor_may_manage,
    do_create_user,
    do_deactivate_user,
    do_update_user,
)
from zhanyi.accounts.models import Role, StaffImport, TaskForce, TaskForceKind, User
from zhanyi.accounts.queries import can_manage_user, task_force_over
from zhanyi.accounts.roles import missing_capabilities, require_capability
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.audit import SystemActor
from zhanyi.core.columns import HEADER_SEARCH_ROWS, recognise
from zhanyi.core.jurisdiction import root_path
from zhanyi.core.spreadsheet import text_cells
from zhanyi.core.tabular import FORMATS, TableFileError, cell_text, open_rows
from zhanyi.places import codes
from zhanyi.places.models import Area

#: Column → the headers it is recognised by (compared without spaces, case-blind).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "name", "full name"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "phone", "mobile"),
    "role": ("角色", "账号角色", "系统角色", "role"),
    "jurisdiction": (
        "管辖范围",
        "辖区",
        "管辖区域",
        "工作区域",
        "区域",
        "区划代码",
        "jurisdiction",
        "area",
        "area code",
    ),
    "task_force": ("专班", "工作专班", "所属专班", "task force", "taskforce"),
}
REQUIRED = ("name", "phone", "role", "jurisdiction")
MAX_ROWS = 50_000

#: Names offices use for the roles besides the roles' own labels.
ROLE_ALIASES: dict[str, str] = {
    "指挥员": Role.COMMANDER,
    "指挥部": Role.COMMANDER,
    "工作人员": Role.STAFF,
    "专班人员": Role.STAFF,
    "专班成员": Role.STAFF,
    "五包一": Role.FIELD,
    "五包一成员": Role.FIELD,
    "网格员": Role.FIELD,
    "领导": Role.LEADER,
    "只读": Role.LEADER,
    "系统管理员": Role.ADMIN,
}

_PHONE_NOISE = re.compile(r"[\s\-()（）+.]")


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower().replace("（", "(").replace("）", ")")


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Each choice by its key and by its label in Chinese and in English."""
    names: dict[str, str] = {}
    for value, label in choices:
        names[_key(value)] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[_key(str(label))] = value
    return names


def role_of(text: str) -> str | None:
    """The role a cell names (``commander``, 指挥长, Commander, 五包一…), or None."""
    names = _labels(Role.choices) | {_key(k): v for k, v in ROLE_ALIASES.items()}
    key = _key(text)
    return names.get(key) or names.get(key.split("(")[0])


def task_force_kind_of(text: str) -> str | None:
    """The task force kind a cell names (``investigation``, 流调溯源, 流调…), or None."""
    names = _labels(TaskForceKind.choices)
    key = _key(text).removesuffix("专班").removesuffix("组")
    if key in names:
        return names[key]
    found = {v for k, v in names.items() if key and (k.startswith(key) or key.startswith(k))}
    return found.pop() if len(found) == 1 else None


def normalise_phone(text: str) -> str | None:
    """An 11-digit mainland mobile number from what was typed (spaces, dashes,
    +86 or 0086 in front), or None when it is not one."""
    digits = _PHONE_NOISE.sub("", text)
    for prefix in ("0086", "86"):
        if len(digits) == 11 + len(prefix) and digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None


def accounts_with_phone(phone: str) -> list[User]:
    """Accounts whose phone, or user name, is this mobile number."""
    return list(User.objects.filter(Q(phone=phone) | Q(username=phone)).order_by("pk")[:2])


# Set-password links -----------------------------------------------------------------


def link_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def password_link(user: User, request: Any = None) -> str:
    """The one-time link on which ``user`` sets their password: absolute, on the
    address of the request when there is one, else ``ZHANYI_BASE_URL``."""
    path = reverse(
        "accounts:set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.BASE_URL.rstrip("/") + path


def needs_link(user: User) -> bool:
    """An account whose user has never set a password nor logged in."""
    return user.is_active and not user.has_usable_password() and user.last_login is None


@transaction.atomic
def do_issue_password_link(user: User, *, actor: User | SystemActor, request: Any = None) -> str:
    """A fresh set-password link for ``user`` (one whose link expired or was lost, or
    one an administrator sends to set a new password). Audited; the link itself is
    never recorded."""
    _check_actor_may_manage(actor, user, None)
    if not user.is_active:
        raise ValidationError(_("The account is deactivated."))
    link = password_link(user, request)
    audit.record(
        actor=actor,
        action="user.password_link",
        obj=user,
        request=request,
        area=user.jurisdiction,
        detail={"expires_at": link_expiry().isoformat(timespec="minutes")},
    )
    return link


@transaction.atomic
def do_set_password_by_link(user: User, *, new_password: str, request: Any = None) -> None:
    """The user sets their password on the link's page (the view checked the token,
    which this spends: the password hash is part of it)."""
    from django.contrib.auth.password_validation import validate_password
    from rest_framework.authtoken.models import Token

    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    tokens = Token.objects.filter(user=user).delete()[0]
    audit.record(
        actor=user,
        action="user.password_set",
        obj=user,
        request=request,
        area=user.jurisdiction,
        detail={"via": "link", "tokens_revoked": tokens},
    )


# The import ------------------------------------------------------------------------


@dataclass
class NewLink:
    user: User
    url: str


@dataclass
class StaffResult:
    """What an import did: the record, the accounts, the links, the problems by row."""

    record: StaffImport
    links: list[NewLink] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    expires_at: dt.datetime | None = None


def _problem(line: int, column: str, message: str, value: str = "") -> dict:
    return {"line": line, "column": column, "message": message, "value": value}


def _find_header(rows: Iterator[list[Any]]) -> tuple[list[Any], dict[str, int], int]:
    """The header row (the first of the first rows naming every required column; a
    title row above it, 芗城区防疫人员名单, is passed over), its columns, and its line.
    Headers are compared as ``zhanyi.core.columns`` does (no spaces, ``*`` or notes in
    brackets). Without such a row: the first row, and its columns."""
    seen: list[tuple[list[Any], dict[str, int]]] = []
    for line, row in enumerate(rows, start=1):
        cols = recognise(row, HEADERS, HEADERS, {})
        if all(c in cols for c in REQUIRED):
            return list(row), cols, line
        seen.append((list(row), cols))
        if line >= HEADER_SEARCH_ROWS:
            break
    return (*seen[0], 1) if seen else ([], {}, 1)


class _Areas:
    """Areas named by code or by a name unique in the loader's jurisdiction."""

    def __init__(self, actor: User | SystemActor) -> None:
        if isinstance(actor, SystemActor) or actor.is_superuser:
            self.path: str | None = ""
        else:
            self.path = root_path(actor)
        self.cache: dict[str, Area | str] = {}

    def find(self, text: str) -> Area | str:
        """The area, or why not."""
        if text in self.cache:
            return self.cache[text]
        if self.path is None:
            answer: Area | str = _("You have no jurisdiction: you cannot give one.")
        else:
            inside = Area.objects.filter(path__startswith=self.path)
            # A code as the statistics bureau writes it (350600000000) or as
            # zhanyi keeps it (350600), or one the area had before a recoding.
            coded = codes.resolve(text)
            found = (list(inside.filter(pk=coded.pk)) if coded is not None else []) or list(
                inside.filter(name=text)[:2]
            )
            if len(found) == 1:
                answer = found[0]
            elif len(found) > 1:
                answer = _("Several areas are called “%(name)s”; give the area code.") % {
                    "name": text
                }
            elif coded is not None or Area.objects.filter(name=text).exists():
                answer = _("“%(value)s” is outside your jurisdiction.") % {"value": text}
            else:
                answer = _("No area has the code or name “%(value)s”.") % {"value": text}
        self.cache[text] = answer
        return answer


@dataclass
class _Row:
    line: int
    name: str
    phone: str
    role: str
    area: Area
    task_force: TaskForce | None


def _read_row(
    line: int, cells: list[Any], cols: dict[str, int], areas: _Areas, actor
) -> tuple[_Row | None, list[dict], list[dict]]:
    """A row's values with its warnings, or its errors."""

    def get(column: str) -> str:
        index = cols.get(column)
        return cell_text(cells[index]) if index is not None and index < len(cells) else ""

    errors: list[dict] = []
    warnings: list[dict] = []
    raw_name = get("name")
    name = raw_name.replace(" ", "")
    if not name:
        errors.append(_problem(line, "name", _("The name is empty.")))
    elif name != raw_name:
        warnings.append(_problem(line, "name", _("Spaces taken out of the name."), raw_name))
    raw_phone = get("phone")
    phone = normalise_phone(raw_phone)
    if phone is None:
        errors.append(
            _problem(
                line,
                "phone",
                _("Not an 11-digit mobile number: the phone is the account's key."),
                raw_phone,
            )
        )
    role_text = get("role")
    role = role_of(role_text)
    if role is None:
        errors.append(
            _problem(
                line,
                "role",
                _("Unknown role: write one of %(roles)s.")
                % {"roles": ", ".join(str(label) for label in Role.labels)},
                role_text,
            )
        )
    elif missing := missing_capabilities(actor, role) if isinstance(actor, User) else []:
        errors.append(
            _problem(
                line,
                "role",
                _(
                    "You cannot give the role %(role)s: it holds capabilities you do not "
                    "hold (%(capabilities)s)."
                )
                % {"role": Role(role).label, "capabilities": ", ".join(missing)},
                role_text,
            )
        )
    area_text = get("jurisdiction")
    area = areas.find(area_text) if area_text else _("The jurisdiction is empty.")
    if isinstance(area, str):
        errors.append(_problem(line, "jurisdiction", area, area_text))
    task_force = None
    tf_text = get("task_force")
    if tf_text and not isinstance(area, str):
        kind = task_force_kind_of(tf_text)
        if kind is None:
            errors.append(
                _problem(
                    line,
                    "task_force",
                    _("Unknown task force: write one of %(kinds)s.")
                    % {"kinds": ", ".join(str(label) for label in TaskForceKind.labels)},
                    tf_text,
                )
            )
        else:
            task_force = task_force_over(area, kind)
            if task_force is None:
                errors.append(
                    _problem(
                        line,
                        "task_force",
                        _(
                            "No headquarters over %(area)s has a %(kind)s task force: set up "
                            "the headquarters first."
                        )
                        % {"area": area.name, "kind": TaskForceKind(kind).label},
                        tf_text,
                    )
                )
    if errors:
        return None, errors, warnings
    assert phone is not None and role is not None and isinstance(area, Area)
    return _Row(line, name[:150], phone, role, area, task_force), [], warnings


def _store(row: _Row, actor, request, result: StaffResult) -> str:
    """Create or update the row's account; returns ``created``, ``updated`` or
    ``unchanged``. Raises ``ValidationError`` or ``PermissionDenied`` to refuse it."""
    found = accounts_with_phone(row.phone)
    if len(found) > 1:
        raise ValidationError(
            _("Several accounts have the phone %(phone)s; correct them on their pages first.")
            % {"phone": row.phone}
        )
    if not found:
        user = do_create_user(
            actor=actor,
            username=row.phone,
            role=row.role,
            jurisdiction=row.area,
            task_force=row.task_force,
            password=None,
            first_name=row.name,
            phone=row.phone,
            request=request,
        )
        result.links.append(NewLink(user, password_link(user, request)))
        return "created"
    user = found[0]
    if not isinstance(actor, SystemActor) and not can_manage_user(actor, user):
        raise PermissionDenied(
            _("An account with this phone exists outside your jurisdiction (%(name)s).")
            % {"name": user.username}
        )
    changed = do_update_user(
        user,
        actor=actor,
        request=request,
        first_name=row.name,
        phone=row.phone,
        role=row.role,
        jurisdiction=row.area,
        task_force=row.task_force,
    )
    if not user.is_active:
        result.warnings.append(
            _problem(
                row.line,
                "phone",
                _("The account %(name)s is deactivated; reactivate it on its page.")
                % {"name": user.username},
                row.phone,
            )
        )
    elif needs_link(user):
        result.links.append(NewLink(user, password_link(user, request)))
    return "updated" if changed else "unchanged"


def _refusal_text(error: ValidationError | PermissionDenied) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


@transaction.atomic
def do_import_staff(
    fh: IO[bytes], filename: str, *, actor: User | SystemActor, request: Any = None
) -> StaffResult:
    """Load a staff spreadsheet; see the module's description. A file that cannot be
    read, or lacks a required column, stores nothing and says why."""
    if not isinstance(actor, SystemActor):
        require_capability(actor, "manage_users")
    fmt = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    areas = _Areas(actor)
    record = StaffImport.objects.create(
        filename=filename[:255],
        area=None if isinstance(actor, SystemActor) else actor.jurisdiction,
        created_by_name=actor_name(actor),
    )
    result = StaffResult(record)
    refused_rows: list[tuple[list[Any], str]] = []
    header: list[Any] = []
    seen: dict[str, int] = {}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    try:
        if fmt not in FORMATS:
            raise TableFileError(_("%(name)s is not a CSV or Excel file.") % {"name": filename})
        rows, _encoding, _count = open_rows(fh, fmt)
        header, cols, header_line = _find_header(rows)
        missing = [c for c in REQUIRED if c not in cols]
        if missing:
            raise TableFileError(
                _("Missing columns: %(cols)s (for example 姓名, 手机, 角色, 管辖范围).")
                % {"cols": ", ".join(missing)}
            )
        for line, cells in enumerate(rows, start=header_line + 1):
            if line - 1 > MAX_ROWS:
                result.errors.append(
                    _problem(line, "file", _("More rows than one file may carry."))
                )
                break
            if not any(cell_text(c) for c in cells):
                continue
            record.rows += 1
            row, row_errors, row_warnings = _read_row(line, list(cells), cols, areas, actor)
            result.warnings += row_warnings
            if row is not None and row.phone in seen:
                row_errors = [
                    _problem(
                        line,
                        "phone",
                        _("The phone is on line %(line)s already.") % {"line": seen[row.phone]},
                        row.phone,
                    )
                ]
                row = None
            if row is None:
                result.errors += row_errors
                refused_rows.append((list(cells), "; ".join(e["message"] for e in row_errors)))
                continue
            seen[row.phone] = line
            try:
                with transaction.atomic():
                    counts[_store(row, actor, request, result)] += 1
            except (ValidationError, PermissionDenied) as refused:
                message = _refusal_text(refused)
                result.errors.append(_problem(line, "phone", message, row.phone))
                refused_rows.append((list(cells), message))
    except TableFileError as error:
        result.errors.append(_problem(0, "file", str(error)))
    record.created = counts["created"]
    record.updated = counts["updated"]
    record.unchanged = counts["unchanged"]
    record.refused = len(refused_rows)
    record.problems = [*result.errors, *({**w, "warning": True} for w in result.warnings)]
    if refused_rows:
        record.error_file = error_workbook(header, refused_rows)
    record.save()
    result.expires_at = link_expiry() if result.links else None
    audit.record(
        actor=actor,
        action="staff.import",
        obj=record,
        area=record.area,
        request=request,
        detail={
            "file": filename,
            "rows": record.rows,
            "created": record.created,
            "updated": record.updated,
            "unchanged": record.unchanged,
            "refused": record.refused,
            "links": len(result.links),
        },
    )
    return result


def error_workbook(header: list[Any], refused: list[tuple[list[Any], str]]) -> bytes:
    """The refused rows as sent, with a last column saying what to fix (xlsx; typed
    text stays text, ``zhanyi.core.spreadsheet``)."""
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Refused rows"))
    sheet.append(text_cells(sheet, [cell_text(h) for h in header] + [_("What to fix")]))
    for cells, problem in refused:
        sheet.append(text_cells(sheet, [cell_text(c) for c in cells] + [problem]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Leaving staff ------------------------------------------------------------------------


@dataclass
class DeactivationResult:
    deactivated: list[User] = field(default_factory=list)
    already: list[User] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (phone as given, why)


def split_phones(text: str) -> list[str]:
    """Phones from a pasted list: one a line, or separated by commas, semicolons or
    spaces between numbers (``138 0000 0000`` stays one number)."""
    parts = re.split(r"[\n,;，；、\t]+", text)
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if normalise_phone(part) is None and " " in part:
            out += [p for p in part.split() if p]
        else:
            out.append(part)
    return out


@transaction.atomic
def do_deactivate_staff(
    phones: Iterable[str], *, actor: User | SystemActor, request: Any = None
) -> DeactivationResult:
    """Deactivate the accounts of leaving staff, named by their phones. Each account is
    deactivated and audited as one deactivated on its page; a phone that names no
    account, or one the actor may not manage, is reported and changes nothing."""
    if not isinstance(actor, SystemActor):
        require_capability(actor, "manage_users")
    result = DeactivationResult()
    done: set[int] = set()
    for given in phones:
        phone = normalise_phone(given)
        if phone is None:
            result.refused.append((given, _("Not an 11-digit mobile number.")))
            continue
        found = accounts_with_phone(phone)
        if not found:
            result.unknown.append(phone)
            continue
        if len(found) > 1:
            result.refused.append((given, _("Several accounts have this phone.")))
            continue
        user = found[0]
        if user.pk in done:
            continue
        done.add(user.pk)
        if not user.is_active:
            result.already.append(user)
            continue
        try:
            with transaction.atomic():
                do_deactivate_user(user, actor=actor, request=request)
        except PermissionDenied as refused:
            result.refused.append((given, _refusal_text(refused)))
            continue
        result.deactivated.append(user)
    audit.record(
        actor=actor,
        action="staff.deactivate",
        object_type="accounts.user",
        area=None if isinstance(actor, SystemActor) else actor.jurisdiction,
        request=request,
        detail={
            "deactivated": [u.username for u in result.deactivated],
            "already": len(result.already),
            "unknown": len(result.unknown),
            "refused": len(result.refused),
        },
    )
    return result
