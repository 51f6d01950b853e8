"""REST API of supply assurance (保供), at ``/api/v1/livelihood/``.

Reading needs ``view_person``, writing ``edit_operations`` (a reference price
``approve``, city-wide); every object is checked against the caller's
jurisdiction (outside it: 404). A refusal answers 400 with the action's
messages by field.
"""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.models import User
from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, jurisdiction
from zhanyi.core.api import ActionView, MaskedNameField
from zhanyi.people.models import Household, Person
from zhanyi.places.api import AreaCodeField

from . import actions, queries
from .models import (
    Care,
    CareKind,
    Facility,
    FacilityKind,
    Good,
    HomeLink,
    Order,
    OrderState,
    OrderStep,
    PriceCheck,
)


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


class LivelihoodFacilitySerializer(serializers.ModelSerializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    area = serializers.CharField(source="area.code")

    class Meta:
        model = Facility
        fields = ["id", "name", "kind", "kind_label", "area", "address", "active"]
        read_only_fields = fields


class LivelihoodPriceCheckSerializer(serializers.ModelSerializer):
    good = serializers.CharField(source="good.name")
    checked_by = serializers.CharField(source="checked_by_name")

    class Meta:
        model = PriceCheck
        fields = ["id", "facility", "good", "price", "reference_price", "deviation_percent"]
        fields += ["flagged", "checked_at", "checked_by"]
        read_only_fields = fields


class LivelihoodGoodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Good
        fields = ["name", "unit", "reference_price"]
        read_only_fields = fields


class LivelihoodOrderSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="household.address")
    area = serializers.CharField(source="area.code")
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    volunteer = serializers.CharField(source="volunteer.username", default=None)

    class Meta:
        model = Order
        fields = ["id", "household", "address", "area", "facility", "state", "state_label"]
        fields += ["volunteer", "placed_at", "updated_at"]
        read_only_fields = fields


class LivelihoodOrderStepSerializer(serializers.ModelSerializer):
    state = serializers.CharField()
    by = serializers.CharField(source="by_name")

    class Meta:
        model = OrderStep
        fields = ["state", "at", "by", "note"]
        read_only_fields = fields


class LivelihoodOrderDetailSerializer(LivelihoodOrderSerializer):
    """An order with what is ordered and each step it has gone through."""

    steps = LivelihoodOrderStepSerializer(source="steps.all", many=True)

    class Meta(LivelihoodOrderSerializer.Meta):
        fields = [*LivelihoodOrderSerializer.Meta.fields, "items", "steps"]
        read_only_fields = fields


class LivelihoodCareSerializer(serializers.ModelSerializer):
    name = MaskedNameField(source="person.name")
    village = serializers.CharField(source="area.code")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Care
        fields = ["id", "person", "name", "village", "kind", "kind_label", "needs"]
        fields += ["next_follow_up_at", "overdue"]
        read_only_fields = fields

    def get_overdue(self, care: Care) -> bool:
        return queries.overdue(care)


def _audit_read(request: Request, what: str, ids: list[int]) -> None:
    if ids:
        audit.record(
            actor=request.user,
            action=f"livelihood.{what}.api_view",
            object_type=f"livelihood.{what}",
            detail={"ids": ids},
            request=request,
        )


class LivelihoodFacilityInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=FacilityKind.choices)
    area = AreaCodeField()
    address = serializers.CharField(max_length=255, required=False, default="")
    phone = serializers.CharField(max_length=32, required=False, default="")


