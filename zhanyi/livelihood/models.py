"""Supply assurance (保供): the supply network (stores, affordable stores,
processing, storage and distribution centres, outlets), staple goods and their
price checks, sealed homes' orders (手机下单、配送到门) and special care."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FacilityKind(models.TextChoices):
    STORE = "store", _("Store")  # 超市
    AFFORDABLE_STORE = "affordable_store", _("Affordable store")  # 平价商店
    PROCESSING = "processing", _("Processing centre")  # 应急加工企业
    STORAGE = "storage", _("Storage centre")  # 应急储运企业
    DISTRIBUTION = "distribution", _("Distribution centre")  # 应急配送中心
    OUTLET = "outlet", _("Supply outlet")  # 应急供应网点


#: The kinds a sealed home may order from.
ORDER_KINDS = (FacilityKind.STORE, FacilityKind.AFFORDABLE_STORE, FacilityKind.OUTLET)


class Facility(models.Model):
    """One unit of the supply network (保供网络) in an area."""

    name = models.CharField(pgettext_lazy("facility", "name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=FacilityKind.choices)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    active = models.BooleanField(_("in service"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="livelihood_facility_unique_name")
        ]
        verbose_name = _("supply facility")
        verbose_name_plural = _("supply facilities")

    def __str__(self) -> str:
        return self.name


class Good(models.Model):
    """A staple good (菜篮子、米袋子) and its reference price (参考价) per unit."""

    name = models.CharField(pgettext_lazy("facility", "name"), max_length=100, unique=True)
    unit = models.CharField(_("unit"), max_length=16)
    reference_price = models.DecimalField(_("reference price"), max_digits=8, decimal_places=2)
    reference_set_at = models.DateTimeField(_("reference set at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("staple good")
        verbose_name_plural = _("staple goods")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class PriceCheck(models.Model):
    """A price seen at a facility (价格巡查), against the reference at that moment."""

    facility = models.ForeignKey(
        Facility, models.CASCADE, related_name="price_checks", verbose_name=_("facility")
    )
    good = models.ForeignKey(Good, models.PROTECT, related_name="+", verbose_name=_("good"))
    price = models.DecimalField(_("price"), max_digits=8, decimal_places=2)
    reference_price = models.DecimalField(_("reference price"), max_digits=8, decimal_places=2)
    deviation_percent = models.DecimalField(_("deviation (%)"), max_digits=7, decimal_places=1)
    flagged = models.BooleanField(_("over the tolerance"), default=False)
    checked_at = models.DateTimeField(_("checked at"))
    checked_by_name = models.CharField(_("checked by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["flagged", "checked_at"])]
        verbose_name = _("price check")
        verbose_name_plural = _("price checks")

    def __str__(self) -> str:
        return f"{self.facility} · {self.good} · {self.price}"


class HomeLink(models.Model):
    """A sealed home's order link (下单链接) and short code: the household orders
    by phone, no account; valid until ``expires_at``."""

    household = models.ForeignKey(
        "people.Household", models.PROTECT, related_name="+", verbose_name=_("household")
    )
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    gate = models.CharField(_("gate of the sealed compound"), max_length=100)
    token = models.CharField(max_length=64, unique=True)
    code = models.CharField(max_length=16, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(_("created at"))
    created_by_name = models.CharField(_("issued by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order link")
        verbose_name_plural = _("order links")

    def __str__(self) -> str:
        return f"{self.household_id} · {self.gate}"


class OrderState(models.TextChoices):
    PLACED = "placed", _("Placed")  # 已下单
    ACCEPTED = "accepted", _("Accepted by the store")  # 已接单
    AT_GATE = "at_gate", _("At the gate")  # 送达小区门口
    CARRYING = "carrying", _("Carried by a volunteer")  # 志愿者配送中
    DELIVERED = "delivered", _("Delivered to the door")  # 已送到家门口
    DECLINED = "declined", _("Declined by the store")


OPEN_STATES = (OrderState.PLACED, OrderState.ACCEPTED, OrderState.AT_GATE, OrderState.CARRYING)


class Order(models.Model):
    """A sealed home's order (封控区居民手机下单): the store accepts it, brings it
    to the compound's gate, a volunteer carries it to the door."""

    link = models.ForeignKey(HomeLink, models.PROTECT, related_name="orders")
    household = models.ForeignKey(
        "people.Household", models.PROTECT, related_name="+", verbose_name=_("household")
    )
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    facility = models.ForeignKey(
        Facility, models.PROTECT, related_name="orders", verbose_name=_("store")
    )
    items = models.TextField(_("what is ordered"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=OrderState.choices, default=OrderState.PLACED
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="livelihood_deliveries",
        verbose_name=_("volunteer"),
    )
    placed_at = models.DateTimeField(_("ordered at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["state", "placed_at"])]
        verbose_name = _("home order")
        verbose_name_plural = _("home orders")

    def __str__(self) -> str:
        return f"{self.pk} · {self.get_state_display()}"


class OrderStep(models.Model):
    """One step of an order: its state, when and by whom."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="steps")
    state = models.CharField(_("state"), max_length=16, choices=OrderState.choices)
    at = models.DateTimeField(_("at"))
    by_name = models.CharField(_("by"), max_length=150, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("order step")
        verbose_name_plural = _("order steps")

    def __str__(self) -> str:
        return f"{self.order_id} · {self.state}"


class CareKind(models.TextChoices):
    CHILD_WITH_PARENT = "child_with_parent", _("Child in quarantine with a parent")
    ELDERLY_ALONE = "elderly_alone", _("Elderly person living alone")  # 独居老人
    CHRONIC_MEDICINE = "chronic_medicine", _("Chronic illness needing medicine")  # 慢性病用药


class Care(models.Model):
    """A person on the village's special-care list (特殊人群关爱), followed up."""

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="+", verbose_name=_("person")
    )
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("village")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=CareKind.choices)
    needs = models.CharField(_("needs"), max_length=255, blank=True)
    next_follow_up_at = models.DateTimeField(_("next follow-up"))
    started_at = models.DateTimeField(_("started at"))
    closed_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_by_name = models.CharField(_("added by"), max_length=150, blank=True)

    class Meta:
        ordering = ["next_follow_up_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(closed_at__isnull=True),
                name="livelihood_care_one_open_per_kind",
            )
        ]
        verbose_name = _("special care")
        verbose_name_plural = _("special care")

    def __str__(self) -> str:
        return f"{self.person_id} · {self.get_kind_display()}"


class FollowUp(models.Model):
    """A follow-up of a person on the care list: what was found and done."""

    care = models.ForeignKey(Care, models.CASCADE, related_name="follow_ups")
    at = models.DateTimeField(_("at"))
    note = models.CharField(_("what was found and done"), max_length=255)
    by_name = models.CharField(_("by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.care_id} · {self.at}"
