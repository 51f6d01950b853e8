"""Every change to user accounts: in a transaction, checked, and audited.

``actor`` is the acting user, or ``cli_actor()`` for the command line (whoever
runs ``zhanyi`` on the server already holds the database, so the command line
is not scoped by jurisdiction; it is audited all the same).

An acting user needs ``manage_users`` and may only touch accounts, and give
jurisdictions, inside their own jurisdiction (see ``queries``). Nobody changes
their own role or jurisdiction, or deactivates themselves, through here.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from zhanyi.accounts.models import Role, TaskForce, User
from zhanyi.accounts.queries import can_assign_area, can_manage_user
from zhanyi.accounts.roles import missing_capabilities, require_capability
from zhanyi.core import audit
from zhanyi.core.audit import SystemActor
from zhanyi.places.models import Area

# Letters and digits that cannot be mistaken for one another when read aloud
# or copied from a screen: no 0/O, 1/l/I.
_PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# Fields an administrator may change, in the order the audit detail lists them.
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "role",
    "jurisdiction",
    "task_force",
)


def generate_password() -> str:
    """A random password: four groups of four characters, about 94 bits."""
    groups = ["".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def _check_actor_may_manage(
    actor: User | SystemActor,
    target: User | None,
    jurisdiction: Area | None,
    role: str | None = None,
) -> None:
    """Refuse unless ``actor`` may act on ``target``, give ``jurisdiction`` and ``role``.

    What and where (issue 14, finding 11): an account, or a role given, whose
    capabilities are not all the actor's own is refused, like one outside the
    actor's jurisdiction; otherwise an administrator could make a commander, or
    reset a commander's password, and act as one.
    """
    if isinstance(actor, SystemActor):
        return
    require_capability(actor, "manage_users")
    if target is not None and not can_manage_user(actor, target):
        raise PermissionDenied(_("This account is outside your jurisdiction."))
    if target is not None and (missing := missing_capabilities(actor, target.role)):
        raise PermissionDenied(
            _(
                "The account %(name)s has the role %(role)s, which holds capabilities you "
                "do not hold (%(capabilities)s): only a user who holds them all may change it."
            )
            % {
                "name": target.username,
                "role": Role(target.role).label,
                "capabilities": ", ".join(missing),
            }
        )
    if role is not None and (missing := missing_capabilities(actor, role)):
        raise PermissionDenied(
            _(
                "You cannot give the role %(role)s: it holds capabilities you do not hold "
                "(%(capabilities)s)."
            )
            % {"role": Role(role).label, "capabilities": ", ".join(missing)}
        )
    if jurisdiction is not None and not can_assign_area(actor, jurisdiction):
        raise PermissionDenied(_("This jurisdiction is outside your own."))


def _audit_value(value: Any) -> Any:
    if isinstance(value, Area):
        return value.code
    if isinstance(value, TaskForce):
        return f"{value.headquarters_id}:{value.kind}"
    return value


@transaction.atomic
def do_create_user(
    *,
    actor: User | SystemActor,
    username: str,
    role: str,
    jurisdiction: Area | None,
    password: str | None,
    task_force: TaskForce | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    request: Any = None,
) -> User:
    """Create an account (新建账号). ``password=None`` leaves it without one: its
    user sets one through a one-time link (``actions.staff.password_link``)."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": role})
    if jurisdiction is None and not isinstance(actor, SystemActor):
        raise ValidationError(_("A jurisdiction is required."))
    _check_actor_may_manage(actor, None, jurisdiction, role)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The user name “%(name)s” is taken.") % {"name": username})
    user = User(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        task_force=task_force,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        # The Django admin site is for administrators only.
        is_staff=role == Role.ADMIN,
    )
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    audit.record(
        actor=actor,
        action="user.created",
        obj=user,
        request=request,
        area=jurisdiction,
        detail={
            "role": role,
            "jurisdiction": _audit_value(jurisdiction),
            "task_force": _audit_value(task_force),
        },
    )
    return user


