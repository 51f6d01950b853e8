"""Drills (演练): a scenario replayed into a database of its own, worked in by
processes that know only that database.

The live process never opens the drill's database through Django, and the
drill's processes never know the live one: every process that works in a
drill (loading its scenario, ``zhanyi drill run NAME …``, ``zhanyi serve
--drill NAME``) is started with the drill's ``DATABASE_URL``, its own data
folder (``<data dir>/drills/<name>/``: uploads, the companion store, its
secret key) and ``ZHANYI_DRILL=<name>``, which puts a banner on every page
and gives its cookies names of their own. Nothing in a drill can write to
the live database because no drill process is connected to it.

Scenarios are registered here (``@scenario``): ``demo`` (the demo's city
and its replay of September 2021) and ``city`` (the live city's own areas,
no people: a table-top exercise on the city's map, and the quickest).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhanyi.accounts import actions as account_actions
from zhanyi.accounts.models import User
from zhanyi.core import drill_mode
from zhanyi.core.audit import SystemActor
from zhanyi.core.db import databases
from zhanyi.places import actions as place_actions
from zhanyi.places.models import Area, AreaLevel

ENV = "ZHANYI_DRILL"
#: What the live system hands the drill's loader, in the drill's folder.
SEED_FILE = "seed.json"
CLI = [sys.executable, "-m", "zhanyi.cli"]


@dataclass(frozen=True)
class Scenario:
    name: str
    label: Promise
    #: Loads the scenario into the (migrated, empty) drill database it runs in.
    load: Callable[[dict, Callable[[str], None]], None]


SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, label: Promise):
    def register(load: Callable[[dict, Callable[[str], None]], None]):
        SCENARIOS[name] = Scenario(name, label, load)
        return load

    return register


def folder(name: str) -> Path:
    """The drill's data folder (its SQLite file, uploads, companion store)."""
    return Path(settings.DATA_DIR) / "drills" / name


def database_name(name: str) -> str:
    """``<live>_drill_<name>`` on PostgreSQL; ``<data dir>/drills/<name>/zhanyi.sqlite3``."""
    return databases.sibling_name("drill_" + name.replace("-", "_"), folder=folder(name))


def environment(name: str, database: str) -> dict[str, str]:
    """The environment of a process that works in the drill and only there."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": databases.url(database),
            "ZHANYI_DATA_DIR": str(folder(name)),
            ENV: name,
        }
    )
    return env


def write_seed(name: str, *, areas: list[dict], account: dict | None) -> Path:
    """What the drill's loader needs from the live database, handed over as
    a file: the city's areas (for the ``city`` scenario) and the account of
    who started the drill (so they sign in to it as themselves)."""
    path = folder(name) / SEED_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"areas": areas, "account": account}, ensure_ascii=False))
    return path


def run(name: str, database: str, args: list[str], *, out: IO[str] | None = None) -> int:
    """Run ``zhanyi ARGS…`` in the drill; its output goes to ``out``."""
    done = subprocess.run(
        [*CLI, *args],
        env=environment(name, database),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if out is not None:
        out.write(done.stdout)
    return done.returncode


def remove(name: str, database: str) -> None:
    """Drop the drill's database and remove its folder."""
    databases.drop(database)
    shutil.rmtree(folder(name), ignore_errors=True)


def stopped_marker(name: str) -> Path:
    """A stopped drill's pages refuse work: the drill's processes read this
    file (they cannot read the live database where the drill is recorded)."""
    return folder(name) / drill_mode.STOPPED_FILE


def current() -> str:
    """The drill this process works in ("" in the live system)."""
    return getattr(settings, "DRILL", "")


# -- the scenarios (run inside the drill) --------------------------------------------


@scenario("city", _("The city's own areas, no people (a table-top exercise)"))
def load_city(seed: dict, say: Callable[[str], None]) -> None:
    say(f"Loading {len(seed['areas'])} areas…")
    if seed["areas"]:
        place_actions.do_import_areas(acting_user=drill_actor(), rows=seed["areas"])


@scenario("demo", _("The demo's city and its replay of September 2021"))
def load_demo(seed: dict, say: Callable[[str], None]) -> None:
    # Here, not at the top: the demo imports the command app's actions, which
    # import this module.
    from zhanyi.command.demo import build_demo

    result = build_demo(scale="small", say=say, replay=True)
    for username, role, area, password in result.accounts:
        say(f"  {username:<12} {password:<24} {role} · {area}")


def drill_actor() -> SystemActor:
    return SystemActor(f"drill:{current()}")


def copy_account(account: dict[str, Any], say: Callable[[str], None]) -> None:
    """The starter's account in the drill, with their password (its hash),
    role and jurisdiction (by area code; the drill's city when the code is
    not one of its areas), so they sign in to the drill as themselves."""
    area = (
        Area.objects.filter(code=account.get("jurisdiction") or "").first()
        or Area.objects.filter(level=AreaLevel.CITY).first()
    )
    user = User.objects.filter(username=account["username"]).first()
    if user is None:
        user = account_actions.do_create_user(
            actor=drill_actor(),
            username=account["username"],
            role=account["role"],
            jurisdiction=area,
            password=account_actions.generate_password(),
            first_name=account.get("first_name", ""),
        )
    user.password = account["password"]
    user.is_superuser = bool(account.get("is_superuser"))
    user.is_staff = bool(account.get("is_staff"))
    user.save(update_fields=["password", "is_superuser", "is_staff"])
    say(f"{user.username} signs in to the drill with their own password.")
