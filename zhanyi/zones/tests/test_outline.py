"""A zone drawn as an outline: checked, and followed exactly as an area zone is."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from zhanyi.core.audit import AuditEvent
from zhanyi.handoffs.models import Handoff, HandoffKind
from zhanyi.people.health_facts import gather
from zhanyi.people.models import HealthCode
from zhanyi.places.risk import risk_of_paths, risk_of_place
from zhanyi.zones import actions
from zhanyi.zones.actions.common import residents
from zhanyi.zones.models import Zone

from .factories import compound, resident

pytestmark = pytest.mark.django_db


def square(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


def located(place, lon: float, lat: float):
    place.lon, place.lat = lon, lat
    place.save(update_fields=["lon", "lat"])
    return place


def bounded(area, box: tuple[float, float, float, float]):
    area.boundary = square(*box)
    area.lon, area.lat = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    area.save(update_fields=["boundary", "lon", "lat"])
    return area


@pytest.fixture
def outline_world(world):
    """The county and its two communities side by side, with boundaries; a
    compound inside the drawn outline and one 50 m outside it."""
    bounded(world.county, (117.60, 24.48, 117.70, 24.56))
    bounded(world.township, (117.60, 24.48, 117.70, 24.56))
    bounded(world.village, (117.60, 24.50, 117.65, 24.55))
    bounded(world.village2, (117.65, 24.50, 117.70, 24.55))
    world.inside = located(compound(world.village, "万益学府花园"), 117.620, 24.520)
    world.outside = located(compound(world.village, "东铺头小区"), 117.6255, 24.520)
    world.outline = square(117.615, 24.515, 117.625, 24.525)
    return world


def propose(outline, by, **kw):
    return actions.do_propose_zone(
        tier=kw.pop("tier", "sealed"),
        name=kw.pop("name", "万益学府花园封控区"),
        reason="病例居住地",
        polygon=outline,
        acting_user=by,
        **kw,
    )


def test_a_drawn_zones_people_get_the_sealed_code_and_a_person_just_outside_does_not(
    outline_world,
):
    w = outline_world
    inside = [resident(w.village, n, w.inside) for n in ("甲", "乙")]
    outside = resident(w.village, "丙", w.outside)
    z = propose(w.outline, w.commander)
    assert list(z.places.all()) == [w.inside]
    assert list(z.areas.all()) == []
    assert z.area == w.village
    assert z.polygon["type"] == "Polygon"
    assert sorted(residents(z).values_list("pk", flat=True)) == sorted(p.pk for p in inside)
    start = timezone.now() - dt.timedelta(hours=1)
    actions.do_approve_zone(z, acting_user=w.commander, starts_at=start)
    facts = gather([p.pk for p in [*inside, outside]], timezone.now())
    assert [q.kind for q in facts[inside[0].pk].quarantines] == ["home"]
    assert facts[outside.pk].quarantines == ()
    assert HealthCode.objects.get(person=inside[1]).colour == "red"
    assert not HealthCode.objects.filter(person=outside, colour="red").exists()
    tests = Handoff.objects.filter(kind=HandoffKind.TEST, origin=f"zones.zone:{z.pk}")
    assert sorted(tests.values_list("person_id", flat=True)) == sorted(p.pk for p in inside)
    now = timezone.now()
    assert risk_of_place(w.inside.pk, now).tier == "sealed"
    assert risk_of_place(w.outside.pk, now) is None
    audit = AuditEvent.objects.get(action="zones.propose", object_id=str(z.pk))
    assert audit.detail["outline"] is True


def test_an_outline_covering_a_community_puts_it_in_the_zone_for_checkpoints_and_screening(
    outline_world,
):
    w = outline_world
    home = resident(w.village2, "丁")  # no compound: inside through the community
    z = propose(square(117.649, 24.499, 117.701, 24.551), w.commander, tier="controlled")
    assert list(z.areas.all()) == [w.village2]
    assert home.pk in set(residents(z).values_list("pk", flat=True))
    actions.do_approve_zone(z, acting_user=w.commander, starts_at=timezone.now())
    tiers = risk_of_paths([w.village2.path, w.village.path], timezone.now())
    assert tiers[w.village2.path].tier == "controlled"
    assert tiers[w.village.path] is None


def test_a_pasted_feature_collection_is_read_as_its_polygon(outline_world):
    w = outline_world
    pasted = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": w.outline}],
        }
    )
    z = propose(pasted, w.commander)
    assert list(z.places.all()) == [w.inside]


@pytest.mark.parametrize(
    ("outline", "message"),
    [
        ("{not json", "not GeoJSON"),
        ({"type": "Point", "coordinates": [117.62, 24.52]}, "Polygon or MultiPolygon"),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[117.615, 24.515], [117.625, 24.525], [117.625, 24.515], [117.615, 24.525]]
                ],
            },
            "not a valid polygon",
        ),
        ({"type": "Polygon", "coordinates": [[[117.6, 24.5], [117.61, 24.5], [117.6, 24.5]]]}, ""),
        (square(500000, 2700000, 500100, 2700100), "not longitude and latitude"),
        (square(117.660, 24.530, 117.661, 24.531), "holds no area or place"),
    ],
)
def test_a_bad_outline_is_refused_saying_why(outline_world, outline, message):
    with pytest.raises(ValidationError) as refused:
        propose(outline, outline_world.commander)
    assert message in refused.value.message_dict["polygon"][0]


def test_an_outline_reaching_outside_the_jurisdiction_is_refused(outline_world):
    w = outline_world
    with pytest.raises(ValidationError) as refused:
        propose(square(117.615, 24.515, 117.75, 24.525), w.tracer)
    assert "outside your jurisdiction (芗城区)" in refused.value.message_dict["polygon"][0]
    # Staff of another county (no boundary loaded there) are refused by what lies inside.
    with pytest.raises(ValidationError) as refused:
        propose(w.outline, w.other_county_staff)
    assert "万益学府花园: outside your jurisdiction" in refused.value.message_dict["areas"][0]


def test_the_api_takes_an_outline_and_refuses_a_bad_one(outline_world, api_for):
    w = outline_world
    api = api_for(w.commander)
    body = {"tier": "sealed", "name": "划定封控区", "reason": "病例居住地", "polygon": w.outline}
    answer = api.post("/api/v1/zones/", body, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["places"] == [w.inside.pk]
    assert answer.json()["polygon"]["type"] == "Polygon"
    body["polygon"] = {"type": "Polygon", "coordinates": []}
    answer = api.post("/api/v1/zones/", body, format="json")
    assert answer.status_code == 400
    assert "polygon" in answer.json()


def test_the_zones_page_takes_a_pasted_outline(outline_world, client_for):
    w = outline_world
    page = client_for(w.commander)
    answer = page.post(
        "/zones/",
        {
            "form": "propose",
            "tier": "sealed",
            "name": "页面划定",
            "reason": "病例居住地",
            "polygon": json.dumps(w.outline),
        },
    )
    assert answer.status_code == 302
    bow_tie = [[117.615, 24.515], [117.625, 24.525], [117.625, 24.515], [117.615, 24.525]]
    answer = page.post(
        "/zones/",
        {
            "form": "propose",
            "tier": "sealed",
            "name": "页面划定二",
            "reason": "病例居住地",
            "polygon": json.dumps({"type": "Polygon", "coordinates": [bow_tie]}),
        },
    )
    assert answer.status_code == 200
    assert "not a valid polygon" in answer.content.decode()


def test_the_command_line_takes_an_outline_file(outline_world, tmp_path, capsys):
    path = tmp_path / "outline.geojson"
    path.write_text(json.dumps({"type": "Feature", "geometry": outline_world.outline}))
    call_command(
        "zones", "propose", "sealed", "命令行划定", "--reason", "病例", "--outline", str(path)
    )
    zone = Zone.objects.get(name="命令行划定")
    assert list(zone.places.all()) == [outline_world.inside]
    assert capsys.readouterr().out.startswith(f"{zone.pk}\t")
