"""The headquarters' records: the twice-daily report (每日两报).

A report is a snapshot: every registered figure (``zhanyi.core.metrics``) for
the city and each county, computed once when the report is taken, with the
change since the report before it. Its numbers are never written again, so a
report reads as it was issued however the data changes later; only the
coordination desk's commentary is added to it afterwards.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhanyi.core import metrics
from zhanyi.engine.protocol import LOCAL_TZ


def number_text(value: float) -> str:
    """A stored figure as the report writes it: whole numbers with thousands
    separators, others to one decimal."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


class Report(models.Model):
    """One twice-daily report (每日两报): the 12:00 or 20:00 snapshot of a day."""

    #: The slot it stands for (a day's 12:00 or 20:00, local): one report per slot.
    scheduled_for = models.DateTimeField(_("scheduled for"), unique=True)
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.CharField(_("taken by"), max_length=150)
    previous = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="next",
        verbose_name=_("previous report"),
    )
    commentary = models.TextField(_("commentary"), blank=True)
    commentary_by = models.CharField(_("commentary by"), max_length=150, blank=True)
    commentary_at = models.DateTimeField(_("commentary at"), null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for"]
        verbose_name = _("twice-daily report")
        verbose_name_plural = _("twice-daily reports")

    def __str__(self) -> str:
        return f"{self.scheduled_for.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


class ReportFigure(models.Model):
    """One figure of one area in a report, as computed when the report was taken.

    Written once with its report and never changed: ``save`` refuses an update
    and ``delete`` refuses outright (the report's rows go only with a database
    flush)."""

    report = models.ForeignKey(Report, models.PROTECT, related_name="figures")
    area = models.ForeignKey("places.Area", models.PROTECT, related_name="+")
    name = models.CharField(_("figure"), max_length=100)
    label = models.CharField(_("label"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    order = models.IntegerField(default=100)
    value = models.FloatField(_("value"))
    #: The same figure of the same area in the previous report (None: none then).
    previous_value = models.FloatField(_("previous value"), null=True, blank=True)
    change = models.FloatField(_("change"), null=True, blank=True)

    class Meta:
        ordering = ["report_id", "area__path", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["report", "area", "name"], name="one_value_per_figure")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.area_id} {self.name}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("A report's figures are never changed after it is taken."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A report's figures are never changed after it is taken."))

    def shown_label(self) -> str:
        """The figure's label in the reader's language (the stored one, in
        the site's language, once the figure is no longer registered)."""
        try:
            return str(metrics.get(self.name).label)
        except KeyError:
            return self.label

    def shown_unit(self) -> str:
        try:
            return str(metrics.get(self.name).unit)
        except KeyError:
            return self.unit

    def value_text(self) -> str:
        return number_text(self.value)

    def change_text(self) -> str:
        """The change since the previous report, signed ("+3", "−2", "0"); "" with none."""
        if self.change is None:
            return ""
        if self.change == 0:
            return "0"
        return ("+" if self.change > 0 else "−") + number_text(abs(self.change))
