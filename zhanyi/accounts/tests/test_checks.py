import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from zhanyi.accounts import checks
from zhanyi.accounts.models import DemoAccount

STRONG = "k" * 20 + "-a-proper-random-key-0123456789"


@pytest.mark.parametrize(
    "key",
    [
        "changeme",
        "django-insecure-abcdefghijklmnopqrstuvwxyz0123",
        "short-key",
        "0" * 32,
        "ab" * 40,
    ],
)
def test_a_weak_secret_key_is_an_error_outside_debug(key):
    with override_settings(DEBUG=False, SECRET_KEY=key):
        assert [e.id for e in checks.check_secret_key(None)] == ["zhanyi.E001"]
    with override_settings(DEBUG=True, SECRET_KEY=key):
        assert checks.check_secret_key(None) == []


def test_a_strong_secret_key_passes():
    with override_settings(DEBUG=False, SECRET_KEY=STRONG):
        assert checks.check_secret_key(None) == []


def test_active_demo_accounts_are_an_error_outside_debug(world):
    with override_settings(DEBUG=False):
        assert checks.check_no_demo_accounts(None) == []
    DemoAccount.objects.create(user=world.leader)
    with override_settings(DEBUG=False):
        errors = checks.check_no_demo_accounts(None)
    assert [e.id for e in errors] == ["zhanyi.E002"] and "leader" in errors[0].msg
    with override_settings(DEBUG=True):
        assert checks.check_no_demo_accounts(None) == []
    world.leader.is_active = False
    world.leader.save(update_fields=["is_active"])
    with override_settings(DEBUG=False):
        assert checks.check_no_demo_accounts(None) == []


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"ZHANYI_DEBUG", "ZHANYI_TESTING", "ZHANYI_SECRET_KEY"}
    }
    clean.update(ZHANYI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="zhanyi.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
    )


@pytest.mark.parametrize("key", [None, "changeme", "", "0" * 32])
def test_a_production_start_refuses_a_missing_or_default_secret_key(tmp_path, key):
    env = {} if key is None else {"ZHANYI_SECRET_KEY": key}
    result = _start(tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ZHANYI_SECRET_KEY is missing or a well-known default" in result.stderr
    assert not (tmp_path / "dev-secret-key").exists()


def test_a_production_start_with_a_strong_key_gets_past_the_settings(tmp_path):
    result = _start(tmp_path, ZHANYI_SECRET_KEY=STRONG)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_the_short_password_message_is_in_chinese():
    """Issue 14, finding 19: it came out in English (a msgid Django's catalogue lacks)."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password("ab1")
    assert "密码长度太短" in " ".join(refused.value.messages)
