"""Figures of the cold-chain work (数出一门): one definition each."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure
from zhanyi.places.models import Area

from .models import Batch, BatchSample, BatchState, SampleResult


def _batches(area: Area | None):
    return Batch.objects.filter(**area_filter(area, "store__area__path"))


@figure(
    "coldchain.batches",
    _("Cold-chain batches checked"),
    _("batches"),
    order=90,
    link="coldchain:home",
)
def batches(area: Area | None) -> int:
    return _batches(area).count()


@figure("coldchain.tonnes", _("Cold-chain food checked"), _("tonnes"), order=91)
def tonnes(area: Area | None) -> float:
    total = _batches(area).aggregate(t=Sum("weight_tonnes"))["t"] or Decimal(0)
    return float(round(total, 1))


@figure(
    "coldchain.held",
    _("Cold-chain batches held"),
    _("batches"),
    order=92,
    link="coldchain:home",
)
def held(area: Area | None) -> int:
    """Held for their documents, or sealed after a positive sample."""
    return _batches(area).exclude(state=BatchState.RELEASED).count()


@figure("coldchain.released", _("Cold-chain batches released"), _("batches"), order=93)
def released(area: Area | None) -> int:
    return _batches(area).filter(state=BatchState.RELEASED).count()


@figure("coldchain.positive_samples", _("Positive cold-chain samples"), _("samples"), order=94)
def positive_samples(area: Area | None) -> int:
    return BatchSample.objects.filter(
        result=SampleResult.POSITIVE, **area_filter(area, "batch__store__area__path")
    ).count()