@transaction.atomic
def do_update_user(
    user: User, *, actor: User | SystemActor, request: Any = None, **changes: Any
) -> list[str]:
    """Change an account's profile, role, jurisdiction or task force; return the
    names of the fields that changed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    if "role" in changes and changes["role"] not in Role.values:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": changes["role"]})
    _check_actor_may_manage(actor, user, changes.get("jurisdiction"), changes.get("role"))
    if actor == user and any(
        f in changes and changes[f] != getattr(user, f) for f in ("role", "jurisdiction")
    ):
        raise PermissionDenied(_("You cannot change your own role or jurisdiction."))
    if changes.get("jurisdiction", user.jurisdiction) is None and not isinstance(
        actor, SystemActor
    ):
        raise ValidationError(_("A jurisdiction is required."))
    before = {f: getattr(user, f) for f in EDITABLE_FIELDS}
    for field in EDITABLE_FIELDS:
        if field in changes:
            setattr(user, field, changes[field])
    changed = [f for f in EDITABLE_FIELDS if getattr(user, f) != before[f]]
    if "role" in changed:
        user.is_staff = user.role == Role.ADMIN or user.is_superuser
        changed.append("is_staff")
    if not changed:
        return []
    user.save(update_fields=changed)
    audit.record(
        actor=actor,
        action="user.changed",
        obj=user,
        request=request,
        area=user.jurisdiction,
        detail={
            "changes": {
                f: [_audit_value(before[f]), _audit_value(getattr(user, f))]
                for f in changed
                if f in before
            }
        },
    )
    return changed


@transaction.atomic
def do_deactivate_user(user: User, *, actor: User | SystemActor, request: Any = None) -> None:
    """Deactivate an account (停用): no log-in, sessions and API token stop working.

    Accounts are never deleted: the audit trail points at them.
    """
    _check_actor_may_manage(actor, user, None)
    if actor == user:
        raise PermissionDenied(_("You cannot deactivate your own account."))
    if not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    tokens = Token.objects.filter(user=user).delete()[0]
    audit.record(
        actor=actor,
        action="user.deactivated",
        obj=user,
        request=request,
        area=user.jurisdiction,
        detail={"tokens_revoked": tokens},
    )


@transaction.atomic
def do_reactivate_user(user: User, *, actor: User | SystemActor, request: Any = None) -> None:
    _check_actor_may_manage(actor, user, None)
    if user.is_active:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor, action="user.reactivated", obj=user, request=request, area=user.jurisdiction
    )


@transaction.atomic
def do_reset_password(user: User, *, actor: User | SystemActor, request: Any = None) -> str:
    """Give the account a new random password and return it (shown once).

    The old password, the account's open sessions and its API token stop
    working: a reset is what an administrator does when an account may be in
    someone else's hands, and the token is as good as the password.
    """
    _check_actor_may_manage(actor, user, None)
    password = generate_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    tokens = Token.objects.filter(user=user).delete()[0]
    audit.record(
        actor=actor,
        action="user.password_reset",
        obj=user,
        request=request,
        area=user.jurisdiction,
        detail={"tokens_revoked": tokens},
    )
    return password


@transaction.atomic
def do_change_own_password(user: User, *, new_password: str, request: Any = None) -> None:
    """A user changes their own password (the form has checked the old one); their
    API token is revoked with the old password (a new one is issued on request)."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    tokens = Token.objects.filter(user=user).delete()[0]
    audit.record(
        actor=user,
        action="user.password_changed",
        obj=user,
        request=request,
        area=user.jurisdiction,
        detail={"tokens_revoked": tokens},
    )


@transaction.atomic
def do_issue_token(
    user: User, *, actor: User | SystemActor, rotate: bool = False, request: Any = None
) -> Token:
    """The user's API token, created if missing (or replaced when ``rotate``)."""
    if actor != user:
        _check_actor_may_manage(actor, user, None)
    if not user.is_active:
        raise ValidationError(_("The account is deactivated."))
    if rotate:
        Token.objects.filter(user=user).delete()
    token, created = Token.objects.get_or_create(user=user)
    if created:
        audit.record(
            actor=actor,
            action="token.created",
            obj=user,
            request=request,
            area=user.jurisdiction,
            detail={"rotated": rotate},
        )
    return token
