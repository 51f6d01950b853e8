"""Setting up headquarters over the API: the headquarters, their task forces,
leads and members, and twinned counties."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.models import Headquarters, TaskForce, TaskForceKind, User
from zhanyi.command import actions, queries
from zhanyi.core.api import as_drf_error
from zhanyi.places.api import area_by_code


class TaskForceSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    members = serializers.SlugRelatedField(many=True, read_only=True, slug_field="username")

    class Meta:
        model = TaskForce
        fields = ["id", "kind", "kind_label", "lead", "members"]
        read_only_fields = ["id", "kind", "members"]


class HeadquartersSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    task_forces = TaskForceSerializer(many=True, read_only=True)
    kinds = serializers.ListField(
        child=serializers.CharField(),
        write_only=True,
        required=False,
        help_text=f"the task forces to set up, of {', '.join(TaskForceKind.values)} (default: all)",
    )

    class Meta:
        model = Headquarters
        fields = ["id", "name", "area", "parent", "activated_at", "task_forces", "kinds"]
        read_only_fields = ["id", "task_forces"]


class HeadquartersView(APIView):
    """The headquarters over or within the caller's area; POST sets one up (``approve``)."""

    @extend_schema(responses={200: HeadquartersSerializer(many=True)})
    def get(self, request: Request) -> Response:
        hqs = queries.headquarters_for_user(request.user).prefetch_related("task_forces__members")
        return Response(HeadquartersSerializer(hqs, many=True).data)

    @extend_schema(request=HeadquartersSerializer, responses={201: HeadquartersSerializer})
    def post(self, request: Request) -> Response:
        form = HeadquartersSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            hq = actions.do_set_up_headquarters(
                acting_user=request.user,
                name=data["name"],
                area=area_by_code(data["area"]["code"]),
                parent=data.get("parent"),
                activated_at=data.get("activated_at"),
                kinds=data.get("kinds"),
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(HeadquartersSerializer(hq).data, status=status.HTTP_201_CREATED)


class TaskForceChangeSerializer(serializers.Serializer):
    lead = serializers.CharField(allow_blank=True, required=False)
    add_members = serializers.ListField(child=serializers.CharField(), required=False)
    remove_members = serializers.ListField(child=serializers.CharField(), required=False)


def _user(username: str) -> User:
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise ValidationError({"members": [_("No user is named %(name)s.") % {"name": username}]})
    return user


class TaskForceView(APIView):
    """A task force of a headquarters: its lead, members added or removed (``approve``)."""

    @extend_schema(request=TaskForceChangeSerializer, responses={200: TaskForceSerializer})
    def patch(self, request: Request, pk: int, task_force_id: int) -> Response:
        hq = queries.get_headquarters_for_user(request.user, pk)
        task_force = queries.get_task_force(hq, task_force_id)
        form = TaskForceChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            if "lead" in data:
                actions.do_set_task_force_lead(
                    task_force, acting_user=request.user, lead=data["lead"], request=request
                )
            for name in data.get("add_members", []):
                actions.do_set_member(
                    _user(name), acting_user=request.user, task_force=task_force, request=request
                )
            for name in data.get("remove_members", []):
                user = _user(name)
                if user.task_force_id == task_force.pk:
                    actions.do_set_member(
                        user, acting_user=request.user, task_force=None, request=request
                    )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        task_force.refresh_from_db()
        return Response(TaskForceSerializer(task_force).data)


class TwinSerializer(serializers.Serializer):
    county = serializers.CharField(help_text="a county's code")
    twin = serializers.CharField(help_text="the twinned county's code")


class TwinView(APIView):
    """POST: twin two counties (结对; ``approve`` over the county)."""

    @extend_schema(request=TwinSerializer, responses={201: TwinSerializer})
    def post(self, request: Request) -> Response:
        form = TwinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        county = area_by_code(form.validated_data["county"], "county")
        twin = area_by_code(form.validated_data["twin"], "twin")
        try:
            actions.do_twin_counties(county, twin, acting_user=request.user, request=request)
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response({"county": county.code, "twin": twin.code}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("headquarters/", HeadquartersView.as_view(), name="api-headquarters"),
    path(
        "headquarters/<int:pk>/task-forces/<int:task_force_id>/",
        TaskForceView.as_view(),
        name="api-task-force",
    ),
    path("twinnings/", TwinView.as_view(), name="api-twinnings"),
]
