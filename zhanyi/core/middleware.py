"""Language: Simplified Chinese unless the user picked English.

Django's LocaleMiddleware follows the browser's Accept-Language, which would
show English to staff whose phones happen to be set to English. The platform's
language is a choice the user makes (the switch in the header sets a cookie),
so only that cookie, or the default, counts.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
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
