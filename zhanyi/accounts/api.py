"""REST API of accounts: API tokens, who am I, and the audit trail."""

from __future__ import annotations

import datetime as dt

from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.core import audit
from zhanyi.core.api import ActionView
from zhanyi.core.models import AuditEvent

from . import actions, queries, twofactor
from .actions import staff
from .actions import twofactor as twofactor_actions
from .auth import LoginThrottled, authenticate_throttled
from .models import User
from .roles import capabilities_of, capability_permission


class AreaRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class TaskForceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField(source="__str__")


class MeSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name")
    role_label = serializers.CharField(source="get_role_display")
    jurisdiction = AreaRefSerializer(allow_null=True)
    task_force = TaskForceRefSerializer(allow_null=True)
    capabilities = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "role",
            "role_label",
            "is_superuser",
            "jurisdiction",
            "task_force",
            "capabilities",
        ]
        read_only_fields = fields

    def get_capabilities(self, user: User) -> list[str]:
        return sorted(capabilities_of(user))


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        trim_whitespace=False, style={"input_type": "password"}, write_only=True
    )
    otp = serializers.CharField(
        required=False,
        max_length=12,
        write_only=True,
        help_text="the authenticator app's current code, for accounts with two-factor "
        "authentication (roles that see identity numbers or approve)",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    user = MeSerializer()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TokenView(APIView):
    """Exchange a user name and password for the account's API token.

    Throttled like the log-in page: after too many failures for a user name or
    from an address the answer is 429 with ``Retry-After``, even when the
    password is right. Every attempt is in the audit trail. Send the token as
    ``Authorization: Token <token>``.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Wrong user name or password."),
            429: OpenApiResponse(ErrorSerializer, description="Too many failed attempts."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = authenticate_throttled(
                request, data.validated_data["username"], data.validated_data["password"], via="api"
            )
        except LoginThrottled as refused:
            return Response(
                {"detail": refused.message},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(refused.lockout.retry_after_s)},
            )
        if user is None:
            return Response(
                {"detail": _("Wrong user name or password.")}, status=status.HTTP_400_BAD_REQUEST
            )
        if twofactor.needs_two_factor(user):
            refusal = _second_factor_refusal(user, data.validated_data.get("otp", ""), request)
            if refusal is not None:
                return Response({"detail": refusal}, status=status.HTTP_400_BAD_REQUEST)
        token = actions.do_issue_token(user, actor=user, request=request)
        return Response({"token": token.key, "user": MeSerializer(user).data})


def _second_factor_refusal(user: User, code: str, request: Request) -> str | None:
    """Why the token is refused for want of a second factor, or None when the code is good."""
    if twofactor.confirmed_device(user) is None:
        return _(
            "This account needs two-factor authentication: log in on the web page once to "
            "set it up, then ask for the token with the code (otp)."
        )
    if not code:
        return _("This account needs two-factor authentication: send the current code as otp.")
    if not twofactor_actions.check_code(user, code):
        audit.record(
            actor=user,
            action="twofactor.failed",
            obj=user,
            request=request,
            area=user.jurisdiction,
            detail={"via": "api"},
        )
        return _("That code is not right, or has expired: try the code your app shows now.")
    return None


class MeView(generics.RetrieveAPIView):
    """The caller's account: role, task force, jurisdiction and capabilities."""

    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self) -> User:
        return self.request.user


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "detail",
            "ip",
            "user_agent",
            "path",
        ]
        read_only_fields = fields


