"""Drills over the API (演练): the list, starting one (prepared in the
background), one drill, stopping and deleting it."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.command import drills, queries
from zhanyi.command.actions import drills as drill_actions
from zhanyi.command.jobs import prepare_drill
from zhanyi.command.models import Drill
from zhanyi.core.api import as_drf_error


class DrillSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=40)
    scenario = serializers.ChoiceField(choices=sorted(drills.SCENARIOS))
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Drill
        fields = [
            "name",
            "scenario",
            "state",
            "state_label",
            "database",
            "started_by_name",
            "started_at",
            "ready_at",
            "stopped_at",
            "message",
        ]
        read_only_fields = [f for f in fields if f not in {"name", "scenario"}]
        # The action says which name is taken, and why.
        validators: list = []


class DrillsView(APIView):
    """The drills (headquarters only); POST starts one (the city's
    headquarters or administrator): its database is made and its scenario
    loaded in the background, its ``state`` says when it is ready."""

    @extend_schema(responses={200: DrillSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(DrillSerializer(queries.drills_for_user(request.user), many=True).data)

    @extend_schema(request=DrillSerializer, responses={202: DrillSerializer})
    def post(self, request: Request) -> Response:
        queries.require_headquarters_reader(request.user)
        form = DrillSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            drill = drill_actions.do_start_drill(
                acting_user=request.user,
                name=form.validated_data["name"],
                scenario=form.validated_data["scenario"],
                request=request,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        account = drill_actions.account_of(request.user)
        transaction.on_commit(lambda: prepare_drill.enqueue(drill.pk, account))
        return Response(DrillSerializer(drill).data, status=status.HTTP_202_ACCEPTED)


class DrillView(APIView):
    @extend_schema(responses={200: DrillSerializer})
    def get(self, request: Request, name: str) -> Response:
        return Response(DrillSerializer(queries.get_drill_for_user(request.user, name)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, name: str) -> Response:
        """Delete the drill: its database is dropped."""
        drill = queries.get_drill_for_user(request.user, name)
        try:
            drill_actions.do_delete_drill(drill, acting_user=request.user, request=request)
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class DrillStopView(APIView):
    @extend_schema(request=None, responses={200: DrillSerializer})
    def post(self, request: Request, name: str) -> Response:
        """Stop the drill: its pages refuse work; its database stays."""
        drill = queries.get_drill_for_user(request.user, name)
        try:
            drill = drill_actions.do_stop_drill(drill, acting_user=request.user, request=request)
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(DrillSerializer(drill).data)


urlpatterns = [
    path("drills/", DrillsView.as_view(), name="api-drills"),
    path("drills/<slug:name>/", DrillView.as_view(), name="api-drill"),
    path("drills/<slug:name>/stop/", DrillStopView.as_view(), name="api-drill-stop"),
]
