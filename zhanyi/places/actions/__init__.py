"""Writes to the area tree and places, one module per topic.

- ``tree``: the direct loader of rows already in zhanyi's shape (the synthetic
  city's Parquet files, the demo and the benches);
- ``divisions``: the statistical division codes (统计用区划代码) as published;
- ``boundaries``: area boundaries from GeoJSON or Shapefile;
- ``pois``: points of interest (schools, hospitals, markets …) from a table or GeoJSON;
- ``common``: what the three file loads share (columns, error file, the load record).
"""

from .boundaries import do_load_boundaries
from .common import LoadFileError, LoadResult
from .divisions import do_load_divisions, do_merge_areas
from .pois import do_load_places
from .tree import ImportCounts, PlacesImportError, do_import_areas, do_import_places

__all__ = [
    "ImportCounts",
    "LoadFileError",
    "LoadResult",
    "PlacesImportError",
    "do_import_areas",
    "do_import_places",
    "do_load_boundaries",
    "do_load_divisions",
    "do_load_places",
    "do_merge_areas",
]
