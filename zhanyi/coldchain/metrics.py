"""Figures of the cold-chain work (数出一门): one definition each, counted
within an area through the store's area (``metrics.tally``)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure, for_areas, tally, tally_in
from zhanyi.places.models import Area

from .models import Batch, BatchSample, BatchState, SampleResult


def _batches(area: Area | None):
    return Batch.objects.filter(**area_filter(area, "store__area__path"))


@tally(
    "coldchain.batches",
    _("Cold-chain batches checked"),
    _("batches"),
    order=90,
    link="coldchain:home",
    area="store__area",
)
def batches():
    return Batch.objects.all()


def _tonnes(total: Decimal | int | None) -> float:
    return float(round(total or Decimal(0), 1))


@figure("coldchain.tonnes", _("Cold-chain food checked"), _("tonnes"), order=91)
def tonnes(area: Area | None) -> float:
    return _tonnes(_batches(area).aggregate(t=Sum("weight_tonnes"))["t"])


@for_areas("coldchain.tonnes")
def tonnes_in(areas) -> list[float]:
    totals = tally_in(Batch.objects.all(), "store__area", areas, Sum("weight_tonnes"))
    return [_tonnes(total) for total in totals]


@tally(
    "coldchain.held",
    _("Cold-chain batches held"),
    _("batches"),
    order=92,
    link="coldchain:home",
    area="store__area",
)
def held():
    """Held for their documents, or sealed after a positive sample."""
    return Batch.objects.exclude(state=BatchState.RELEASED)


@tally(
    "coldchain.released",
    _("Cold-chain batches released"),
    _("batches"),
    order=93,
    area="store__area",
)
def released():
    return Batch.objects.filter(state=BatchState.RELEASED)


@tally(
    "coldchain.positive_samples",
    _("Positive cold-chain samples"),
    _("samples"),
    order=94,
    area="batch__store__area",
)
def positive_samples():
    return BatchSample.objects.filter(result=SampleResult.POSITIVE)
