"""Shared records: the periodic jobs' last runs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicRun(models.Model):
    """The last run of one periodic job (``zhanyi.core.periodic``): when it
    started and ended, on which server, and how it went."""

    name = models.CharField(_("job"), max_length=64, unique=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), null=True, blank=True)
    runner = models.CharField(_("runner"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic job run")
        verbose_name_plural = _("periodic job runs")

    def __str__(self) -> str:
        return self.name