def _moment(name: str, value: str, *, end_of_day: bool = False) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = parse_date(value)
        # A bare date is a whole local day (parse_datetime would take it as midnight).
        moment = (
            dt.datetime.combine(day + dt.timedelta(days=int(end_of_day)), dt.time.min)
            if day is not None
            else parse_datetime(value)
        )
    except ValueError:  # well-formed but impossible, e.g. 2021-02-30
        moment = None
    if moment is None:
        raise exceptions.ValidationError(
            {name: _("Give a date (2021-09-12) or a date and time (2021-09-12T08:00:00+08:00).")}
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@extend_schema(
    parameters=[
        OpenApiParameter("object_type", str, description="app_label.model, e.g. people.person"),
        OpenApiParameter("object_id", str, description="the object's primary key"),
        OpenApiParameter(
            "actor", str, description="user name of the actor (cli:<name> for the command line)"
        ),
        OpenApiParameter(
            "action", str, description="exact action, or a prefix ending with a dot (login.)"
        ),
        OpenApiParameter("since", str, description="from this date or ISO date-time, inclusive"),
        OpenApiParameter(
            "until", str, description="up to this date (inclusive) or date-time (exclusive)"
        ),
    ]
)
class AuditEventList(generics.ListAPIView):
    """Audit events the caller may read, newest first.

    Needs the ``view_audit`` capability. Scoped by jurisdiction: events by users
    who worked inside the caller's area, or about objects inside it; events
    with no area (command line, anonymous log-in attempts) only for a
    whole-city jurisdiction.
    """

    serializer_class = AuditEventSerializer
    permission_classes = [IsAuthenticated, capability_permission("view_audit")]

    def get_queryset(self):
        params = self.request.query_params
        return queries.filter_audit_events(
            queries.visible_audit_events(self.request.user),
            object_type=params.get("object_type", ""),
            object_id=params.get("object_id", ""),
            actor=params.get("actor", ""),
            action=params.get("action", ""),
            since=_moment("since", params.get("since", "")),
            until=_moment("until", params.get("until", ""), end_of_day=True),
        )


class StaffImportInput(serializers.Serializer):
    file = serializers.FileField(error_messages={"required": _("Send the spreadsheet as “file”.")})


class StaffLinkSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.first_name")
    url = serializers.CharField()


class StaffImportSerializer(serializers.Serializer):
    import_ = serializers.IntegerField(source="record.pk")
    rows = serializers.IntegerField(source="record.rows")
    created = serializers.IntegerField(source="record.created")
    updated = serializers.IntegerField(source="record.updated")
    unchanged = serializers.IntegerField(source="record.unchanged")
    refused = serializers.IntegerField(source="record.refused")
    errors = serializers.ListField(child=serializers.DictField())
    warnings = serializers.ListField(child=serializers.DictField())
    links = StaffLinkSerializer(many=True)
    links_expire_at = serializers.DateTimeField(source="expires_at", allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["import"] = fields.pop("import_")  # "import" is a keyword in Python
        return fields


class StaffImportView(ActionView):
    """A staff spreadsheet (xlsx, xls or csv) as ``file``: accounts created and updated
    (the phone is the key), the refusals and warnings by line, and a one-time
    set-password link for each new account (shown only in this answer)."""

    permission_classes = [IsAuthenticated, capability_permission("manage_users")]
    parser_classes = [MultiPartParser]
    input = StaffImportInput
    output = StaffImportSerializer
    status_code = status.HTTP_200_OK

    def perform(self, request: Request, target, data: dict) -> staff.StaffResult:
        upload = data["file"]
        return staff.do_import_staff(upload, upload.name, actor=request.user, request=request)

    def finalize_response(self, request, response, *args, **kwargs):
        response["Cache-Control"] = "no-store"  # the links are shown once
        return super().finalize_response(request, response, *args, **kwargs)


class StaffDeactivateRequest(serializers.Serializer):
    phones = serializers.ListField(child=serializers.CharField(max_length=40), max_length=10_000)


class StaffRefusalSerializer(serializers.Serializer):
    phone = serializers.CharField()
    message = serializers.CharField()


class StaffDeactivationSerializer(serializers.Serializer):
    deactivated = serializers.SerializerMethodField()
    already = serializers.SerializerMethodField()
    unknown = serializers.ListField(child=serializers.CharField())
    refused = serializers.SerializerMethodField()

    def get_deactivated(self, outcome: staff.DeactivationResult) -> list[str]:
        return [u.username for u in outcome.deactivated]

    def get_already(self, outcome: staff.DeactivationResult) -> list[str]:
        return [u.username for u in outcome.already]

    @extend_schema_field(StaffRefusalSerializer(many=True))
    def get_refused(self, outcome: staff.DeactivationResult) -> list[dict]:
        return [{"phone": phone, "message": why} for phone, why in outcome.refused]


class StaffDeactivateView(ActionView):
    """Deactivate the accounts of leaving staff, named by their phones."""

    permission_classes = [IsAuthenticated, capability_permission("manage_users")]
    input = StaffDeactivateRequest
    output = StaffDeactivationSerializer
    status_code = status.HTTP_200_OK

    def perform(self, request: Request, target, data: dict) -> staff.DeactivationResult:
        return staff.do_deactivate_staff(data["phones"], actor=request.user, request=request)


urlpatterns = [
    path("token/", TokenView.as_view(), name="api-accounts-token"),
    path("staff/import/", StaffImportView.as_view(), name="api-accounts-staff-import"),
    path("staff/deactivate/", StaffDeactivateView.as_view(), name="api-accounts-staff-deactivate"),
    path("me/", MeView.as_view(), name="api-accounts-me"),
    path("audit/", AuditEventList.as_view(), name="api-accounts-audit"),
]