class FacilitiesView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = LivelihoodFacilityInput
    output = LivelihoodFacilitySerializer
    do = actions.do_add_facility

    @extend_schema(
        operation_id="livelihood_facilities_list",
        responses=inline_serializer(
            "LivelihoodFacilityList", {"results": LivelihoodFacilitySerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        qs = queries.facilities_for(request.user)
        if request.query_params.get("kind") in FacilityKind.values:
            qs = qs.filter(kind=request.query_params["kind"])
        return Response({"results": LivelihoodFacilitySerializer(qs[:1000], many=True).data})


class GoodField(serializers.CharField):
    """A staple good the body names by its name (a 400 on the field otherwise)."""

    def run_validation(self, data=empty):
        name = super().run_validation(data)
        good = Good.objects.filter(name=name.strip()).first()
        if good is None:
            raise serializers.ValidationError(_("no staple good of that name"))
        return good


class LivelihoodPriceCheckInput(serializers.Serializer):
    good = GoodField(max_length=100)
    price = serializers.CharField(max_length=16)


class LivelihoodPriceCheckList(serializers.Serializer):
    results = LivelihoodPriceCheckSerializer(many=True)


class FacilityPricesView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = LivelihoodPriceCheckInput
    output = LivelihoodPriceCheckSerializer
    do = actions.do_record_price_check

    def get_target(self, request: Request, facility_id: int) -> Facility:
        return queries.get_facility_for_user(request.user, facility_id)

    @extend_schema(
        operation_id="livelihood_facility_prices_list", responses=LivelihoodPriceCheckList
    )
    def get(self, request: Request, facility_id: int) -> Response:
        facility = self.get_target(request, facility_id)
        checks = facility.price_checks.select_related("good")[:500]
        return Response({"results": LivelihoodPriceCheckSerializer(checks, many=True).data})


class LivelihoodReferencePriceInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    unit = serializers.CharField(max_length=16)
    price = serializers.CharField(max_length=16)


class PricesView(ActionView):
    """Price checks of the jurisdiction (``?flagged=1``: over the tolerance);
    POST sets a staple good's reference price (``approve``, city-wide)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    write_capability = "approve"
    input = LivelihoodReferencePriceInput
    output = LivelihoodGoodSerializer
    do = actions.do_set_reference_price
    status_code = status.HTTP_200_OK

    @extend_schema(
        operation_id="livelihood_prices_list",
        responses=inline_serializer(
            "LivelihoodPrices",
            {
                "goods": LivelihoodGoodSerializer(many=True),
                "results": LivelihoodPriceCheckSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        qs = queries.price_checks_for(request.user)
        if request.query_params.get("flagged") in ("1", "true"):
            qs = qs.filter(flagged=True)
        return Response(
            {
                "goods": LivelihoodGoodSerializer(queries.goods(), many=True).data,
                "results": LivelihoodPriceCheckSerializer(qs[:500], many=True).data,
            }
        )


class LivelihoodLinkInput(serializers.Serializer):
    household = serializers.IntegerField(required=False)
    person = serializers.IntegerField(required=False)
    gate = serializers.CharField(max_length=100)

    def validate(self, data: dict) -> dict:
        """The household named, or the person's, in the caller's area."""
        user = self.context["request"].user
        household = None
        if data.get("household"):
            households = Household.objects.select_related("village", "grid")
            household = (
                jurisdiction.scope(households, user, "village__path")
                .filter(pk=data["household"])
                .first()
            )
        elif data.get("person"):
            persons = Person.objects.select_related("household")
            person = (
                jurisdiction.scope(persons, user, "village__path").filter(pk=data["person"]).first()
            )
            household = person.household if person else None
        if household is None:
            raise serializers.ValidationError({"household": [_("no such household in your area")]})
        return {"household": household, "gate": data["gate"]}


class LivelihoodHomeLinkSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = HomeLink
        fields = ["url", "code", "expires_at"]
        read_only_fields = fields

    def get_url(self, link: HomeLink) -> str:
        path = reverse("livelihood:home-order", args=[link.token])
        return self.context["request"].build_absolute_uri(path)


class LinksView(ActionView):
    """A sealed home's order link and code (for a household, or a person's household)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = LivelihoodLinkInput
    output = LivelihoodHomeLinkSerializer
    do = actions.do_issue_home_link


class OrdersView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="livelihood_orders_list",
        responses=inline_serializer(
            "LivelihoodOrderList", {"results": LivelihoodOrderSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        qs = queries.orders_for(request.user)
        if request.query_params.get("state") in OrderState.values:
            qs = qs.filter(state=request.query_params["state"])
        orders = list(qs[:500])
        _audit_read(request, "orders", [o.pk for o in orders])
        return Response({"results": LivelihoodOrderSerializer(orders, many=True).data})


class OrderView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="livelihood_order_detail", responses=LivelihoodOrderDetailSerializer
    )
    def get(self, request: Request, order_id: int) -> Response:
        order = queries.get_order_for_user(request.user, order_id)
        _audit_read(request, "order", [order.pk])
        return Response(LivelihoodOrderDetailSerializer(order).data)


class LivelihoodAdvanceInput(serializers.Serializer):
    step = serializers.ChoiceField(choices=["accept", "decline", "gate", "hand", "deliver"])
    volunteer = serializers.CharField(max_length=150, required=False, default="")
    reason = serializers.CharField(max_length=255, required=False, default="")


class OrderAdvanceView(ActionView):
    """One step of an order: ``accept`` or ``decline`` (the store), ``gate``
    (at the compound's gate), ``hand`` (to a volunteer, by user name), ``deliver``."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = LivelihoodAdvanceInput
    output = LivelihoodOrderDetailSerializer
    status_code = status.HTTP_200_OK

    def get_target(self, request: Request, order_id: int) -> Order:
        return queries.get_order_for_user(request.user, order_id)

    def perform(self, request: Request, target: Order, data: dict) -> Order:
        common = {"acting_user": request.user, "request": request}
        step = data["step"]
        if step == "hand":
            name = data["volunteer"]
            volunteer = User.objects.filter(username=name).first() if name else request.user
            actions.do_hand_to_volunteer(target, volunteer=volunteer, **common)
        elif step == "decline":
            actions.do_decline_order(target, reason=data["reason"], **common)
        else:
            do = {
                "accept": actions.do_accept_order,
                "gate": actions.do_bring_to_gate,
                "deliver": actions.do_deliver_order,
            }[step]
            do(target, **common)
        return target


class LivelihoodCareInput(serializers.Serializer):
    person = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CareKind.choices)
    needs = serializers.CharField(max_length=255, required=False, default="")

    def validate_person(self, pk: int) -> Person:
        persons = Person.objects.select_related("village")
        person = (
            jurisdiction.scope(persons, self.context["request"].user, "village__path")
            .filter(pk=pk)
            .first()
        )
        if person is None:
            raise serializers.ValidationError(_("no such person in your area"))
        return person


class CareView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = LivelihoodCareInput
    output = LivelihoodCareSerializer
    do = actions.do_add_care

    @extend_schema(
        operation_id="livelihood_care_list",
        responses=inline_serializer(
            "LivelihoodCareList", {"results": LivelihoodCareSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        cares = list(queries.care_for(request.user)[:1000])
        _audit_read(request, "care", [c.pk for c in cares])
        return Response({"results": LivelihoodCareSerializer(cares, many=True).data})


class LivelihoodFollowUpInput(serializers.Serializer):
    note = serializers.CharField(max_length=255)
    close = serializers.BooleanField(default=False)


class FollowUpsView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = LivelihoodFollowUpInput
    output = LivelihoodCareSerializer
    do = actions.do_follow_up

    def get_target(self, request: Request, care_id: int) -> Care:
        return queries.get_care_for_user(request.user, care_id)

    def perform(self, request: Request, target: Care, data: dict) -> Care:
        super().perform(request, target, data)
        target.refresh_from_db()  # the answer is the care followed up, not the follow-up
        return target


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
