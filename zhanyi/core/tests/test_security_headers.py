"""Headers a production instance sends (issue 14, finding 17): a Content-Security-Policy
on every response, HSTS outside debug, and the proxy's TLS header when one is named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.test import override_settings


def test_every_page_carries_a_content_security_policy(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in policy


@override_settings(
    SECURE_HSTS_SECONDS=31536000, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_a_request_the_proxy_marks_as_https_gets_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/accounts/login/")
    secure = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


def test_production_settings_turn_hsts_on_and_read_the_proxy_header(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"ZHANYI_DEBUG", "ZHANYI_TESTING", "ZHANYI_HSTS_SECONDS"}
    }
    env.update(
        ZHANYI_DATA_DIR=str(tmp_path),
        ZHANYI_SECRET_KEY="k" * 20 + "-a-proper-random-key-0123456789",
        ZHANYI_PROXY_TLS_HEADER="X-Forwarded-Proto",
        DJANGO_SETTINGS_MODULE="zhanyi.settings",
    )
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.stdout.split(None, 1) == ["31536000", "('HTTP_X_FORWARDED_PROTO', 'https')\n"]
