"""Hand-offs (工作交接): work one task force passes to another, with its deadline."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhanyi.accounts.models import TaskForceKind


class HandoffKind(models.TextChoices):
    """The kinds of work one task force hands to another."""

    CONTROL = "control", _("Control by the village team")  # 社区管控
    TRANSFER = "transfer", _("Transfer to centralised quarantine")  # 转运隔离
    TEST = "test", _("Scheduled test")  # 按期核酸
    RESAMPLE = "resample", _("Single-tube re-sampling")  # 单采复核
    CASE_REPORT = "case_report", _("Report and investigate a case")  # 逢阳必报
    ADMISSION = "admission", _("Admission to the designated hospital")  # 转诊定点医院
    CASE_ADMISSION = "case_admission", _("A case admitted to hospital")  # 收治入院
    CASE_DISCHARGE = "case_discharge", _("A case discharged from hospital")  # 出院


#: The kinds some consumer lists by kind, status and area (testing's due and
#: re-sampling lists; the village teams' control list, ``zhanyi.teams``). Only
#: their rows are in those two indexes: transfer hand-offs, a third of a
#: contact graph's rows, have no such list yet. A consumer that lists another
#: kind adds it here (and a migration).
LISTED_KINDS = (HandoffKind.TEST, HandoffKind.RESAMPLE, HandoffKind.CONTROL)


class HandoffStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Handoff(models.Model):
    """A piece of work one task force hands to another (工作交接), with its deadline.

    Tracing hands a new close contact to the village team (control), to
    transfer (centralised quarantine) and to testing (one ``test`` hand-off
    carrying the protocol's test schedule, ``zhanyi.handoffs.schedule``);
    testing hands a positive pool to re-sampling; screening hands an
    outcome on. The producing app writes these records through
    ``zhanyi.handoffs.actions``; the consuming app reads the open ones
    of its kind and closes them when the work is done. ``key`` makes writing
    the same hand-off twice a no-op.
    """

    # Unique by the constraint below (no separate LIKE index: keys are only
    # ever looked up whole).
    key = models.CharField(_("key"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=HandoffKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=HandoffStatus.choices, default=HandoffStatus.OPEN
    )
    # Person and area carry no database constraint: a contact graph writes a
    # million hand-offs in one transaction, and PostgreSQL checks each
    # deferred foreign key row by row at commit (about 10 µs a row and key,
    # 20 s for a graph). Producers take the ids from rows they just read or
    # wrote (contacts, samples, tasks); persons are never deleted (a merge
    # moves these rows, Django keeps on_delete) and ``zhanyi integrity``
    # reports any id that points at nothing.
    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        related_name="handoffs",
        verbose_name=_("person"),
        db_constraint=False,
    )
    # The village (or other area) responsible: the jurisdiction that sees it.
    # Indexed, for the listed kinds, by handoff_area_status, which starts with it.
    area = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        related_name="handoffs",
        verbose_name=_("area"),
        db_index=False,
        db_constraint=False,
    )
    from_task_force = models.CharField(
        _("from task force"), max_length=32, choices=TaskForceKind.choices
    )
    to_task_force = models.CharField(
        _("to task force"), max_length=32, choices=TaskForceKind.choices
    )
    # Where it came from, as "app.model:pk" (e.g. "tracing.contact:42"). Not
    # indexed: it is looked up with the person (a contact's release) or among
    # the open hand-offs of one kind (re-sampling of a round's pools).
    origin = models.CharField(_("origin"), max_length=64)
    # Not to be done before (a test on quarantine day 4); None: at once. A
    # test hand-off's window is that of the next test of its schedule.
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))
    # What the consumer needs beyond the columns, and no more (a test
    # schedule; a transfer's days): the origin names the record behind it.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by_name = models.CharField(_("closed by"), max_length=150, blank=True)
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        # Every index is paid for on each of the million rows a contact graph
        # hands off: keep only those that a query uses (the consumers'
        # kind/status lists and the jurisdiction's area, for the kinds that
        # are listed; by person when testing samples someone, a contact is
        # released and persons merge; the key for idempotence).
        constraints = [models.UniqueConstraint(fields=["key"], name="handoff_key_unique")]
        indexes = [
            models.Index(
                fields=["kind", "status", "due_at"],
                name="handoff_kind_status_due",
                condition=models.Q(kind__in=LISTED_KINDS),
            ),
            models.Index(
                fields=["area", "status"],
                name="handoff_area_status",
                condition=models.Q(kind__in=LISTED_KINDS),
            ),
        ]
        verbose_name = _("hand-off")
        verbose_name_plural = _("hand-offs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.person_id} · {self.due_at:%Y-%m-%d %H:%M}"
