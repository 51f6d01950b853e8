"""Done when: the synthetic city, exported as a city's files, loads through the
importers (not the direct loader) into an empty database with the same areas
and places."""

import polars as pl
import pytest
from django.core.management import call_command

from zhanyi.engine.synth import SynthConfig, generate
from zhanyi.places.models import Area, DataLoad, Place


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    generate(SynthConfig.for_scale(1500, seed=7), out, stays=False)
    files = tmp_path_factory.mktemp("files")
    call_command("places", "export-city", str(out), str(files), "--xlsx")
    call_command("places", "export-city", str(out), str(files))
    return out, files


@pytest.mark.django_db
def test_the_exported_city_loads_through_the_importers(city, capsys):
    city_dir, files = city
    call_command("places", "import-areas", str(files / "divisions.xlsx"))
    call_command("places", "import-boundaries", str(files / "boundaries.geojson"))
    call_command("places", "import-places", str(files / "places.xlsx"))
    areas = pl.read_parquet(city_dir / "areas.parquet")
    stored = {
        a.code: (a.name, a.level, a.kind, a.parent.code if a.parent else None, a.population)
        for a in Area.objects.select_related("parent")
    }
    expected = {
        r["code"]: (r["name"], r["level"], r["kind"], r["parent_code"], r["population"])
        for r in areas.iter_rows(named=True)
    }
    assert stored == expected
    assert Area.objects.exclude(boundary=None).count() == areas["boundary"].is_not_null().sum()
    places = pl.read_parquet(city_dir / "places.parquet")
    assert {
        p.external_id: (p.name, p.kind, p.area.code, p.capacity, p.cell_id)
        for p in Place.objects.select_related("area")
    } == {
        r["place_id"]: (r["name"], r["kind"], r["area_code"], r["capacity"], r["cell_id"])
        for r in places.iter_rows(named=True)
    }
    assert not DataLoad.objects.filter(refused__gt=0).exists()
    # Everything again: nothing changes.
    capsys.readouterr()
    call_command("places", "import-areas", str(files / "divisions.csv"))
    call_command("places", "import-boundaries", str(files / "boundaries.geojson"))
    call_command("places", "import-places", str(files / "places.csv"))
    out = capsys.readouterr().out
    assert out.count("created 0, updated 0") == 3, out


@pytest.mark.django_db
def test_points_without_codes_find_their_villages_by_the_boundaries(city):
    city_dir, files = city
    call_command("places", "import-areas", str(files / "divisions.csv"))
    call_command("places", "import-boundaries", str(files / "boundaries.geojson"))
    call_command("places", "import-places", str(files / "places.geojson"))
    places = pl.read_parquet(city_dir / "places.parquet")
    village = dict(zip(places["place_id"].to_list(), places["area_code"].to_list(), strict=True))
    found = dict(Place.objects.values_list("external_id", "area__code"))
    assert len(found) == len(village)
    same = sum(found[k] == v for k, v in village.items())
    # The synthetic outlines are simplified: a point near an edge may fall in the neighbour.
    assert same >= 0.95 * len(village)
