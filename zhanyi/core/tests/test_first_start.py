"""A production start on a new data directory: the folder is created and the
database migrates (SQLite creates files, not folders)."""

import os
import secrets
import subprocess
import sys


def test_a_first_production_start_creates_its_data_directory(tmp_path):
    data_dir = tmp_path / "new" / "data"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"ZHANYI_DEBUG", "ZHANYI_TESTING", "DATABASE_URL"}
    }
    env.update(ZHANYI_DATA_DIR=str(data_dir), ZHANYI_SECRET_KEY=secrets.token_urlsafe(50))
    done = subprocess.run(
        [sys.executable, "-m", "zhanyi.cli", "migrate", "-v0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (data_dir / "zhanyi.sqlite3").exists()
