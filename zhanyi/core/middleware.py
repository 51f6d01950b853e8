"""Language: Simplified Chinese unless the user picked English.

Django's LocaleMiddleware follows the browser's Accept-Language, which would
show English to staff whose phones happen to be set to English. The platform's
language is a choice the user makes (the switch in the header sets a cookie),
so only that cookie, or the default, counts.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


class LanguageMiddleware(MiddlewareMixin):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class UploadSizeMiddleware:
    """Refuse a request body over ``UPLOAD_MAX_MB`` with 413 before reading it
    (issue 14, finding 7: uploads had no size limit), saying how large and where."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit_mb = int(settings.UPLOAD_MAX_MB)
        if length > limit_mb * 1024 * 1024:
            message = translation.gettext(
                "The upload to %(path)s is %(size)s MB, more than the %(limit)s MB allowed: "
                "split the file, or save a workbook as CSV."
            ) % {"path": request.path, "size": f"{length / 1024 / 1024:,.1f}", "limit": limit_mb}
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class RejectNullCharactersMiddleware:
    """Refuse a NUL character in the path, query string or form fields with 400.

    PostgreSQL cannot store or even compare text holding NUL, so such a value
    reaching any filter would end in a server error; SQLite would store it.
    Refusing it at the door keeps every view and both databases alike.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        sources = [request.GET]
        if request.content_type == "application/x-www-form-urlencoded":
            sources.append(request.POST)
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for data in sources
            for key, values in data.lists()
        ):
            return HttpResponseBadRequest(
                translation.gettext("The request contains a NUL character, which is not allowed.")
            )
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send ``CONTENT_SECURITY_POLICY`` (settings) with every response that has none.

    Scripts, styles, images and connections come from the site itself only, so an
    injected tag cannot load a script from elsewhere or send data away; no page
    may be framed (``frame-ancestors``) nor post a form to another site.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
