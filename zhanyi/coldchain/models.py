"""The cold-chain tables (进口冷链食品, "one line, two key points" 一线两重点): cold
stores, import batches with their four documents (四证), the workers who handled
each batch, where it went downstream (去向), the samples taken from it, and the
spreadsheets customs sends."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: The four documents (四证) a batch needs before release: field → label.
DOCUMENTS = {
    "inspection_certificate": _("inspection and quarantine certificate"),  # 检验检疫证明
    "nucleic_acid_report": _("nucleic-acid report"),  # 核酸检测报告
    "disinfection_certificate": _("disinfection certificate"),  # 消毒证明
    "traceability_code": _("traceability code"),  # 追溯码
}


class ColdStore(models.Model):
    """A cold store (冷库) where imported batches are held under central supervision
    (集中监管仓) until released."""

    name = models.CharField(pgettext_lazy("cold store", "name"), max_length=200, unique=True)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="cold_stores", verbose_name=_("area")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cold store")
        verbose_name_plural = _("cold stores")

    def __str__(self) -> str:
        return self.name


class BatchState(models.TextChoices):
    HELD = "held", _("Held")  # 暂扣, waiting for its documents
    RELEASED = "released", pgettext_lazy("batch", "Released")  # 放行
    SEALED = "sealed", _("Sealed after a positive sample")  # 封存


class Batch(models.Model):
    """An import batch (批次) of cold-chain food: a customs declaration's goods in one store."""

    code = models.CharField(_("batch number"), max_length=64, unique=True)
    product = models.CharField(_("product"), max_length=200)
    origin_country = models.CharField(_("origin country"), max_length=100)
    weight_tonnes = models.DecimalField(_("weight (tonnes)"), max_digits=10, decimal_places=3)
    store = models.ForeignKey(
        ColdStore, models.PROTECT, related_name="batches", verbose_name=_("cold store")
    )
    arrived_at = models.DateTimeField(_("arrived at"))
    inspection_certificate = models.CharField(
        DOCUMENTS["inspection_certificate"], max_length=64, blank=True
    )
    nucleic_acid_report = models.CharField(
        DOCUMENTS["nucleic_acid_report"], max_length=64, blank=True
    )
    disinfection_certificate = models.CharField(
        DOCUMENTS["disinfection_certificate"], max_length=64, blank=True
    )
    traceability_code = models.CharField(DOCUMENTS["traceability_code"], max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=BatchState.choices, default=BatchState.HELD
    )
    released_at = models.DateTimeField(pgettext_lazy("batch", "released at"), null=True, blank=True)
    released_by_name = models.CharField(_("released by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-arrived_at", "-id"]
        indexes = [models.Index(fields=["state", "store"])]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.code} {self.product}"

    @property
    def missing_documents(self) -> list[str]:
        """The labels of the documents the batch still lacks."""
        return [str(label) for name, label in DOCUMENTS.items() if not getattr(self, name)]


class HandlingStep(models.TextChoices):
    UNLOADING = "unloading", _("Unloading")  # 卸货
    STORAGE = "storage", _("Storage")  # 入库
    DISINFECTION = "disinfection", _("Disinfection")  # 消杀
    SORTING = "sorting", _("Sorting")  # 分拣
    LOADING = "loading", _("Loading for delivery")  # 出库装车


class Handling(models.Model):
    """A worker who handled a batch at one step (从业人员), from the person index."""

    batch = models.ForeignKey(
        Batch, models.CASCADE, related_name="handlings", verbose_name=_("batch")
    )
    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="+", verbose_name=_("worker")
    )
    step = models.CharField(_("step"), max_length=16, choices=HandlingStep.choices)
    handled_at = models.DateTimeField(_("handled at"))
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["handled_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "person", "step"], name="coldchain_one_handling_per_step"
            )
        ]
        verbose_name = _("handling")
        verbose_name_plural = _("handlings")

    def __str__(self) -> str:
        return f"{self.batch_id} {self.step} {self.person_id}"


class Distribution(models.Model):
    """Part of a batch delivered downstream (去向): to a buyer, received by a person."""

    batch = models.ForeignKey(
        Batch, models.CASCADE, related_name="distributions", verbose_name=_("batch")
    )
    buyer = models.CharField(_("buyer"), max_length=200)
    receiver = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="+", verbose_name=_("received by")
    )
    quantity_tonnes = models.DecimalField(_("quantity (tonnes)"), max_digits=10, decimal_places=3)
    delivered_on = models.DateField(_("delivered on"))
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["delivered_on", "id"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")

    def __str__(self) -> str:
        return f"{self.batch_id} → {self.buyer}"


class SampleKind(models.TextChoices):
    ENVIRONMENT = "environment", _("Environmental sample")  # 环境样本
    PRODUCT = "product", _("Product sample")  # 物品样本
    PACKAGING = "packaging", _("Outer packaging")  # 外包装


class SampleResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class BatchSample(models.Model):
    """A nucleic-acid sample taken from a batch or its surroundings, and its result."""

    batch = models.ForeignKey(
        Batch, models.CASCADE, related_name="samples", verbose_name=_("batch")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SampleKind.choices)
    result = models.CharField(_("result"), max_length=16, choices=SampleResult.choices)
    sampled_at = models.DateTimeField(_("sampled at"))
    # When a positive result was traced: receivers and workers handed on.
    traced_people = models.PositiveIntegerField(_("people traced"), default=0)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-sampled_at", "-id"]
        verbose_name = _("batch sample")
        verbose_name_plural = _("batch samples")

    def __str__(self) -> str:
        return f"{self.batch_id} {self.kind} {self.result}"


class ImportRun(models.Model):
    """One spreadsheet of batches from customs, read: what was taken, what was
    refused (the error file is made from ``errors``) and the warnings."""

    filename = models.CharField(_("file"), max_length=255)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    # [{"row": n, "message": "..."}]
    warnings = models.JSONField(_("warnings"), default=list)
    # [{"row": n, "values": [...], "message": "..."}]: the error file's rows.
    errors = models.JSONField(_("errors"), default=list)
    header = models.JSONField(_("header"), default=list)
    created_by_name = models.CharField(_("imported by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("batch import")
        verbose_name_plural = _("batch imports")

    def __str__(self) -> str:
        return self.filename
