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
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404
from django.utils import translation
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.renderers import JSONRenderer

from zhanyi.accounts.auth import TokenAuthentication, credentials, token_query, token_width
from zhanyi.core import rows

from .actions.scanning import MAX_SCANS
from .models import Purpose

SCAN_PATH = "/api/v1/testing/scans/"
#: A tube's worth of scans is well under a kilobyte; a larger body is left to
#: the general stack (and its limits).
MAX_BODY = 16 * 1024
_INTEGERS = ("site", "round", "team", "pool_size")
_FIELDS = {"tube", "codes", "purpose", *_INTEGERS}

logger = logging.getLogger("django.request")

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
        if type(value) is not int:
            return None
        out[name] = value
    purpose = data.get("purpose", Purpose.ROUND.value)
    if purpose not in Purpose.values:
        return None
    out["purpose"] = purpose
    return out


def _token(environ: dict) -> str | None:
    parts = environ.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) != 2 or parts[0].lower() != "token":
        return None
    return parts[1]


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
    chosen = None
    name = settings.LANGUAGE_COOKIE_NAME
    for part in environ.get("HTTP_COOKIE", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            chosen = value
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class ScanLane:
    """WSGI middleware: answer plain token scans, hand everything else on."""

    def __init__(self, app: Callable[[dict, StartResponse], Iterable[bytes]]):
        self.app = app
        self.renderer = JSONRenderer()
        self.token_model = TokenAuthentication().get_model()

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == SCAN_PATH and environ.get("REQUEST_METHOD") == "POST":
            answer = self.answer(environ)
            if answer is not None:
                code, headers, body = answer
                start_response(code, headers)
                return [body]
        return self.app(environ, start_response)

    def answer(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
        key = _token(environ)
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
        from .api import PERMISSIONS, run_scan

        request = WSGIRequest(environ)
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None  # SecurityMiddleware redirects it
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it
            user, context = self._read(key, fields.get("site"), fields.get("round"))
            request.user = user
            # The view's own permission classes (DRF answers their refusal).
            if not all(p().has_permission(request, None) for p in PERMISSIONS):
                return None
            status, payload = run_scan(user, fields, request, context=context)
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
            ],
            content,
        )

    def _read(self, key: str, site_id: int | None, round_id: int | None):
        """The token's user and the scan's (site, round), in one query: the
        token's (``auth.token_query``) with the scan context's joins
        (``queries.scan_context_query``), each part read and checked by the
        code that reads it alone."""
        from . import queries

        token_model = self.token_model
        token_select, token_from = token_query(token_model)
        context_select, context_joins = queries.scan_context_query()
        with rows.cursor() as cursor:
            cursor.execute(
                f"SELECT {token_select}, {context_select} {token_from} {context_joins} "
                "WHERE t.key = %s",
                [site_id, round_id, key],
            )
            row = cursor.fetchone()
        width = token_width(token_model)
        user, _token = credentials(token_model, row and row[:width])
        return user, queries.scan_context_of(user, site_id, round_id, row[width:])

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
