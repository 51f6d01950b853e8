"""REST API helpers the apps' ``api`` modules share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import LimitOffsetPagination


def as_drf_error(error: DjangoValidationError) -> ValidationError:
    """An action's ``ValidationError`` as a 400 body: field → messages."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {
                ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
                for field, messages in error.message_dict.items()
            }
        )
    return ValidationError({"non_field_errors": error.messages})


T = TypeVar("T")


def run_action(fn: Callable[[], T]) -> T:
    """``fn()`` (an action called by an API view) with its refusals as the API
    answers them: a ``ValidationError`` as a 400 by field, a refusal of the
    jurisdiction or the capability as a 403 with its message."""
    try:
        return fn()
    except DjangoValidationError as error:
        raise as_drf_error(error) from None
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error)) from None


class BoundedPagination(LimitOffsetPagination):
    """Lists page by ``limit`` and ``offset``, at most ``max_limit`` rows a page
    (one ``?limit=100000`` read a county's persons in one request), and an offset
    beyond any table is an empty page, not a database overflow (a 500)."""

    max_limit = 500
    max_offset = 2**31 - 1

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), self.max_offset)
