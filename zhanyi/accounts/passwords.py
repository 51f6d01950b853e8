"""Password rules whose messages reach users in their language.

Django 5.2 words the minimum-length message with ``%d``; its Chinese catalogue
still translates the earlier ``%(min_length)d`` wording, so the message came
out in English. This validator says it with the translated wording.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
