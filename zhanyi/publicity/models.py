"""Publicity's records (宣传组): press conferences (新闻发布会), public notices
(通告) drafted from the headquarters' decisions, approved and published, the
tally of media reports (媒体报道) and public-opinion items (舆情) followed to
their end."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PressConference(models.Model):
    """A press conference (新闻发布会) of the headquarters."""

    title = models.CharField(_("title"), max_length=200)
    held_at = models.DateTimeField(_("held at"))
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    #: One speaker a line: name and post ("李建辉 漳州市副市长").
    speakers = models.TextField(_("speakers"))
    #: One topic a line.
    topics = models.TextField(_("topics"))
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        ordering = ["-held_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "held_at"], name="one_conference_a_time")
        ]
        verbose_name = _("press conference")
        verbose_name_plural = _("press conferences")

    def __str__(self) -> str:
        return self.title

    def speaker_list(self) -> list[str]:
        return [line for line in self.speakers.splitlines() if line.strip()]

    def topic_list(self) -> list[str]:
        return [line for line in self.topics.splitlines() if line.strip()]


class NoticeState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("notice", "Draft")
    APPROVED = "approved", pgettext_lazy("notice", "Approved")
    PUBLISHED = "published", pgettext_lazy("notice", "Published")


class Notice(models.Model):
    """A public notice (通告): drafted (by hand, or from a decision of the
    headquarters: a zone decision, a directive), approved, published with a date."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    #: What it was drafted from (``publicity.sources``): its kind and key, "" by hand.
    source_kind = models.CharField(_("drafted from"), max_length=32, blank=True)
    source_key = models.CharField(max_length=64, blank=True)
    source_label = models.CharField(_("source"), max_length=255, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=NoticeState.choices, default=NoticeState.DRAFT
    )
    drafted_at = models.DateTimeField(_("drafted at"))
    drafted_by_name = models.CharField(_("drafted by"), max_length=150)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by_name = models.CharField(_("approved by"), max_length=150, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    #: Where it was published (the city's official account, the newspaper…).
    channel = models.CharField(_("published in"), max_length=100, blank=True)
    published_by_name = models.CharField(_("published by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-drafted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_key"],
                condition=~models.Q(source_kind=""),
                name="one_notice_per_source",
            )
        ]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")

    def __str__(self) -> str:
        return self.title


class MediaLevel(models.TextChoices):
    CENTRAL = "central", _("Central media")  # 中央媒体
    PROVINCIAL = "provincial", _("Provincial media")  # 省级媒体
    LOCAL = "local", _("Local media")  # 市县媒体


class MediaKind(models.TextChoices):
    NEWSPAPER = "newspaper", _("Newspaper")
    TELEVISION = "television", _("Television")
    RADIO = "radio", _("Radio")
    ONLINE = "online", _("News website")
    NEW_MEDIA = "new_media", _("New media account")  # 新媒体（微信、微博、抖音）


class MediaReport(models.Model):
    """Media reports (媒体报道) of the response: one report, or an outlet's
    reports of one day counted together (``count``)."""

    outlet = models.CharField(_("outlet"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=MediaLevel.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=MediaKind.choices)
    title = models.CharField(_("title"), max_length=255, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"))
    count = models.PositiveIntegerField(_("articles"), default=1, validators=[MinValueValidator(1)])
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    conference = models.ForeignKey(
        PressConference,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("press conference"),
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("media report")
        verbose_name_plural = _("media reports")

    def __str__(self) -> str:
        return f"{self.outlet} {self.published_on}"


class OpinionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("opinion item", "Open")
    FOLLOWING = "following", _("Being followed up")
    RESOLVED = "resolved", pgettext_lazy("opinion item", "Resolved")


class OpinionItem(models.Model):
    """A public-opinion item (舆情): what is said where, followed up to its end."""

    summary = models.CharField(_("what is said"), max_length=255)
    platform = models.CharField(_("where"), max_length=100)
    url = models.URLField(_("link"), max_length=500, blank=True)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    found_at = models.DateTimeField(_("found at"))
    state = models.CharField(
        _("state"), max_length=16, choices=OpinionState.choices, default=OpinionState.OPEN
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("public-opinion item")
        verbose_name_plural = _("public-opinion items")

    def __str__(self) -> str:
        return self.summary


class OpinionFollowUp(models.Model):
    """A step of an opinion item's follow-up: what was done (a reply, a
    clarification, a referral to the task force concerned)."""

    item = models.ForeignKey(OpinionItem, models.CASCADE, related_name="follow_ups")
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("what was done"))
    by_name = models.CharField(_("by"), max_length=150)
    resolved = models.BooleanField(_("resolved it"), default=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("opinion follow-up")
        verbose_name_plural = _("opinion follow-ups")

    def __str__(self) -> str:
        return f"{self.item_id} {self.at}"
