"""The administrative tree and the places located in it.

City → county, district or development zone → township → village or community
→ management grid (网格, where a grid worker works). A jurisdiction is a subtree
of this tree, so every area keeps a materialised ``path`` of codes: a subtree is
one indexed ``path__startswith`` filter on any database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AreaLevel(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County or district")
    TOWNSHIP = "township", _("Township or subdistrict")
    VILLAGE = "village", _("Village or community")
    GRID = "grid", _("Grid")


LEVEL_DEPTH: dict[str, int] = {
    AreaLevel.CITY: 0,
    AreaLevel.COUNTY: 1,
    AreaLevel.TOWNSHIP: 2,
    AreaLevel.VILLAGE: 3,
    AreaLevel.GRID: 4,
}


class AreaQuerySet(models.QuerySet["Area"]):
    def within(self, area: Area) -> AreaQuerySet:
        """The area and everything below it."""
        return self.filter(path__startswith=area.path)


class Area(models.Model):
    """An administrative area (行政区划) or management grid."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices)
    # county, district, development_zone, town, township, subdistrict, village, community, grid
    kind = models.CharField(_("kind"), max_length=32)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    # 城乡分类代码 of the statistical division codes (111 main urban area … 220 village).
    urban_rural = models.CharField(_("urban-rural code"), max_length=3, blank=True, default="")
    population = models.PositiveIntegerField(_("population"), default=0)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    boundary = models.JSONField(_("boundary"), null=True, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        indexes = [models.Index(fields=["level", "path"])]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def path_for(code: str, parent: Area | None) -> str:
        return f"{parent.path if parent else '/'}{code}/"

    def contains(self, other: Area) -> bool:
        return other.path.startswith(self.path)

    def ancestors(self) -> AreaQuerySet:
        codes = [c for c in self.path.strip("/").split("/") if c]
        return Area.objects.filter(code__in=codes).order_by("path")

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def full_name(self) -> str:
        """Names from the county down, as an address reads (漳州市 is implied)."""
        return "".join(a.name for a in self.ancestors() if a.level != AreaLevel.CITY)


class PlaceKind(models.TextChoices):
    RESIDENTIAL_COMPOUND = "residential_compound", _("Residential compound")
    SCHOOL = "school", _("School")
    MARKET = "market", _("Market")
    SUPERMARKET = "supermarket", _("Supermarket")
    RESTAURANT = "restaurant", _("Restaurant")
    WORKPLACE = "workplace", _("Workplace")
    HOSPITAL = "hospital", _("Hospital")
    STATION = "station", _("Station")
    PORT = "port", _("Port")
    OTHER = "other", _("Other")


class Place(models.Model):
    """A place located in a village or community: compound, school, market…"""

    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=PlaceKind.choices)
    area = models.ForeignKey(Area, models.PROTECT, related_name="places", verbose_name=_("area"))
    external_id = models.BigIntegerField(null=True, blank=True, unique=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    cell_id = models.IntegerField(_("grid cell"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=0)

    class Meta:
        ordering = ["area__path", "name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return self.name


class AliasReason(models.TextChoices):
    RENAMED = "renamed", _("Renamed")
    RECODED = "recoded", _("Given a new code")
    MERGED = "merged", _("Merged into another area")


class AreaAlias(models.Model):
    """A code and name an area had before (区划变更): a renamed area keeps its old
    name here, a recoded or merged one its old code, so that old codes still
    resolve (``zhanyi.places.codes.resolve``)."""

    code = models.CharField(_("former code"), max_length=32, db_index=True)
    name = models.CharField(_("former name"), max_length=100)
    area = models.ForeignKey(
        Area, models.CASCADE, related_name="aliases", verbose_name=_("area now")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=AliasReason.choices)
    changed_at = models.DateTimeField(_("changed at"))
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("former code or name")
        verbose_name_plural = _("former codes and names")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LoadKind(models.TextChoices):
    AREAS = "areas", _("Division codes")
    BOUNDARIES = "boundaries", _("Boundaries")
    PLACES = "places", _("Places")


class CoordinateSystem(models.TextChoices):
    """The coordinate system a file's points or boundaries are in; zhanyi keeps
    WGS-84 (``zhanyi.engine.coords`` converts the others on import)."""

    WGS84 = "wgs84", _("WGS-84 (GPS, CGCS2000)")
    GCJ02 = "gcj02", _("GCJ-02 (Amap, Tencent)")
    BD09 = "bd09", _("BD-09 (Baidu)")


class DataLoad(models.Model):
    """One file of reference data loaded (areas, boundaries or places): what was
    read, stored, left unchanged and refused, and the error file of the refused
    rows (the rows as sent, with a column saying what to fix)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Loading")
        DONE = "done", _("Loaded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=LoadKind.choices)
    #: A page's upload waits for the worker (queued, running) with its progress;
    #: a load from the command line or the API is done when its record is made.
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DONE
    )
    rows_done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    #: The uploaded file while it waits (deleted once loaded) and the form's options.
    upload_path = models.CharField(max_length=500, blank=True)
    options = models.JSONField(default=dict, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The loader's jurisdiction (rows outside it were refused); none for the whole city.
    area = models.ForeignKey(
        Area, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("area")
    )
    filename = models.CharField(_("file"), max_length=255)
    file_hash = models.CharField(max_length=64, db_index=True)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    #: The system the file's coordinates were in (converted to WGS-84 on import).
    coordinate_system = models.CharField(
        _("coordinate system"),
        max_length=8,
        choices=CoordinateSystem.choices,
        default=CoordinateSystem.WGS84,
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    warned = models.PositiveIntegerField(_("with warnings"), default=0)
    #: The first problems in full: {"row", "column", "message", "value", "warning"}.
    problems = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    error_file = models.BinaryField(null=True, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by_name = models.CharField(_("loaded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        verbose_name = _("data load")
        verbose_name_plural = _("data loads")

    def __str__(self) -> str:
        return self.filename
