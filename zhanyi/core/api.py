"""REST API helpers the apps' ``api`` modules share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.fields import empty
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.core.masking import mask_name


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


class ActionView(APIView):
    """A POST that does one thing through one action, the shape of nearly every
    write of the API: find the object the URL names in the caller's
    jurisdiction (``get_target``, a 404 outside it), validate the body
    (``input``, a 400 by field), run the action (``do``, through
    ``run_action``: its refusals a 400 naming why, or a 403) and answer what it
    returns as ``output`` with ``status_code`` (201 unless said).

    ``do`` is the ``do_*`` function, called as ``do(target, acting_user=...,
    request=..., **validated_data)`` (without ``target`` when the URL names
    none; as ``target_keyword=target`` when the action takes it by name), so
    the input's field names are the action's keywords. A view whose
    body needs more (an area by its code, an object named in the body) or whose
    answer is not what the action returns overrides ``perform``. The OpenAPI
    document names ``input`` and ``output`` for the POST. A view that also
    lists (GET) defines ``get`` beside it.
    """

    input: ClassVar[type[serializers.Serializer] | None]  # None: the POST has no body
    output: ClassVar[type[serializers.Serializer] | None]  # None: no body (a 204)
    do: ClassVar[Callable[..., Any]]
    status_code: ClassVar[int] = status.HTTP_201_CREATED
    operation_id: ClassVar[str | None] = None  # the POST's name in the API document
    target_keyword: ClassVar[str | None] = None  # the keyword ``do`` takes the target by

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("__doc__"):
            cls.__doc__ = ""  # the API document describes the view, not this helper
        do = cls.__dict__.get("do")
        if do is not None and not isinstance(do, staticmethod):
            cls.do = staticmethod(do)  # a plain function, not a method of the view
        if hasattr(cls, "input") and hasattr(cls, "output"):
            schema = extend_schema(
                operation_id=cls.operation_id,
                request=cls.input,
                responses={cls.status_code: cls.output},
            )
            extend_schema_view(post=schema)(cls)

    def get_target(self, request: Request, **kwargs) -> Any:
        """The object the URL names, in the caller's jurisdiction (None: no object)."""
        return None

    def perform(self, request: Request, target: Any, data: dict) -> Any:
        """Run the action on the validated body; what it returns is answered."""
        if target is None:
            return self.do(acting_user=request.user, request=request, **data)
        if self.target_keyword:
            data = {self.target_keyword: target, **data}
            return self.do(acting_user=request.user, request=request, **data)
        return self.do(target, acting_user=request.user, request=request, **data)

    def post(self, request: Request, **kwargs) -> Response:
        target = self.get_target(request, **kwargs)
        data: dict = {}
        if self.input is not None:
            form = self.input(data=request.data, context={"request": request})
            form.is_valid(raise_exception=True)
            data = dict(form.validated_data)
        result = run_action(lambda: self.perform(request, target, data))
        if self.output is None:
            return Response(status=self.status_code)
        answer = self.output(result, context={"request": request})
        return Response(answer.data, status=self.status_code)


class InJurisdictionField(serializers.IntegerField):
    """An object the body names by its id, found by ``lookup(request, id)`` (a
    ``get_*_for_user``) in the caller's jurisdiction: a 404 outside it, as
    when the URL names it. ``validated_data`` holds the object."""

    def __init__(self, lookup: Callable[[Request, int], Any], **kwargs) -> None:
        self.lookup = lookup
        super().__init__(**kwargs)

    def run_validation(self, data=empty) -> Any:
        pk = super().run_validation(data)  # the id, checked as a number (min_value…)
        if pk is None:
            return None
        return self.lookup(self.context["request"], pk)


class MaskedNameField(serializers.CharField):
    """A person's name as the API shows it: masked (``mask_name``); give the
    ``source`` of the name (``person.name``)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        return mask_name(value)


class BoundedPagination(LimitOffsetPagination):
    """Lists page by ``limit`` and ``offset``, at most ``max_limit`` rows a page
    (one ``?limit=100000`` read a county's persons in one request), and an offset
    beyond any table is an empty page, not a database overflow (a 500)."""

    max_limit = 500
    max_offset = 2**31 - 1

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), self.max_offset)
