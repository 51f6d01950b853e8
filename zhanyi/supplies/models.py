"""The supplies tables (防疫物资保障): items, the holders that keep them, each
holder's stock of each item with its peak daily use, the movements that change
it, requests between holders and their allocation, and the alerts raised when a
stock's days of cover fall below the protocol's target."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: The article's seven items (code → label, unit): what the demo and `supplies
#: items` create. The codes are those the protocol's [supplies] section names.
STANDARD_ITEMS = {
    "masks": (_("Masks"), _("pieces")),  # 口罩, 片
    "protective_suits": (_("Medical protective suits"), _("sets")),  # 医用防护服, 套
    "isolation_gowns": (_("Isolation gowns"), _("sets")),  # 民用隔离衣, 套
    "eye_masks": (_("Eye masks"), _("pairs")),  # 民用眼罩, 副
    "goggles": (_("Medical goggles"), _("pairs")),  # 医用护目镜, 副
    "gloves": (_("Gloves"), _("pieces")),  # 手套, 只
    "shoe_covers": (_("Medical shoe covers"), _("pairs")),  # 医用鞋套, 双
}


class Item(models.Model):
    """A kind of supply (物资) counted in one unit."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("supply item", "name"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20)

    class Meta:
        ordering = ["id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The item's name in the reader's language (a standard item's), else as recorded."""
        return str(STANDARD_ITEMS[self.code][0]) if self.code in STANDARD_ITEMS else self.name

    @property
    def unit_label(self) -> str:
        return str(STANDARD_ITEMS[self.code][1]) if self.code in STANDARD_ITEMS else self.unit


class HolderKind(models.TextChoices):
    HOSPITAL = "hospital", _("Medical institution")  # 医疗机构
    CDC = "cdc", _("CDC")  # 疾控机构
    QUARANTINE_SITE = "quarantine_site", _("Quarantine site")  # 隔离点
    TESTING_SITE = "testing_site", _("Testing site")  # 采样点
    COUNTY_STORE = "county_store", _("County store")  # 县区储备库


class Holder(models.Model):
    """A place that keeps supplies (储备单位), in an area."""

    name = models.CharField(pgettext_lazy("supply holder", "name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=HolderKind.choices)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="supply_holders", verbose_name=_("area")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("holder")
        verbose_name_plural = _("holders")

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """What a holder has of an item now, and its daily use at the peak (高峰期日用量)."""

    holder = models.ForeignKey(Holder, models.CASCADE, related_name="stocks")
    item = models.ForeignKey(Item, models.PROTECT, related_name="stocks")
    quantity = models.BigIntegerField(_("on hand"), default=0)
    peak_daily_use = models.PositiveIntegerField(_("peak daily use"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["holder__name", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["holder", "item"], name="supplies_one_stock"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="supplies_stock_not_negative"
            ),
        ]
        verbose_name = _("stock")
        verbose_name_plural = _("stocks")

    def __str__(self) -> str:
        return f"{self.holder_id}/{self.item_id}: {self.quantity}"


class MovementKind(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("stock", "Received")  # 入库
    ISSUED = "issued", pgettext_lazy("stock", "Issued")  # 出库
    TRANSFER_OUT = "transfer_out", _("Transferred out")  # 调出
    TRANSFER_IN = "transfer_in", _("Transferred in")  # 调入


class Movement(models.Model):
    """One change of a stock, with its document (入库单、出库单、调拨单)."""

    holder = models.ForeignKey(Holder, models.CASCADE, related_name="movements")
    item = models.ForeignKey(Item, models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    quantity = models.PositiveBigIntegerField(_("quantity"))
    balance_after = models.BigIntegerField(_("on hand after"))
    document_number = models.CharField(_("document number"), max_length=64)
    counterpart = models.ForeignKey(
        Holder,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from or to"),
    )
    moved_at = models.DateTimeField(_("moved at"))
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-moved_at", "-id"]
        indexes = [models.Index(fields=["holder", "item", "moved_at"])]
        verbose_name = pgettext_lazy("stock", "movement")
        verbose_name_plural = _("movements")

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} ({self.document_number})"


class RequestState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved and allocated")
    REFUSED = "refused", _("Refused")


class SupplyRequest(models.Model):
    """A holder asking for supplies (申领); approved, it is allocated from another holder (调拨)."""

    requester = models.ForeignKey(
        Holder, models.CASCADE, related_name="requests", verbose_name=_("requested by")
    )
    item = models.ForeignKey(Item, models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.PositiveBigIntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=RequestState.choices, default=RequestState.PENDING
    )
    supplier = models.ForeignKey(
        Holder,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("allocated from"),
    )
    decision_note = models.CharField(_("decision"), max_length=255, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    created_by_name = models.CharField(_("requested by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("supply request")
        verbose_name_plural = _("supply requests")

    def __str__(self) -> str:
        return f"{self.requester_id} {self.item_id} {self.quantity}"


class CoverAlert(models.Model):
    """A stock below its target days of cover (储备不足预警), open until it is back."""

    holder = models.ForeignKey(Holder, models.CASCADE, related_name="alerts")
    item = models.ForeignKey(Item, models.PROTECT, related_name="+")
    days_of_cover = models.DecimalField(_("days of cover"), max_digits=8, decimal_places=1)
    target_days = models.PositiveSmallIntegerField(_("target (days)"))
    raised_at = models.DateTimeField(_("raised at"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    class Meta:
        ordering = ["days_of_cover", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "item"],
                condition=Q(cleared_at__isnull=True),
                name="supplies_one_open_alert",
            )
        ]
        verbose_name = _("cover alert")
        verbose_name_plural = _("cover alerts")

    def __str__(self) -> str:
        return f"{self.holder_id}/{self.item_id}: {self.days_of_cover} < {self.target_days}"
