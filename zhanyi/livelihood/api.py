"""REST API of supply assurance (保供), at ``/api/v1/livelihood/``.

Reading needs ``view_person``, writing ``edit_operations`` (a reference price
``approve``, city-wide); every object is checked against the caller's
jurisdiction (outside it: 404). A refusal answers 400 with the action's
messages by field.
"""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.models import User
from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, jurisdiction
from zhanyi.core.api import run_action
from zhanyi.core.masking import mask_name
from zhanyi.people.models import Household, Person
from zhanyi.places.models import Area

from . import actions, queries
from .models import CareKind, Facility, FacilityKind, Good, Order, OrderState, PriceCheck


class LivelihoodCapability(BasePermission):
    """Reading needs ``view_person``; writing ``edit_operations``."""

    def has_permission(self, request, view) -> bool:
        needed = (
            "view_person" if request.method in ("GET", "HEAD", "OPTIONS") else "edit_operations"
        )
        if getattr(view, "write_capability", None) and needed == "edit_operations":
            needed = view.write_capability
        return (
            has_capability(request.user, needed)
            and jurisdiction.root_path(request.user) is not None
        )


PERMISSIONS = [IsAuthenticated, LivelihoodCapability]


def facility_dict(f: Facility) -> dict:
    return {
        "id": f.pk,
        "name": f.name,
        "kind": f.kind,
        "kind_label": f.get_kind_display(),
        "area": f.area.code,
        "address": f.address,
        "active": f.active,
    }


def check_dict(c: PriceCheck) -> dict:
    return {
        "id": c.pk,
        "facility": c.facility_id,
        "good": c.good.name,
        "price": str(c.price),
        "reference_price": str(c.reference_price),
        "deviation_percent": str(c.deviation_percent),
        "flagged": c.flagged,
        "checked_at": c.checked_at,
        "checked_by": c.checked_by_name,
    }


def order_dict(o: Order, *, steps: bool = False) -> dict:
    out = {
        "id": o.pk,
        "household": o.household_id,
        "address": o.household.address,
        "area": o.area.code,
        "facility": o.facility_id,
        "state": o.state,
        "state_label": o.get_state_display(),
        "volunteer": o.volunteer.username if o.volunteer else None,
        "placed_at": o.placed_at,
        "updated_at": o.updated_at,
    }
    if steps:
        out["items"] = o.items
        out["steps"] = [
            {"state": s.state, "at": s.at, "by": s.by_name, "note": s.note} for s in o.steps.all()
        ]
    return out


def _audit_read(request: Request, what: str, ids: list[int]) -> None:
    if ids:
        audit.record(
            actor=request.user,
            action=f"livelihood.{what}.api_view",
            object_type=f"livelihood.{what}",
            detail={"ids": ids},
            request=request,
        )


class FacilityInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=FacilityKind.choices)
    area = serializers.CharField(max_length=32)
    address = serializers.CharField(max_length=255, required=False, default="")
    phone = serializers.CharField(max_length=32, required=False, default="")


def _area(code: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise serializers.ValidationError({"area": [f"no area with code {code}"]})
    return area


class FacilitiesView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="livelihood_facilities_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        qs = queries.facilities_for(request.user)
        if request.query_params.get("kind") in FacilityKind.values:
            qs = qs.filter(kind=request.query_params["kind"])
        return Response({"results": [facility_dict(f) for f in qs[:1000]]})

    @extend_schema(request=FacilityInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = FacilityInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v["area"] = _area(v["area"])
        facility = run_action(
            lambda: actions.do_add_facility(acting_user=request.user, request=request, **v)
        )
        return Response(facility_dict(facility), status=status.HTTP_201_CREATED)


class PriceCheckInput(serializers.Serializer):
    good = serializers.CharField(max_length=100)
    price = serializers.CharField(max_length=16)


class FacilityPricesView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="livelihood_facility_prices_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, facility_id: int) -> Response:
        facility = queries.get_facility_for_user(request.user, facility_id)
        checks = facility.price_checks.select_related("good")[:500]
        return Response({"results": [check_dict(c) for c in checks]})

    @extend_schema(request=PriceCheckInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, facility_id: int) -> Response:
        facility = queries.get_facility_for_user(request.user, facility_id)
        data = PriceCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        good = Good.objects.filter(name=data.validated_data["good"].strip()).first()
        if good is None:
            raise serializers.ValidationError({"good": ["no staple good of that name"]})
        check = run_action(
            lambda: actions.do_record_price_check(
                facility,
                good,
                price=data.validated_data["price"],
                acting_user=request.user,
                request=request,
            )
        )
        return Response(check_dict(check), status=status.HTTP_201_CREATED)


class ReferencePriceInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    unit = serializers.CharField(max_length=16)
    price = serializers.CharField(max_length=16)


class PricesView(APIView):
    """Price checks of the jurisdiction (``?flagged=1``: over the tolerance);
    POST sets a staple good's reference price (``approve``, city-wide)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    write_capability = "approve"

    @extend_schema(operation_id="livelihood_prices_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        qs = queries.price_checks_for(request.user)
        if request.query_params.get("flagged") in ("1", "true"):
            qs = qs.filter(flagged=True)
        goods = [
            {"name": g.name, "unit": g.unit, "reference_price": str(g.reference_price)}
            for g in queries.goods()
        ]
        return Response({"goods": goods, "results": [check_dict(c) for c in qs[:500]]})

    @extend_schema(request=ReferencePriceInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = ReferencePriceInput(data=request.data)
        data.is_valid(raise_exception=True)
        good = run_action(
            lambda: actions.do_set_reference_price(
                acting_user=request.user, request=request, **data.validated_data
            )
        )
        return Response(
            {"name": good.name, "unit": good.unit, "reference_price": str(good.reference_price)}
        )


class LinkInput(serializers.Serializer):
    household = serializers.IntegerField(required=False)
    person = serializers.IntegerField(required=False)
    gate = serializers.CharField(max_length=100)


class LinksView(APIView):
    """A sealed home's order link and code (for a household, or a person's household)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=LinkInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = LinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        household = None
        if v.get("household"):
            household = (
                jurisdiction.scope(
                    Household.objects.select_related("village", "grid"),
                    request.user,
                    "village__path",
                )
                .filter(pk=v["household"])
                .first()
            )
        elif v.get("person"):
            person = (
                jurisdiction.scope(
                    Person.objects.select_related("household"), request.user, "village__path"
                )
                .filter(pk=v["person"])
                .first()
            )
            household = person.household if person else None
        if household is None:
            raise serializers.ValidationError({"household": ["no such household in your area"]})
        link = run_action(
            lambda: actions.do_issue_home_link(
                household, gate=v["gate"], acting_user=request.user, request=request
            )
        )
        url = request.build_absolute_uri(reverse("livelihood:home-order", args=[link.token]))
        return Response(
            {"url": url, "code": link.code, "expires_at": link.expires_at},
            status=status.HTTP_201_CREATED,
        )


class OrdersView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="livelihood_orders_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        qs = queries.orders_for(request.user)
        if request.query_params.get("state") in OrderState.values:
            qs = qs.filter(state=request.query_params["state"])
        orders = list(qs[:500])
        _audit_read(request, "orders", [o.pk for o in orders])
        return Response({"results": [order_dict(o) for o in orders]})


class OrderView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="livelihood_order_detail", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, order_id: int) -> Response:
        order = queries.get_order_for_user(request.user, order_id)
        _audit_read(request, "order", [order.pk])
        return Response(order_dict(order, steps=True))


