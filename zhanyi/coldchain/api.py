"""REST API of the cold-chain work (进口冷链食品), at ``/api/v1/coldchain/``.

Reading needs ``view_person``, writing ``edit_operations``; every batch is
checked against the caller's jurisdiction (outside it: 404). A refusal answers
400 with the action's messages by field (a release without the four documents
names the missing ones).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhanyi.accounts.roles import OperationsPermission
from zhanyi.core import audit
from zhanyi.core.api import run_action
from zhanyi.core.masking import mask_name
from zhanyi.people.queries import get_person_for_user
from zhanyi.places.models import Area

from . import actions, queries
from .models import DOCUMENTS, Batch, BatchState, ColdStore, HandlingStep, SampleKind, SampleResult

PERMISSIONS = [IsAuthenticated, OperationsPermission]


def batch_dict(b: Batch) -> dict:
    return {
        "id": b.pk,
        "code": b.code,
        "product": b.product,
        "origin_country": b.origin_country,
        "weight_tonnes": str(b.weight_tonnes),
        "store": b.store.name,
        "arrived_at": b.arrived_at,
        "state": b.state,
        "state_label": b.get_state_display(),
        "documents": {name: getattr(b, name) for name in DOCUMENTS},
        "missing_documents": b.missing_documents,
        "released_at": b.released_at,
    }


def _area(code: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise serializers.ValidationError({"area": ["no such area"]})
    return area


class ColdStoreInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    area = serializers.CharField(max_length=32)
    address = serializers.CharField(max_length=255, required=False, default="")


class StoresView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="coldchain_stores_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(
            {
                "results": [
                    {"id": s.pk, "name": s.name, "area": s.area.code, "batches": s.batches_total}
                    for s in queries.stores_for(request.user)[:500]
                ]
            }
        )

    @extend_schema(request=ColdStoreInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = ColdStoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        store = run_action(
            lambda: actions.do_create_store(
                acting_user=request.user,
                name=v["name"],
                area=_area(v["area"]),
                address=v["address"],
                request=request,
            )
        )
        return Response({"id": store.pk, "name": store.name}, status=status.HTTP_201_CREATED)


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


class BatchesView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(operation_id="coldchain_batches_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        batches = queries.batches_for(request.user)
        state = request.query_params.get("state", "")
        if state in BatchState.values:
            batches = batches.filter(state=state)
        return Response({"results": [batch_dict(b) for b in batches[:500]]})

    @extend_schema(request=ColdBatchInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = ColdBatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        store = _store(request.user, v["store"])
        batch = run_action(
            lambda: actions.do_create_batch(
                acting_user=request.user,
                code=v["code"],
                product=v["product"],
                origin_country=v["origin_country"],
                weight_tonnes=v["weight_tonnes"],
                store=store,
                arrived_at=v["arrived_at"],
                documents=v["documents"],
                request=request,
            )
        )
        return Response(batch_dict(batch), status=status.HTTP_201_CREATED)


class BatchView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="coldchain_batch_detail", responses=OpenApiTypes.OBJECT)
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
        return Response(
            {
                **batch_dict(batch),
                "handlings": [
                    {
                        "person": h.person_id,
                        "name": mask_name(h.person.name),
                        "step": h.step,
                        "handled_at": h.handled_at,
                    }
                    for h in handlings
                ],
                "distributions": [
                    {
                        "buyer": d.buyer,
                        "receiver": d.receiver_id,
                        "name": mask_name(d.receiver.name),
                        "quantity_tonnes": str(d.quantity_tonnes),
                        "delivered_on": d.delivered_on,
                        "area": d.area.code,
                    }
                    for d in distributions
                ],
                "samples": [
                    {
                        "kind": s.kind,
                        "result": s.result,
                        "sampled_at": s.sampled_at,
                        "traced_people": s.traced_people,
                    }
                    for s in batch.samples.all()
                ],
            }
        )


class ColdDocumentsInput(serializers.Serializer):
    documents = serializers.DictField(child=serializers.CharField(allow_blank=True))


class DocumentsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=ColdDocumentsInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, batch_id: int) -> Response:
        batch = queries.get_batch_for_user(request.user, batch_id)
        data = ColdDocumentsInput(data=request.data)
        data.is_valid(raise_exception=True)
        batch = run_action(
            lambda: actions.do_set_documents(
                batch, data.validated_data["documents"], acting_user=request.user, request=request
            )
        )
        return Response(batch_dict(batch))


class ReleaseView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, batch_id: int) -> Response:
        batch = queries.get_batch_for_user(request.user, batch_id)
        batch = run_action(
            lambda: actions.do_release_batch(batch, acting_user=request.user, request=request)
        )
        return Response(batch_dict(batch))


class ColdHandlingInput(serializers.Serializer):
    person = serializers.IntegerField(help_text="the worker's person id")
    step = serializers.ChoiceField(choices=HandlingStep.choices)
    handled_at = serializers.DateTimeField()


class HandlingsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=ColdHandlingInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, batch_id: int) -> Response:
        batch = queries.get_batch_for_user(request.user, batch_id)
        data = ColdHandlingInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = get_person_for_user(request.user, v["person"])
        handling = run_action(
            lambda: actions.do_record_handling(
                batch,
                person,
                step=v["step"],
                handled_at=v["handled_at"],
                acting_user=request.user,
                request=request,
            )
        )
        return Response({"id": handling.pk}, status=status.HTTP_201_CREATED)


class ColdDistributionInput(serializers.Serializer):
    buyer = serializers.CharField(max_length=200)
    receiver = serializers.IntegerField(help_text="the person id of who received it")
    quantity_tonnes = serializers.DecimalField(max_digits=10, decimal_places=3)
    delivered_on = serializers.DateField()
    area = serializers.CharField(max_length=32, help_text="the area code delivered to")


class DistributionsView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=ColdDistributionInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, batch_id: int) -> Response:
        batch = queries.get_batch_for_user(request.user, batch_id)
        data = ColdDistributionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        receiver = get_person_for_user(request.user, v["receiver"])
        area = _area(v["area"])
        distribution = run_action(
            lambda: actions.do_distribute(
                batch,
                buyer=v["buyer"],
                receiver=receiver,
                quantity_tonnes=v["quantity_tonnes"],
                delivered_on=v["delivered_on"],
                area=area,
                acting_user=request.user,
                request=request,
            )
        )
        return Response({"id": distribution.pk}, status=status.HTTP_201_CREATED)


class ColdSampleInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SampleKind.choices)
    result = serializers.ChoiceField(choices=SampleResult.choices)
    sampled_at = serializers.DateTimeField()


class SamplesView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [JSONParser]

    @extend_schema(request=ColdSampleInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, batch_id: int) -> Response:
        batch = queries.get_batch_for_user(request.user, batch_id)
        data = ColdSampleInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        sample = run_action(
            lambda: actions.do_record_sample(
                batch,
                kind=v["kind"],
                result=v["result"],
                sampled_at=v["sampled_at"],
                acting_user=request.user,
                request=request,
            )
        )
        return Response(
            {
                "id": sample.pk,
                "batch_state": sample.batch.state,
                "traced_people": sample.traced_people,
            },
            status=status.HTTP_201_CREATED,
        )


class ColdImportInput(serializers.Serializer):
    file = serializers.FileField()
    store = serializers.CharField(max_length=200, required=False, default="")


class ImportView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser]

    @extend_schema(request=ColdImportInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = ColdImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        store = _store(request.user, v["store"]) if v["store"] else None
        run = run_action(
            lambda: actions.do_import_batches(
                v["file"],
                v["file"].name,
                acting_user=request.user,
                default_store=store,
                request=request,
            )
        )
        return Response(
            {
                "id": run.pk,
                "rows": run.rows,
                "imported": run.imported,
                "warnings": run.warnings,
                "errors": [{"row": e["row"], "message": e["message"]} for e in run.errors],
            },
            status=status.HTTP_201_CREATED,
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
