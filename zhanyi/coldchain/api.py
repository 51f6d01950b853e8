"""REST API of the cold-chain work (进口冷链食品), at ``/api/v1/coldchain/``.

Reading needs ``view_person``, writing ``edit_operations``; every batch is
checked against the caller's jurisdiction (outside it: 404). A refusal answers
400 with the action's messages by field (a release without the four documents
names the missing ones).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core import audit
from zhanyi.core.api import ActionView, InJurisdictionField, MaskedNameField
from zhanyi.people.models import Person
from zhanyi.people.queries import get_person_for_user
from zhanyi.places.api import area_by_code

from . import actions, queries
from .models import (
    DOCUMENTS,
    Batch,
    BatchSample,
    BatchState,
    ColdStore,
    Distribution,
    Handling,
    HandlingStep,
    ImportRun,
    SampleKind,
    SampleResult,
)

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def _person(request: Request, pk: int) -> Person:
    return get_person_for_user(request.user, pk)


class ColdDocumentsSerializer(serializers.Serializer):
    """A batch's document numbers by document (empty when missing)."""

    def get_fields(self):
        return {name: serializers.CharField() for name in DOCUMENTS}


class ColdBatchSerializer(serializers.ModelSerializer):
    weight_tonnes = serializers.CharField()
    store = serializers.CharField(source="store.name")
    state_label = serializers.CharField(source="get_state_display")
    documents = ColdDocumentsSerializer(source="*")
    missing_documents = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Batch
        fields = [
            "id",
            "code",
            "product",
            "origin_country",
            "weight_tonnes",
            "store",
            "arrived_at",
            "state",
            "state_label",
            "documents",
            "missing_documents",
            "released_at",
        ]
        read_only_fields = fields


class ColdHandlingSerializer(serializers.ModelSerializer):
    name = MaskedNameField(source="person.name")

    class Meta:
        model = Handling
        fields = ["person", "name", "step", "handled_at"]
        read_only_fields = fields


class ColdDistributionSerializer(serializers.ModelSerializer):
    name = MaskedNameField(source="receiver.name")
    quantity_tonnes = serializers.CharField()
    area = serializers.CharField(source="area.code")

    class Meta:
        model = Distribution
        fields = ["buyer", "receiver", "name", "quantity_tonnes", "delivered_on", "area"]
        read_only_fields = fields


class ColdSampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = BatchSample
        fields = ["kind", "result", "sampled_at", "traced_people"]
        read_only_fields = fields


class ColdBatchDetailSerializer(ColdBatchSerializer):
    """A batch with who handled it, where it went and its samples
    (``context["handlings"]`` and ``context["distributions"]``, read once by the view)."""

    handlings = serializers.SerializerMethodField()
    distributions = serializers.SerializerMethodField()
    samples = ColdSampleSerializer(many=True)

    class Meta(ColdBatchSerializer.Meta):
        fields = [*ColdBatchSerializer.Meta.fields, "handlings", "distributions", "samples"]
        read_only_fields = fields

    @extend_schema_field(ColdHandlingSerializer(many=True))
    def get_handlings(self, batch: Batch):
        return ColdHandlingSerializer(self.context["handlings"], many=True).data

    @extend_schema_field(ColdDistributionSerializer(many=True))
    def get_distributions(self, batch: Batch):
        return ColdDistributionSerializer(self.context["distributions"], many=True).data


class ColdStoreInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    area = serializers.CharField(max_length=32)
    address = serializers.CharField(max_length=255, required=False, default="")


class ColdStoreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ColdStoreRowSerializer(ColdStoreSerializer):
    area = serializers.CharField(source="area.code")
    batches = serializers.IntegerField(source="batches_total")


class StoresView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = ColdStoreInput
    output = ColdStoreSerializer

    @extend_schema(
        operation_id="coldchain_stores_list",
        responses=inline_serializer(
            "ColdStoreList", {"results": ColdStoreRowSerializer(many=True)}
        ),
    )
    def get(self, request: Request) -> Response:
        stores = queries.stores_for(request.user)[:500]
        return Response({"results": ColdStoreRowSerializer(stores, many=True).data})

    def perform(self, request: Request, target, data: dict) -> ColdStore:
        area = area_by_code(data.pop("area"))
        return actions.do_create_store(acting_user=request.user, area=area, request=request, **data)


