"""Demo accounts (演示账号): one per persona, only in a demo database.

``zhanyi demo`` loads a synthetic city, calls ``mark_demo_database`` and then
``create_demo_accounts``, and prints the returned passwords. Each run gives
every demo account a fresh random password. Outside a database marked as a
demo, ``create_demo_accounts`` refuses; a production start refuses a database
with active demo accounts (``checks.check_no_demo_accounts``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from zhanyi.accounts.models import TaskForce, TaskForceKind
from zhanyi.core.audit import SystemActor
from zhanyi.places.models import Area

from . import actions
from .models import DemoAccount, DemoDatabase, Role, User

DEMO_ACTOR = SystemActor("demo")


class NotADemoDatabase(RuntimeError):
    """Demo accounts were asked for in a database not marked as a demo."""


class DemoAreaMissing(LookupError):
    """An area the demo personas need is not in the loaded tree."""


@dataclass(frozen=True)
class Persona:
    username: str
    role: str
    area: str  # "city", or an area name looked up below the city
    task_force: str | None
    first_name: str


PERSONAS = (
    Persona("commander", Role.COMMANDER, "city", TaskForceKind.COORDINATION, "指挥长"),
    Persona("leader", Role.LEADER, "city", None, "市领导"),
    Persona("tracer", Role.STAFF, "台商投资区", TaskForceKind.INVESTIGATION, "流调员"),
    Persona("fivetoone", Role.FIELD, "福龙社区", TaskForceKind.COMMUNITY, "五包一队员"),
    Persona("checkpoint", Role.FIELD, "台商投资区", TaskForceKind.LOCKDOWN, "查验员"),
    Persona("sampler", Role.FIELD, "台商投资区", TaskForceKind.TESTING, "采样员"),
    Persona("quarantine", Role.STAFF, "台商投资区", TaskForceKind.QUARANTINE, "隔离专班"),
    Persona("supplies", Role.STAFF, "台商投资区", TaskForceKind.LOGISTICS, "物资保障"),
    Persona("admin", Role.ADMIN, "city", None, "管理员"),
)


def mark_demo_database(seed: int, scale: str) -> DemoDatabase:
    """Mark this database as a demo database (idempotent; keeps the latest seed)."""
    marker, _ = DemoDatabase.objects.update_or_create(pk=1, defaults={"seed": seed, "scale": scale})
    return marker


def is_demo_database() -> bool:
    return DemoDatabase.objects.filter(pk=1).exists()


def _area(city: Area, name: str) -> Area:
    if name == "city":
        return city
    area = Area.objects.within(city).filter(name=name).order_by("path").first()
    if area is None:
        raise DemoAreaMissing(
            f"no area named {name!r} under {city.name} ({city.code}); load the demo city first"
        )
    return area


def _task_force(area: Area, kind: str | None) -> TaskForce | None:
    """The task force of that kind at the nearest headquarters over ``area``."""
    if kind is None:
        return None
    candidates = TaskForce.objects.filter(
        kind=kind, headquarters__area__in=area.ancestors()
    ).select_related("headquarters__area")
    return max(candidates, key=lambda tf: len(tf.headquarters.area.path), default=None)


@transaction.atomic
def create_demo_accounts(
    *, city_code: str, personas: tuple[Persona, ...] = PERSONAS
) -> list[tuple[str, str, str, str]]:
    """Create (or re-password) one account per persona; return
    ``(username, role, jurisdiction name, password)`` for each."""
    if not is_demo_database():
        raise NotADemoDatabase(
            "this database is not marked as a demo database; demo accounts (with printed "
            "passwords) are only created by `zhanyi demo` in a demo database"
        )
    try:
        city = Area.objects.get(code=city_code)
    except Area.DoesNotExist:
        raise DemoAreaMissing(
            f"no area with code {city_code!r}; load the demo city first"
        ) from None
    result = []
    for persona in personas:
        area = _area(city, persona.area)
        task_force = _task_force(area, persona.task_force)
        user = User.objects.filter(username=persona.username).first()
        if user is None:
            password = actions.generate_password()
            user = actions.do_create_user(
                actor=DEMO_ACTOR,
                username=persona.username,
                role=persona.role,
                jurisdiction=area,
                task_force=task_force,
                password=password,
                first_name=persona.first_name,
            )
        else:
            if not DemoAccount.objects.filter(user=user).exists():
                raise NotADemoDatabase(
                    f"a user named {persona.username!r} exists and is not a demo account"
                )
            actions.do_update_user(
                user, actor=DEMO_ACTOR, role=persona.role, jurisdiction=area, task_force=task_force
            )
            actions.do_reactivate_user(user, actor=DEMO_ACTOR)
            password = actions.do_reset_password(user, actor=DEMO_ACTOR)
        DemoAccount.objects.get_or_create(user=user)
        result.append((user.username, persona.role, area.name, password))
    return result


def join_task_forces(personas: tuple[Persona, ...] = PERSONAS) -> int:
    """Put each demo persona without a task force into theirs, now that the
    replay has set up the headquarters (the accounts are made before it, so
    that it can act as them); the number joined."""
    joined = 0
    for persona in personas:
        user = User.objects.filter(username=persona.username, demo_account__isnull=False).first()
        if user is None or user.task_force_id or user.jurisdiction is None:
            continue
        task_force = _task_force(user.jurisdiction, persona.task_force)
        if task_force is not None:
            actions.do_update_user(user, actor=DEMO_ACTOR, task_force=task_force)
            joined += 1
    return joined
