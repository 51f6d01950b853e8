"""``zhanyi places …``: a city's areas, boundaries and places from its own files.

- ``import-areas FILE [--within 3506] [--map field=header …] [--errors OUT.xlsx]``:
  the statistical division codes (统计用区划代码), CSV or xlsx;
- ``import-boundaries FILE [--tolerance METRES] [--crs gcj02] [--errors OUT.xlsx]``:
  GeoJSON, or a Shapefile (.shp beside its .dbf and .shx, or all of them in a .zip);
- ``import-places FILE [--category 农贸=market …] [--map field=header …] [--crs bd09]
  [--errors OUT.xlsx]``: points of interest, CSV, xlsx or GeoJSON;
  ``--crs``: the file's coordinates are GCJ-02 (Amap, Tencent) or BD-09 (Baidu),
  converted to WGS-84 (default: they are WGS-84 already);
- ``merge OLD_CODE INTO_CODE``: one area merged into another (区划调整);
- ``resolve CODE``: the area a code, old or current, names now;
- ``history CODE``: the former codes and names of an area;
- ``export-city CITY_DIR OUT [--xlsx]``: the synthetic city (``zhanyi synth``'s
  Parquet) written as division codes, boundaries and places files.

Each import prints what it read, stored, left unchanged and refused; the refused
rows, with what to fix, go to ``--errors``. Exit status 1 when any row was
refused or the file could not be read. The command acts as ``cli:<user>``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.core.audit import cli_actor
from zhanyi.places import actions, codes
from zhanyi.places.actions import LoadFileError, LoadResult
from zhanyi.places.export import export_city
from zhanyi.places.models import AreaAlias, CoordinateSystem, PlaceKind


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise CommandError(f"{what} {value!r}: write it as name=value")
        out[left.strip()] = right.strip()
    return out


class Command(BaseCommand):
    help = "Load a city's division codes, boundaries and places from its files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        areas = sub.add_parser("import-areas", help="statistical division codes (CSV, xlsx)")
        areas.add_argument("file", type=Path)
        areas.add_argument(
            "--within", default="", help="keep only codes starting so (3506 for one city)"
        )
        bounds = sub.add_parser("import-boundaries", help="GeoJSON or Shapefile boundaries")
        bounds.add_argument("file", type=Path)
        bounds.add_argument(
            "--tolerance",
            type=float,
            default=200.0,
            help="metres a boundary may pass its parent's (default 200)",
        )
        places = sub.add_parser("import-places", help="points of interest (CSV, xlsx, GeoJSON)")
        places.add_argument("file", type=Path)
        places.add_argument(
            "--category",
            action="append",
            default=[],
            metavar="WORD=KIND",
            help=f"a category of the file and its kind ({', '.join(PlaceKind.values)})",
        )
        for p in (areas, places):
            p.add_argument(
                "--map",
                action="append",
                default=[],
                metavar="FIELD=HEADER",
                help="the column of the file that holds a field",
            )
        for p in (bounds, places):
            p.add_argument(
                "--crs",
                choices=CoordinateSystem.values,
                default=CoordinateSystem.WGS84,
                help="the coordinates' system: wgs84 (GPS; default), gcj02 (Amap, Tencent) "
                "or bd09 (Baidu); converted to WGS-84",
            )
        for p in (areas, bounds, places):
            p.add_argument("--errors", type=Path, help="write the refused rows here (xlsx)")
        merge = sub.add_parser("merge", help="merge one area into another")
        merge.add_argument("old")
        merge.add_argument("into")
        sub.add_parser("resolve", help="the area a code names now").add_argument("code")
        sub.add_parser("history", help="former codes and names of an area").add_argument("code")
        export = sub.add_parser("export-city", help="the synthetic city as a city's files")
        export.add_argument("city_dir", type=Path)
        export.add_argument("out", type=Path)
        export.add_argument("--xlsx", action="store_true", help="tables as xlsx, not CSV")

    def handle(self, *args, **o) -> None:
        verb = o["verb"]
        if verb == "export-city":
            if not (o["city_dir"] / "areas.parquet").exists():
                raise CommandError(f"{o['city_dir']} holds no synthetic city (areas.parquet)")
            counts = export_city(o["city_dir"], o["out"], fmt="xlsx" if o["xlsx"] else "csv")
            self.stdout.write(
                f"{counts['areas']} areas, {counts['boundaries']} boundaries, "
                f"{counts['places']} places, {counts['people']} people (the register), "
                f"{counts['staff']} staff, {counts['feed_days']} days of stays (feeds/) "
                f"written to {o['out']}"
            )
            return
        if verb == "merge":
            try:
                area = actions.do_merge_areas(
                    acting_user=cli_actor(), old_code=o["old"], into_code=o["into"]
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(f"{o['old']} merged into {area.code} {area.name}")
            return
        if verb == "resolve":
            found = codes.resolve(o["code"])
            if found is None:
                raise CommandError(f"no area has or had the code {o['code']!r}")
            self.stdout.write(f"{found.code}\t{found.name}\t{found.full_name()}")
            return
        if verb == "history":
            self._history(o["code"])
            return
        self._import(verb, o)

    def _history(self, code: str) -> None:
        area = codes.resolve(code)
        if area is None:
            raise CommandError(f"no area has or had the code {code!r}")
        self.stdout.write(f"{area.code}\t{area.name}\t(now)")
        for alias in AreaAlias.objects.filter(area=area):
            self.stdout.write(
                f"{alias.code}\t{alias.name}\t{alias.get_reason_display()} "
                f"{alias.changed_at:%Y-%m-%d}"
            )

    def _import(self, verb: str, o: dict) -> None:
        path: Path = o["file"]
        if not path.exists():
            raise CommandError(f"no file {path}")

        def progress(done: int, total: int | None) -> None:
            self.stderr.write(
                f"\r{done:,}" + (f" / {total:,}" if total else "") + " rows", ending=""
            )

        try:
            with path.open("rb") as fh:
                if verb == "import-areas":
                    result = actions.do_load_divisions(
                        fh,
                        path.name,
                        acting_user=cli_actor(),
                        prefix=o["within"],
                        mapping=_pairs(o["map"], "--map"),
                        progress=progress,
                    )
                elif verb == "import-boundaries":
                    result = actions.do_load_boundaries(
                        fh,
                        path.name,
                        acting_user=cli_actor(),
                        tolerance_m=o["tolerance"],
                        path=path,
                        progress=progress,
                        coordinate_system=o["crs"],
                    )
                else:
                    result = actions.do_load_places(
                        fh,
                        path.name,
                        acting_user=cli_actor(),
                        categories=_pairs(o["category"], "--category"),
                        mapping=_pairs(o["map"], "--map"),
                        progress=progress,
                        coordinate_system=o["crs"],
                    )
        except LoadFileError as error:
            raise CommandError(str(error)) from None
        self.stderr.write("")
        self._report(result, o.get("errors"))
        if result.load.refused:
            sys.exit(1)

    def _report(self, result: LoadResult, errors: Path | None) -> None:
        load = result.load
        self.stdout.write(
            f"{load.filename}: read {load.rows_read}, created {load.created}, updated "
            f"{load.updated}, unchanged {load.unchanged}, refused {load.refused}, "
            f"with warnings {load.warned}"
        )
        for note in load.notes:
            self.stdout.write(f"  {note}")
        for p in result.problems[:50]:
            mark = "warning" if p["warning"] else "refused"
            value = f" ({p['value']})" if p["value"] else ""
            self.stdout.write(f"  row {p['row']} {mark}: {p['message']}{value}")
        if len(result.problems) > 50:
            self.stdout.write(f"  … {len(result.problems) - 50} more")
        if errors and load.error_file:
            errors.write_bytes(bytes(load.error_file))
            self.stdout.write(f"  refused rows written to {errors}")