class ColdBatchInput(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    product = serializers.CharField(max_length=200)
    origin_country = serializers.CharField(max_length=100)
    weight_tonnes = serializers.DecimalField(max_digits=10, decimal_places=3)
    store = serializers.CharField(max_length=200, help_text="the cold store's name")
    arrived_at = serializers.DateTimeField()
    documents = serializers.DictField(child=serializers.CharField(allow_blank=True), default=dict)


def _store(user, name: str) -> ColdStore:
    store = queries.stores_for(user).filter(name=name).first()
    if store is None:
        raise serializers.ValidationError({"store": [f"no cold store named {name} of yours"]})
    return store


class BatchesView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]
    input = ColdBatchInput
    output = ColdBatchSerializer

    @extend_schema(
        operation_id="coldchain_batches_list",
        responses=inline_serializer("ColdBatchList", {"results": ColdBatchSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        batches = queries.batches_for(request.user)
        state = request.query_params.get("state", "")
        if state in BatchState.values:
            batches = batches.filter(state=state)
        return Response({"results": ColdBatchSerializer(batches[:500], many=True).data})

    def perform(self, request: Request, target, data: dict) -> Batch:
        store = _store(request.user, data.pop("store"))
        return actions.do_create_batch(
            acting_user=request.user, store=store, request=request, **data
        )


class BatchView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="coldchain_batch_detail", responses=ColdBatchDetailSerializer)
    def get(self, request: Request, batch_id: int) -> Response:
        batch = queries.get_batch_for_user(request.user, batch_id)
        handlings = list(batch.handlings.select_related("person"))
        distributions = list(batch.distributions.select_related("receiver", "area"))
        persons = sorted({h.person_id for h in handlings} | {d.receiver_id for d in distributions})
        if persons:
            audit.record(
                actor=request.user,
                action="coldchain.batch.api_view",
                obj=batch,
                area=batch.store.area,
                detail={"persons": persons},
                request=request,
            )
        context = {"handlings": handlings, "distributions": distributions}
        return Response(ColdBatchDetailSerializer(batch, context=context).data)


class BatchActionView(ActionView):
    """A POST on one batch of the caller's jurisdiction (another county: 404)."""

    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    def get_target(self, request: Request, batch_id: int) -> Batch:
        return queries.get_batch_for_user(request.user, batch_id)


class ColdDocumentsInput(serializers.Serializer):
    documents = serializers.DictField(child=serializers.CharField(allow_blank=True))


class DocumentsView(BatchActionView):
    input = ColdDocumentsInput
    output = ColdBatchSerializer
    do = actions.do_set_documents
    status_code = status.HTTP_200_OK


class ReleaseView(BatchActionView):
    input = None
    output = ColdBatchSerializer
    do = actions.do_release_batch
    status_code = status.HTTP_200_OK


class ColdHandlingInput(serializers.Serializer):
    person = InJurisdictionField(_person, help_text="the worker's person id")
    step = serializers.ChoiceField(choices=HandlingStep.choices)
    handled_at = serializers.DateTimeField()


class ColdRecordedSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class HandlingsView(BatchActionView):
    input = ColdHandlingInput
    output = ColdRecordedSerializer
    do = actions.do_record_handling


class ColdDistributionInput(serializers.Serializer):
    buyer = serializers.CharField(max_length=200)
    receiver = InJurisdictionField(_person, help_text="the person id of who received it")
    quantity_tonnes = serializers.DecimalField(max_digits=10, decimal_places=3)
    delivered_on = serializers.DateField()
    area = serializers.CharField(max_length=32, help_text="the area code delivered to")


class DistributionsView(BatchActionView):
    input = ColdDistributionInput
    output = ColdRecordedSerializer

    def perform(self, request: Request, batch: Batch, data: dict) -> Distribution:
        data["area"] = area_by_code(data["area"])
        return actions.do_distribute(batch, acting_user=request.user, request=request, **data)


class ColdSampleInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SampleKind.choices)
    result = serializers.ChoiceField(choices=SampleResult.choices)
    sampled_at = serializers.DateTimeField()


class ColdSampleRecordedSerializer(serializers.ModelSerializer):
    batch_state = serializers.CharField(source="batch.state")

    class Meta:
        model = BatchSample
        fields = ["id", "batch_state", "traced_people"]
        read_only_fields = fields


class SamplesView(BatchActionView):
    input = ColdSampleInput
    output = ColdSampleRecordedSerializer
    do = actions.do_record_sample


class ColdImportInput(serializers.Serializer):
    file = serializers.FileField()
    store = serializers.CharField(max_length=200, required=False, default="")


class ColdImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    message = serializers.CharField()


class ColdImportRunSerializer(serializers.ModelSerializer):
    errors = ColdImportErrorSerializer(many=True)

    class Meta:
        model = ImportRun
        fields = ["id", "rows", "imported", "warnings", "errors"]
        read_only_fields = fields


class ImportView(ActionView):
    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser]
    input = ColdImportInput
    output = ColdImportRunSerializer

    def perform(self, request: Request, target, data: dict) -> ImportRun:
        store = _store(request.user, data["store"]) if data["store"] else None
        return actions.do_import_batches(
            data["file"],
            data["file"].name,
            acting_user=request.user,
            default_store=store,
            request=request,
        )


urlpatterns = [
    path("stores/", StoresView.as_view(), name="coldchain-stores"),
    path("batches/", BatchesView.as_view(), name="coldchain-batches"),
    path("batches/<int:batch_id>/", BatchView.as_view(), name="coldchain-batch"),
    path("batches/<int:batch_id>/documents/", DocumentsView.as_view(), name="coldchain-documents"),
    path("batches/<int:batch_id>/release/", ReleaseView.as_view(), name="coldchain-release"),
    path("batches/<int:batch_id>/handlings/", HandlingsView.as_view(), name="coldchain-handlings"),
    path(
        "batches/<int:batch_id>/distributions/",
        DistributionsView.as_view(),
        name="coldchain-distributions",
    ),
    path("batches/<int:batch_id>/samples/", SamplesView.as_view(), name="coldchain-samples"),
    path("imports/", ImportView.as_view(), name="coldchain-import"),
]
