"""Reads of the cold-chain app, each with its access check: stores and batches
are seen by the jurisdiction of the store's area."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction

from .models import Batch, ColdStore, ImportRun


def require_view(user) -> None:
    if not has_capability(user, "view_person") or jurisdiction.root_path(user) is None:
        raise PermissionDenied("requires view_person and a jurisdiction")


def stores_for(user) -> QuerySet[ColdStore]:
    require_view(user)
    qs = ColdStore.objects.select_related("area").annotate(
        batches_total=Count("batches"), tonnes=Sum("batches__weight_tonnes")
    )
    return jurisdiction.scope(qs, user, "area__path")


def batches_for(user) -> QuerySet[Batch]:
    """Batches in the cold stores of the user's jurisdiction, latest arrival first."""
    require_view(user)
    qs = Batch.objects.select_related("store__area")
    return jurisdiction.scope(qs, user, "store__area__path")


def get_batch_for_user(user, batch_id: int) -> Batch:
    """A batch in the user's jurisdiction: 403 without the right, 404 outside it."""
    try:
        return batches_for(user).get(pk=batch_id)
    except Batch.DoesNotExist:
        raise Http404("no such batch") from None


def imports_for(user) -> QuerySet[ImportRun]:
    require_view(user)
    return jurisdiction.scope(ImportRun.objects.select_related("area"), user, "area__path")


def get_import_for_user(user, run_id: int) -> ImportRun:
    try:
        return imports_for(user).get(pk=run_id)
    except ImportRun.DoesNotExist:
        raise Http404("no such import") from None
