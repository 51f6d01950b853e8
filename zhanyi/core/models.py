"""Shared records: the append-only audit trail and the periodic jobs' last runs."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One read or change of personal data, or an administrative act.

    Append-only: the model refuses updates and deletes, and a database trigger
    refuses them too, so no user (nor a bug) can rewrite history.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    # PROTECT, not SET_NULL: nulling the actor would be an UPDATE, which the
    # trigger refuses. Users who have acted are deactivated, never deleted,
    # so no index serves the rare delete's check (see ``Meta.indexes``).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,
    )
    # Kept as text so the record survives the user's renaming; "cli:<os user>"
    # for the command line, empty for an anonymous request.
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    # Snapshots that scope who may read the event: the actor's jurisdiction
    # path when it happened, and the path of the area the object belongs to.
    actor_path = models.CharField(max_length=255, blank=True, editable=False)
    area_path = models.CharField(max_length=255, blank=True, editable=False)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    path = models.CharField(_("path"), max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # Every request that touches personal data writes a row, so the table
        # keeps only the indexes its readers use (``queries.visible_audit_events``
        # and ``filter_audit_events``, a person's readers): the time order;
        # the jurisdiction paths and the action, each matched by equality or
        # prefix, which one pattern index serves on PostgreSQL (a plain b-tree
        # beside it would only double the writes); and one object's history,
        # by id first so that an id alone finds it too.
        indexes = [
            models.Index(
                fields=["actor_path"], name="audit_actor_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["area_path"], name="audit_area_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["action"], name="audit_action", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["object_id", "object_type", "at"], name="audit_object"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_label}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


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


class RateCounter(models.Model):
    """Events counted under one key until ``expires``: throttles that every process
    shares, counted by one atomic UPDATE each (``zhanyi.core.ratelimit``)."""

    key = models.CharField(max_length=100, unique=True)
    expires = models.FloatField(db_index=True)  # seconds since the epoch
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
