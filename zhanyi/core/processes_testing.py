"""Helpers for tests that start ``zhanyi`` in a new process, as a production
start would: no test or debug settings, a fresh secret key, SQLite in a data
directory of the test's own.

A production ``zhanyi migrate`` of a new database costs about 12 s of CPU, and
several tests need a migrated database only to start something on it (the
server, the worker, an import). The session fixture ``production_migrated``
(root conftest.py) runs that migrate once, in a new process, into a data
directory it has to create; such tests copy its database with
``MigratedDataDir.copy_to`` instead of migrating again, and the tests of the
first start itself read the one run.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "zhanyi.cli"]
DATABASE_FILE = "zhanyi.sqlite3"


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production ``zhanyi`` on ``data_dir``: SQLite there,
    and the database cache (no Redis)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"ZHANYI_DEBUG", "ZHANYI_TESTING", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(ZHANYI_DATA_DIR=str(data_dir), ZHANYI_SECRET_KEY=secrets.token_urlsafe(50))
    env.update(extra)
    return env


@dataclass(frozen=True)
class MigratedDataDir:
    path: Path  # the data directory the first start created
    migrate: subprocess.CompletedProcess  # its ``zhanyi migrate -v0``

    @property
    def database(self) -> Path:
        return self.path / DATABASE_FILE

    def copy_to(self, data_dir: Path, name: str = DATABASE_FILE) -> Path:
        """The migrated database, copied into ``data_dir`` as ``name``."""
        assert self.migrate.returncode == 0, self.migrate.stderr[-2000:]
        data_dir.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copyfile(self.database, data_dir / name))


@pytest.fixture(scope="session")
def production_migrated(tmp_path_factory) -> MigratedDataDir:
    data_dir = tmp_path_factory.mktemp("first-start") / "new" / "data"
    done = subprocess.run(
        [*CLI, "migrate", "-v0"],
        env=production_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    return MigratedDataDir(path=data_dir, migrate=done)
