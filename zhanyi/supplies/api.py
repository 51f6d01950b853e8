"""REST API of the supplies work (防疫物资), at ``/api/v1/supplies/``.

Reading needs ``view_person`` and a jurisdiction, writing ``edit_operations``,
approving or refusing a request ``approve``; holders are named by name and
items by code. A refusal answers 400 with the action's message (issuing below
zero says the stock on hand).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core.api import run_action
from zhanyi.places.models import Area

from . import actions, queries
from .models import Holder, HolderKind, Item, SupplyRequest

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def _holder(user, name: str, field: str = "holder") -> Holder:
    holder = queries.holders_for(user).filter(name=name).first()
    if holder is None:
        raise serializers.ValidationError({field: [f"no holder named {name} of yours"]})
    return holder


def _item(code: str) -> Item:
    item = Item.objects.filter(code=code).first()
    if item is None:
        known = ", ".join(Item.objects.values_list("code", flat=True))
        raise serializers.ValidationError({"item": [f"no item {code}; known: {known}"]})
    return item


class SupplyHolderInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=HolderKind.choices)
    area = serializers.CharField(max_length=32)


class HoldersView(APIView):
    """Holders with each item's stock, peak daily use and days of cover."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

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

    @extend_schema(request=SupplyHolderInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = SupplyHolderInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        area = Area.objects.filter(code=v["area"]).first()
        if area is None:
            raise serializers.ValidationError({"area": ["no such area"]})
        holder = run_action(
            lambda: actions.do_create_holder(
                acting_user=request.user, name=v["name"], kind=v["kind"], area=area, request=request
            )
        )
        return Response({"name": holder.name, "kind": holder.kind}, status=status.HTTP_201_CREATED)


class SupplyMovementInput(serializers.Serializer):
    holder = serializers.CharField(max_length=200)
    item = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=["received", "issued", "transfer"])
    quantity = serializers.IntegerField(min_value=1)
    document_number = serializers.CharField(max_length=64)
    to_holder = serializers.CharField(max_length=200, required=False, default="")


class MovementsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="supplies_movements_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(
            {
                "results": [
                    {
                        "holder": m.holder.name,
                        "item": m.item.code,
                        "kind": m.kind,
                        "quantity": m.quantity,
                        "balance_after": m.balance_after,
                        "document_number": m.document_number,
                        "counterpart": m.counterpart.name if m.counterpart else "",
                        "moved_at": m.moved_at,
                    }
                    for m in queries.movements_for(request.user)[:500]
                ]
            }
        )

    @extend_schema(request=SupplyMovementInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = SupplyMovementInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        holder = _holder(request.user, v["holder"])
        to_holder = _holder(request.user, v["to_holder"], "to_holder") if v["to_holder"] else None
        item = _item(v["item"])
        movement = run_action(
            lambda: actions.do_move_stock(
                holder,
                item,
                kind=v["kind"],
                quantity=v["quantity"],
                document_number=v["document_number"],
                to_holder=to_holder,
                acting_user=request.user,
                request=request,
            )
        )
        return Response({"balance_after": movement.balance_after}, status=status.HTTP_201_CREATED)


class SupplyPeakUseInput(serializers.Serializer):
    holder = serializers.CharField(max_length=200)
    item = serializers.CharField(max_length=32)
    peak_daily_use = serializers.IntegerField(min_value=0)


class PeakUseView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=SupplyPeakUseInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = SupplyPeakUseInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        holder, item = _holder(request.user, v["holder"]), _item(v["item"])
        stock = run_action(
            lambda: actions.do_set_peak_use(
                holder, item, v["peak_daily_use"], acting_user=request.user, request=request
            )
        )
        return Response({"peak_daily_use": stock.peak_daily_use, "on_hand": stock.quantity})


def request_dict(r: SupplyRequest) -> dict:
    return {
        "id": r.pk,
        "requester": r.requester.name,
        "item": r.item.code,
        "quantity": r.quantity,
        "reason": r.reason,
        "state": r.state,
        "supplier": r.supplier.name if r.supplier else "",
        "decision": r.decision_note,
        "created_at": r.created_at,
    }


class SupplyRequestInput(serializers.Serializer):
    requester = serializers.CharField(max_length=200)
    item = serializers.CharField(max_length=32)
    quantity = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=255, required=False, default="")


class RequestsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="supplies_requests_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(
            {"results": [request_dict(r) for r in queries.requests_for(request.user)[:500]]}
        )

    @extend_schema(request=SupplyRequestInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = SupplyRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        requester, item = _holder(request.user, v["requester"], "requester"), _item(v["item"])
        made = run_action(
            lambda: actions.do_request_supplies(
                requester,
                item,
                v["quantity"],
                reason=v["reason"],
                acting_user=request.user,
                request=request,
            )
        )
        return Response(request_dict(made), status=status.HTTP_201_CREATED)


class SupplyDecisionInput(serializers.Serializer):
    supplier = serializers.CharField(max_length=200, required=False, default="")
    quantity = serializers.IntegerField(min_value=1, required=False)
    reason = serializers.CharField(max_length=255, required=False, default="")


class ApproveView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=SupplyDecisionInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, request_id: int) -> Response:
        supply_request = queries.get_request_for_user(request.user, request_id)
        data = SupplyDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if not v["supplier"]:
            raise serializers.ValidationError({"supplier": ["name the holder to allocate from"]})
        supplier = _holder(request.user, v["supplier"], "supplier")
        done = run_action(
            lambda: actions.do_approve_request(
                supply_request,
                supplier,
                quantity=v.get("quantity"),
                acting_user=request.user,
                request=request,
            )
        )
        return Response(request_dict(done))


class RefuseView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=SupplyDecisionInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, request_id: int) -> Response:
        supply_request = queries.get_request_for_user(request.user, request_id)
        data = SupplyDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = run_action(
            lambda: actions.do_refuse_request(
                supply_request,
                reason=data.validated_data["reason"],
                acting_user=request.user,
                request=request,
            )
        )
        return Response(request_dict(done))


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
        for area in queries.forecast_areas(request.user):
            inputs, result = queries.forecast_for(area)
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
