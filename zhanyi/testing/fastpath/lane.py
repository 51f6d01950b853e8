"""The scan lane (扫码通道): sampling phones' scans without the general web stack.

In a mass-testing round every sampling point sends a request per tube (or per
person) all day: ``POST /api/v1/testing/scans/`` is the busiest call of the
platform by far. Django's full middleware stack and DRF's request,
negotiation, parser and serializer machinery cost about 1.5 ms of CPU per
scan on top of the action; the lane answers the same request with the same
checks and the same action without them (a whole scan is about 2 ms of
Python through the lane; figures in docs/testing.md).

The lane sits in front of the Django WSGI application (``zhanyi.wsgi``) and
takes only what it can answer exactly as ``ScanView`` would: a POST to the
scan path with a JSON body of the expected shape and an ``Authorization:
Token …`` header of a live user allowed to scan. It runs the view's own code
(``api.run_scan``: the jurisdiction-checked site and round, ``do_scan``, the
audit record), and answers a scan's results or refused input (400 with
``problems``) itself. Everything else (a session caller, a malformed body, an
unknown token, a site outside the jurisdiction) goes on, untouched, to the
Django application, which answers it as always; nothing the lane did before
handing over was written (``do_scan`` is one transaction).

``MIDDLEWARE_IN_THE_LANE`` names every middleware of ``settings.MIDDLEWARE``
with how the lane deals with it; a test fails when a middleware is added to
the settings and not to it.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404
from django.http.cookie import parse_cookie
from django.utils import translation
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.renderers import JSONRenderer

from zhanyi.accounts.fastpath import token
from zhanyi.core import prometheus
from zhanyi.core.fastpath import statements
from zhanyi.testing.actions.scanning import MAX_SCANS
from zhanyi.testing.models import Purpose

from . import scan

SCAN_PATH = "/api/v1/testing/scans/"
#: The scan view's URL name, the label its requests are counted under (/metrics).
SCAN_VIEW = "testing-scans"
#: A tube's worth of scans is well under a kilobyte; a larger body is left to
#: the general stack (and its limits).
MAX_BODY = 16 * 1024
_INTEGERS = ("site", "round", "team", "pool_size")
_FIELDS = {"tube", "codes", "purpose", *_INTEGERS}

logger = logging.getLogger("django.request")

#: Every middleware of ``settings.MIDDLEWARE``, in order, and how the lane
#: stands in for it (``tests/test_fastpath_lane.py`` compares the two lists).
MIDDLEWARE_IN_THE_LANE = {
    "zhanyi.core.prometheus.MetricsMiddleware": (
        "handled: the lane counts and times each scan it answers under the scan view's "
        "URL name (``prometheus.observe``)"
    ),
    "django.middleware.security.SecurityMiddleware": (
        "handled: a request SECURE_SSL_REDIRECT would redirect is handed on; the answer "
        "carries the same HSTS, nosniff, Referrer-Policy and COOP headers"
    ),
    "zhanyi.core.middleware.ContentSecurityPolicyMiddleware": (
        "handled: the same Content-Security-Policy header"
    ),
    "whitenoise.middleware.WhiteNoiseMiddleware": (
        "does not apply: it serves files under STATIC_URL only, and the scan path is not there"
    ),
    "django.contrib.sessions.middleware.SessionMiddleware": (
        "does not apply: the lane takes token callers only, and DRF tries the token before "
        "the session; a session caller (no token) is handed on. The answer's Vary names "
        "Cookie, as the general stack's does"
    ),
    "zhanyi.core.middleware.LanguageMiddleware": (
        "handled: the language from the same cookie or the default (``_language``), and "
        "the same Content-Language header"
    ),
    "zhanyi.core.middleware.UploadSizeMiddleware": (
        "handled: the lane takes bodies of at most MAX_BODY (16 kB), far under "
        "UPLOAD_MAX_MB; a larger body is handed on"
    ),
    "zhanyi.core.middleware.RejectNullCharactersMiddleware": (
        "handled: a body whose text holds a NUL (``scan_input``) and a request with a "
        "query string are handed on; the path is the scan path"
    ),
    "django.middleware.common.CommonMiddleware": (
        "handled: the host checked by ALLOWED_HOSTS (``get_host``); with "
        "DISALLOWED_USER_AGENTS or PREPEND_WWW set, every request is handed on; "
        "APPEND_SLASH does not apply to the scan path, which ends with one"
    ),
    "django.middleware.csrf.CsrfViewMiddleware": (
        "does not apply: DRF's views are exempt, and DRF checks CSRF only for session "
        "callers, whom the lane hands on"
    ),
    "django.contrib.auth.middleware.AuthenticationMiddleware": (
        "handled: ``request.user`` is the token's user, as DRF's token authentication sets it"
    ),
    "django_otp.middleware.OTPMiddleware": (
        "does not apply: it reads the session's second factor, and the lane takes token "
        "callers only (a session caller is handed on)"
    ),
    "django.contrib.messages.middleware.MessageMiddleware": (
        "does not apply: an API answer shows no messages"
    ),
    "django.middleware.clickjacking.XFrameOptionsMiddleware": (
        "handled: the same X-Frame-Options header"
    ),
    "django_htmx.middleware.HtmxMiddleware": (
        "does not apply: only HTMX views read ``request.htmx``; the scan view does not"
    ),
    "django.contrib.auth.middleware.LoginRequiredMiddleware": (
        "does not apply: DRF's views are exempt (login_required is False on them) and "
        "check their own callers; the lane answers only a token's active user"
    ),
    "zhanyi.accounts.twofactor.TwoFactorMiddleware": (
        "does not apply: it holds back session callers who owe a second factor; a token "
        "is issued to them only with a current code (``accounts.api.TokenView``)"
    ),
    "zhanyi.core.reads.ReadGuardMiddleware": (
        "does not apply: a scan is a POST, not a counted read, and the lane answers no "
        "403 or 404 (PermissionDenied and Http404 are handed on to the general stack, "
        "whose middleware audits them)"
    ),
}

StartResponse = Callable[..., object]


def scan_input(data: object) -> dict | None:
    """The validated fields as ``api.ScanInput`` gives them, or None when the
    body is anything the lane does not take (the serializer then says why)."""
    if not isinstance(data, dict):
        return None
    tube, codes = data.get("tube"), data.get("codes")
    if not isinstance(tube, str) or not isinstance(codes, list) or len(codes) > MAX_SCANS:
        return None
    tube = tube.strip()
    if not tube or len(tube) > 64 or "\x00" in tube:
        return None
    cleaned = []
    for code in codes:
        if not isinstance(code, str):
            return None
        code = code.strip()
        if len(code) > 128 or "\x00" in code:
            return None
        cleaned.append(code)
    out: dict = {"tube": tube, "codes": cleaned}
    for name in _INTEGERS:
        value = data.get(name)
        if value is None:
            if name in data:  # null: the serializer refuses it
                return None
            continue
        if type(value) is not int or not -(2**63) <= value < 2**63:
            # Beyond 64 bits no row has it; SQLite cannot even bind it (issue 14,
            # finding 13): the general stack answers 404 or 400.
            return None
        out[name] = value
    purpose = data.get("purpose", Purpose.ROUND.value)
    if purpose not in Purpose.values:
        return None
    out["purpose"] = purpose
    return out


def _json_body(environ: dict) -> bytes | None:
    content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY:
        return None
    body = environ["wsgi.input"].read(length)
    # Handed on or not, the rest of the stack reads the same body.
    environ["wsgi.input"] = io.BytesIO(body)
    return body if len(body) == length else None


def _language(environ: dict) -> str:
    """As ``zhanyi.core.middleware.LanguageMiddleware`` chooses it: the cookie or the default."""
    chosen = parse_cookie(environ.get("HTTP_COOKIE", "")).get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class ScanLane:
    """WSGI middleware: answer plain token scans, hand everything else on."""

    def __init__(self, app: Callable[[dict, StartResponse], Iterable[bytes]]):
        self.app = app
        self.renderer = JSONRenderer()

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") == SCAN_PATH
            and environ.get("REQUEST_METHOD") == "POST"
            and not environ.get("QUERY_STRING")
        ):
            started = time.perf_counter()
            answer = self.answer(environ)
            if answer is not None:
                code, headers, body = answer
                prometheus.observe(
                    "POST", SCAN_VIEW, code.split()[0], time.perf_counter() - started
                )
                start_response(code, headers)
                return [body]
        return self.app(environ, start_response)

    def answer(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
        key = token.key(environ.get("HTTP_AUTHORIZATION", ""))
        if key is None:
            return None
        body = _json_body(environ)
        if body is None:
            return None
        try:
            fields = scan_input(json.loads(body))
        except ValueError:  # not JSON, or not UTF-8
            return None
        if fields is None:
            return None
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            language = _language(environ)
            with translation.override(language):
                return self._scan(environ, key, fields, language)
        finally:
            signals.request_finished.send(sender=self.__class__)

    def _scan(self, environ: dict, key: str, fields: dict, language: str):
        # Imported here: the API module needs the app registry.
        from zhanyi.testing.api import PERMISSIONS, run_scan

        request = WSGIRequest(environ)
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None  # SecurityMiddleware redirects it
        if settings.DISALLOWED_USER_AGENTS or settings.PREPEND_WWW:
            return None  # CommonMiddleware's to answer
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it
            user, context = self._read(key, fields.get("site"), fields.get("round"))
            request.user = user
            # The view's own permission classes (DRF answers their refusal).
            if not all(p().has_permission(request, None) for p in PERMISSIONS):
                return None
            status, payload = run_scan(
                user, fields, request, context=context, statements=scan.ScanStatements
            )
        except (AuthenticationFailed, PermissionDenied, Http404, DisallowedHost):
            return None  # the general stack answers these (401, 403, 404, 400)
        except Exception as exc:  # as Django's handler answers it: logged, 500
            response = response_for_exception(request, exc)
            return (
                f"{response.status_code} {response.reason_phrase}",
                list(response.items()),
                response.content,
            )
        content = self.renderer.render(payload)
        if status == 400:
            # As Django's handler logs every 4xx answer of the general stack.
            logger.warning(
                "Bad Request: %s",
                request.path,
                extra={"status_code": 400, "request": request},
            )
        return (
            "201 Created" if status == 201 else ("200 OK" if status == 200 else "400 Bad Request"),
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(content))),
                ("Content-Language", language),
                ("Vary", "Accept, Cookie"),
                ("Allow", "POST, OPTIONS"),
                ("X-Frame-Options", settings.X_FRAME_OPTIONS),
                *self._security_headers(request),
                *(
                    [("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)]
                    if settings.CONTENT_SECURITY_POLICY
                    else []
                ),
            ],
            content,
        )

    def _read(self, key: str, site_id: int | None, round_id: int | None):
        """The token's user and the scan's (site, round), in one query: the
        token's (``token.token_query``) with the scan context's joins
        (``scan.context_query``), each part read and checked by the code
        that reads it alone."""
        token_select, token_from = token.token_query()
        context_select, context_joins = scan.context_query()
        with statements.cursor() as cursor:
            cursor.execute(
                f"SELECT {token_select}, {context_select} {token_from} {context_joins} "
                "WHERE t.key = %s",
                [site_id, round_id, key],
            )
            row = cursor.fetchone()
        width = token.token_width()
        user, _token = token.credentials(row and row[:width])
        return user, scan.context_of(user, site_id, round_id, row[width:])

    @staticmethod
    def _security_headers(request: WSGIRequest) -> list[tuple[str, str]]:
        """What ``SecurityMiddleware`` adds to every response."""
        headers = []
        if settings.SECURE_HSTS_SECONDS and request.is_secure():
            value = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                value += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                value += "; preload"
            headers.append(("Strict-Transport-Security", value))
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            headers.append(("X-Content-Type-Options", "nosniff"))
        if settings.SECURE_REFERRER_POLICY:
            headers.append(("Referrer-Policy", settings.SECURE_REFERRER_POLICY))
        if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            headers.append(
                ("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY)
            )
        return headers