class AdvanceInput(serializers.Serializer):
    step = serializers.ChoiceField(choices=["accept", "decline", "gate", "hand", "deliver"])
    volunteer = serializers.CharField(max_length=150, required=False, default="")
    reason = serializers.CharField(max_length=255, required=False, default="")


class OrderAdvanceView(APIView):
    """One step of an order: ``accept`` or ``decline`` (the store), ``gate``
    (at the compound's gate), ``hand`` (to a volunteer, by user name), ``deliver``."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=AdvanceInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, order_id: int) -> Response:
        order = queries.get_order_for_user(request.user, order_id)
        data = AdvanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        common = {"acting_user": request.user, "request": request}
        step = v["step"]
        if step == "hand":
            volunteer = (
                User.objects.filter(username=v["volunteer"]).first()
                if v["volunteer"]
                else request.user
            )
            run_action(lambda: actions.do_hand_to_volunteer(order, volunteer=volunteer, **common))
        elif step == "decline":
            run_action(lambda: actions.do_decline_order(order, reason=v["reason"], **common))
        else:
            fn = {
                "accept": actions.do_accept_order,
                "gate": actions.do_bring_to_gate,
                "deliver": actions.do_deliver_order,
            }[step]
            run_action(lambda: fn(order, **common))
        return Response(order_dict(order, steps=True))


class CareInput(serializers.Serializer):
    person = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CareKind.choices)
    needs = serializers.CharField(max_length=255, required=False, default="")


def care_dict(c) -> dict:
    return {
        "id": c.pk,
        "person": c.person_id,
        "name": mask_name(c.person.name),
        "village": c.area.code,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "needs": c.needs,
        "next_follow_up_at": c.next_follow_up_at,
        "overdue": queries.overdue(c),
    }


class CareView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="livelihood_care_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        cares = list(queries.care_for(request.user)[:1000])
        _audit_read(request, "care", [c.pk for c in cares])
        return Response({"results": [care_dict(c) for c in cares]})

    @extend_schema(request=CareInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = CareInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = (
            jurisdiction.scope(
                Person.objects.select_related("village"), request.user, "village__path"
            )
            .filter(pk=v["person"])
            .first()
        )
        if person is None:
            raise serializers.ValidationError({"person": ["no such person in your area"]})
        care = run_action(
            lambda: actions.do_add_care(
                person, kind=v["kind"], needs=v["needs"], acting_user=request.user, request=request
            )
        )
        return Response(care_dict(care), status=status.HTTP_201_CREATED)


class FollowUpInput(serializers.Serializer):
    note = serializers.CharField(max_length=255)
    close = serializers.BooleanField(default=False)


class FollowUpsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=FollowUpInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, care_id: int) -> Response:
        care = queries.get_care_for_user(request.user, care_id)
        data = FollowUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        run_action(
            lambda: actions.do_follow_up(
                care, acting_user=request.user, request=request, **data.validated_data
            )
        )
        care.refresh_from_db()
        return Response(care_dict(care), status=status.HTTP_201_CREATED)


urlpatterns = [
    path("facilities/", FacilitiesView.as_view(), name="livelihood-facilities"),
    path(
        "facilities/<int:facility_id>/prices/",
        FacilityPricesView.as_view(),
        name="livelihood-facility-prices",
    ),
    path("prices/", PricesView.as_view(), name="livelihood-prices"),
    path("links/", LinksView.as_view(), name="livelihood-links"),
    path("orders/", OrdersView.as_view(), name="livelihood-orders"),
    path("orders/<int:order_id>/", OrderView.as_view(), name="livelihood-order"),
    path(
        "orders/<int:order_id>/advance/",
        OrderAdvanceView.as_view(),
        name="livelihood-order-advance",
    ),
    path("care/", CareView.as_view(), name="livelihood-care"),
    path("care/<int:care_id>/follow-ups/", FollowUpsView.as_view(), name="livelihood-follow-ups"),
]
