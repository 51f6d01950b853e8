"""REST API of the supplies work (防疫物资), at ``/api/v1/supplies/``.

Reading needs ``view_person`` and a jurisdiction, writing ``edit_operations``,
approving or refusing a request ``approve``; holders are named by name and
items by code. A refusal answers 400 with the action's message (issuing below
zero says the stock on hand).
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core.api import ActionView
from zhanyi.places.api import AreaCodeField

from . import actions, queries
from .models import Holder, HolderKind, Item, Movement, Stock, SupplyRequest

PERMISSIONS = [IsAuthenticated, OperationsPermission]


class HolderField(serializers.CharField):
    """A holder the body names by its name, among the caller's (a 400 on the
    field otherwise); left blank, none."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def run_validation(self, data=empty):
        name = super().run_validation(data)  # a name, checked as text
        if not name:
            return None
        holder = queries.holders_for(self.context["request"].user).filter(name=name).first()
        if holder is None:
            raise serializers.ValidationError(
                _("no holder named %(name)s of yours") % {"name": name}
            )
        return holder


class ItemField(serializers.CharField):
    """An item the body names by its code (a 400 listing the known codes otherwise)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def run_validation(self, data=empty):
        code = super().run_validation(data)  # a code, checked as text
        item = Item.objects.filter(code=code).first()
        if item is None:
            known = ", ".join(Item.objects.values_list("code", flat=True))
            raise serializers.ValidationError(
                _("no item %(code)s; known: %(known)s") % {"code": code, "known": known}
            )
        return item


class SupplyHolderInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=HolderKind.choices)
    area = AreaCodeField()


class SupplyHolderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Holder
        fields = ["name", "kind"]
        read_only_fields = fields


class HoldersView(ActionView):
    """Holders with each item's stock, peak daily use and days of cover."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = SupplyHolderInput
    output = SupplyHolderSerializer
    do = actions.do_create_holder

    @extend_schema(operation_id="supplies_holders_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        _items, rows = queries.cover_table(request.user)
        return Response(
            {
                "results": [
                    {
                        "name": row.holder.name,
                        "kind": row.holder.kind,
                        "area": row.holder.area.code,
                        "target_days": row.target,
                        "stock": [
                            {
                                "item": item.code,
                                "on_hand": quantity,
                                "peak_daily_use": peak,
                                "days_of_cover": cover,
                                "below_target": below,
                            }
                            for item, quantity, peak, cover, below in row.cells
                        ],
                    }
                    for row in rows
                ]
            }
        )


class SupplyMovementInput(serializers.Serializer):
    holder = HolderField()
    item = ItemField()
    kind = serializers.ChoiceField(choices=["received", "issued", "transfer"])
    quantity = serializers.IntegerField(min_value=1)
    document_number = serializers.CharField(max_length=64)
    to_holder = HolderField(required=False, allow_blank=True, default=None)


class SupplyMovementSerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="holder.name")
    item = serializers.CharField(source="item.code")
    counterpart = serializers.CharField(source="counterpart.name", default="")

    class Meta:
        model = Movement
        fields = ["holder", "item", "kind", "quantity", "balance_after", "document_number"]
        fields += ["counterpart", "moved_at"]
        read_only_fields = fields


class SupplyBalanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Movement
        fields = ["balance_after"]
        read_only_fields = fields


class MovementsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = SupplyMovementInput
    output = SupplyBalanceSerializer
    do = actions.do_move_stock

    @extend_schema(
        operation_id="supplies_movements_list",
        responses=inline_serializer(
            "SupplyMovementList", {"results": SupplyMovementSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        movements = queries.movements_for(request.user)[:500]
        return Response({"results": SupplyMovementSerializer(movements, many=True).data})


class SupplyPeakUseInput(serializers.Serializer):
    holder = HolderField()
    item = ItemField()
    peak_daily_use = serializers.IntegerField(min_value=0)


class SupplyPeakUseSerializer(serializers.ModelSerializer):
    on_hand = serializers.IntegerField(source="quantity")

    class Meta:
        model = Stock
        fields = ["peak_daily_use", "on_hand"]
        read_only_fields = fields


class PeakUseView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = SupplyPeakUseInput
    output = SupplyPeakUseSerializer
    do = actions.do_set_peak_use
    status_code = status.HTTP_200_OK


class SupplyRequestSerializer(serializers.ModelSerializer):
    requester = serializers.CharField(source="requester.name")
    item = serializers.CharField(source="item.code")
    supplier = serializers.CharField(source="supplier.name", default="")
    decision = serializers.CharField(source="decision_note")

    class Meta:
        model = SupplyRequest
        fields = ["id", "requester", "item", "quantity", "reason", "state", "supplier"]
        fields += ["decision", "created_at"]
        read_only_fields = fields


class SupplyRequestInput(serializers.Serializer):
    requester = HolderField()
    item = ItemField()
    quantity = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=255, required=False, default="")


class RequestsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = SupplyRequestInput
    output = SupplyRequestSerializer
    do = actions.do_request_supplies

    @extend_schema(
        operation_id="supplies_requests_list",
        responses=inline_serializer(
            "SupplyRequestList", {"results": SupplyRequestSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        requests = queries.requests_for(request.user)[:500]
        return Response({"results": SupplyRequestSerializer(requests, many=True).data})


class SupplyDecisionInput(serializers.Serializer):
    supplier = serializers.CharField(max_length=200, required=False, default="")
    quantity = serializers.IntegerField(min_value=1, required=False)
    reason = serializers.CharField(max_length=255, required=False, default="")


class SupplyApprovalInput(SupplyDecisionInput):
    supplier = HolderField(
        error_messages={
            "required": _("name the holder to allocate from"),
            "blank": _("name the holder to allocate from"),
        }
    )
    reason = None  # an approval gives none


class RequestActionView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    output = SupplyRequestSerializer
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, request_id: int) -> SupplyRequest:
        return queries.get_request_for_user(request.user, request_id)


class ApproveView(RequestActionView):
    input = SupplyApprovalInput
    do = actions.do_approve_request


class RefuseView(RequestActionView):
    input = SupplyDecisionInput
    do = actions.do_refuse_request

    def perform(self, request: Request, target, data: dict) -> SupplyRequest:
        # A refusal takes the reason; the rest of a decision's body is the approval's.
        return self.do(target, reason=data["reason"], acting_user=request.user, request=request)


class AlertsView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="supplies_alerts_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(
            {
                "results": [
                    {
                        "holder": a.holder.name,
                        "item": a.item.code,
                        "days_of_cover": float(a.days_of_cover),
                        "target_days": a.target_days,
                        "raised_at": a.raised_at,
                    }
                    for a in queries.alerts_for(request.user)[:500]
                ]
            }
        )


class ForecastView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="supplies_forecast", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        out = []
        areas = queries.forecast_areas(request.user)
        for area, (inputs, result) in zip(areas, queries.forecasts(areas), strict=True):
            out.append(
                {
                    "area": area.code,
                    **inputs,
                    "items": [
                        {
                            "item": f.item,
                            "on_hand": f.stock,
                            "daily_use": f.daily_use[0] if f.daily_use else 0,
                            "runs_out_on": f.runs_out_on,
                            "shortfall": f.shortfall,
                        }
                        for f in result
                    ],
                }
            )
        return Response({"results": out})


urlpatterns = [
    path("holders/", HoldersView.as_view(), name="supplies-holders"),
    path("movements/", MovementsView.as_view(), name="supplies-movements"),
    path("peak-use/", PeakUseView.as_view(), name="supplies-peak-use"),
    path("requests/", RequestsView.as_view(), name="supplies-requests"),
    path("requests/<int:request_id>/approve/", ApproveView.as_view(), name="supplies-approve"),
    path("requests/<int:request_id>/refuse/", RefuseView.as_view(), name="supplies-refuse"),
    path("alerts/", AlertsView.as_view(), name="supplies-alerts"),
    path("forecast/", ForecastView.as_view(), name="supplies-forecast"),
]
