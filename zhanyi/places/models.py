"""The administrative tree and the places located in it.

City → county, district or development zone → township → village or community
→ management grid (网格, where a grid worker works). A jurisdiction is a subtree
of this tree, so every area keeps a materialised ``path`` of codes: a subtree is
one indexed ``path__startswith`` filter on any database.
"""

from __future__ import annotations

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
