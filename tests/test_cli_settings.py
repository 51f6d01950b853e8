"""The ``zhanyi`` command run without settings says in one line what to set."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    unset = {"ZHANYI_DEBUG", "ZHANYI_SECRET_KEY", "ZHANYI_TESTING", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-c", "from zhanyi.cli import main; main(['zhanyi', 'check'])"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_secret_key_the_command_says_what_to_set_in_one_line():
    done = _run({})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "ZHANYI_SECRET_KEY" in lines[0] and "ZHANYI_DEBUG=1" in lines[0]


def test_with_a_key_the_command_runs():
    done = _run({"ZHANYI_SECRET_KEY": "k" * 20 + "abcdefghijklmnop"})
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
