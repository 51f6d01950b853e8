"""The command map's layers (/api/v1/command/map/…): the zones at the level
each was declared, the cases (masked unless the reader may see persons, and
audited when named), the quarantine sites with their occupancy, the
checkpoints with the day's flow and the testing sites, each scoped by
jurisdiction; the big screen's masked layers come from the figure cache."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from zhanyi.checkpoints.tests.factories import check, station
from zhanyi.core.models import AuditEvent
from zhanyi.people.models import Household
from zhanyi.places.models import Place, PlaceKind
from zhanyi.quarantine.models import Room, RoomState
from zhanyi.quarantine.tests.factories import site as quarantine_site
from zhanyi.testing.tests.factories import person as sampled_person
from zhanyi.testing.tests.factories import round_, scan
from zhanyi.testing.tests.factories import site as sampling_site
from zhanyi.tracing.tests.factories import case
from zhanyi.zones import actions as zone_actions
from zhanyi.zones.tests.factories import ACTOR

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[117.60, 24.50], [117.65, 24.50], [117.65, 24.55], [117.60, 24.55]]],
}


def _compound(world) -> Place:
    return Place.objects.create(
        name="万益学府花园",
        kind=PlaceKind.RESIDENTIAL_COMPOUND,
        area=world.village,
        lon=117.62,
        lat=24.52,
    )


def _approved(tier, **extent):
    z = zone_actions.do_propose_zone(
        tier=tier, name=f"{tier}区", reason="病例居住地", acting_user=ACTOR, **extent
    )
    return zone_actions.do_approve_zone(z, acting_user=ACTOR, starts_at=timezone.now())


def _layer(client, name, **params):
    answer = client.get(reverse(f"api-map-{name}"), params)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["type"] == "FeatureCollection"
    return body["features"]


def test_the_zones_layer_draws_each_zone_at_the_level_it_was_declared(world, api_for):
    world.village2.boundary = SQUARE
    world.village2.save(update_fields=["boundary"])
    world.county.lon, world.county.lat = 117.66, 24.51
    world.county.save(update_fields=["lon", "lat"])
    _approved("prevention", areas=[world.county])
    _approved("controlled", areas=[world.village2])
    _approved("sealed", places=[_compound(world)])
    _approved("medium_risk", areas=[world.other_village])
    features = _layer(api_for(world.tracer), "zones")
    drawn = [
        (f["properties"]["tier"], f["properties"]["level"], f["geometry"]["type"]) for f in features
    ]
    # Weaker tiers first, so the sealed compound is drawn over the rest; the
    # other county's zone is not on 芗城区's map.
    assert drawn == [
        ("prevention", "county", "Point"),
        ("controlled", "village", "Polygon"),
        ("sealed", "place", "Point"),
    ]
    assert features[2]["geometry"]["coordinates"] == [117.62, 24.52]
    assert features[2]["properties"]["tier_label"] == "封控区"  # the default language


def test_a_drawn_zone_is_drawn_as_its_outline(world, api_for):
    _compound(world)
    outline = {
        "type": "Polygon",
        "coordinates": [[[117.61, 24.51], [117.63, 24.51], [117.63, 24.53], [117.61, 24.51]]],
    }
    _approved("sealed", polygon=outline)
    (feature,) = _layer(api_for(world.commander), "zones")
    assert feature["properties"]["level"] == "outline"
    assert feature["geometry"]["type"] == "Polygon"


def test_a_case_is_named_only_for_a_reader_who_may_see_persons_and_that_read_is_audited(
    world, api_for
):
    c = case(world.village)
    home = Household.objects.create(
        address="万益学府花园1幢", village=world.village, place=_compound(world)
    )
    c.person.household = home
    c.person.save(update_fields=["household"])
    case(world.other_village)
    api = api_for(world.tracer)
    (named,) = _layer(api, "cases")
    assert named["geometry"]["coordinates"] == [117.62, 24.52]
    assert named["properties"]["name"] == c.person.name
    assert named["properties"]["url"] == f"/tracing/cases/{c.pk}/"
    read = AuditEvent.objects.get(action="command.map.view")
    assert read.detail == {"layer": "cases", "features": 1}
    (dot,) = _layer(api, "cases", masked="1")
    assert "name" not in dot["properties"] and "url" not in dot["properties"]
    assert dot["properties"]["classification"] == "confirmed"
    assert dot["properties"]["village"] == world.village.name
    assert AuditEvent.objects.filter(action="command.map.view").count() == 1


def test_sites_carry_their_occupancy_flow_and_samples(world, api_for):
    hotel = quarantine_site(world.village, singles=4, families=0)
    Room.objects.filter(site=hotel, number__in=["100", "101", "102"]).update(
        state=RoomState.OCCUPIED
    )
    quarantine_site(world.other_village, name="龙海酒店")
    gate = station(world.county)
    gate.lon, gate.lat = 117.70, 24.60
    gate.save(update_fields=["lon", "lat"])
    check(gate, people=3)
    check(gate, people=2)
    point = sampling_site(world.village)
    point.place = _compound(world)
    point.save(update_fields=["place"])
    scan(
        "T0001",
        [sampled_person(world.village), sampled_person(world.village)],
        site=point,
        round=round_([world.village]),
    )
    api = api_for(world.tracer)
    (site,) = _layer(api, "quarantine-sites")
    assert (site["properties"]["rooms"], site["properties"]["occupied"]) == (4, 3)
    assert site["properties"]["occupancy"] == 75.0
    (gate_feature,) = _layer(api, "checkpoints")
    assert gate_feature["properties"]["vehicles"] == 2
    assert gate_feature["properties"]["people"] == 5
    (testing,) = _layer(api, "testing-sites")
    assert testing["geometry"]["coordinates"] == [117.62, 24.52]
    assert testing["properties"]["samples_today"] == 2
    assert testing["properties"]["tubes_waiting"] == 1


def test_a_reader_without_a_jurisdiction_is_refused(world, api_for):
    answer = api_for(world.outsider).get(reverse("api-map-cases"))
    assert answer.status_code == 403


@override_settings(FIGURE_CACHE_SECONDS=30)
def test_the_big_screen_draws_the_masked_layers_from_the_figure_cache(world, client_for):
    # A case with no compound is drawn at its village's centre.
    world.village.lon, world.village.lat = 117.62, 24.52
    world.village.save(update_fields=["lon", "lat"])
    case(world.village)
    screen = client_for(world.commander)
    page = screen.get(reverse("command:screen")).content.decode()
    assert "data-command-map" in page and "/api/v1/command/map/cases/?masked=1" in page
    first = screen.get(reverse("api-map-cases"), {"masked": "1"}).json()
    assert len(first["features"]) == 1
    case(world.village)
    again = screen.get(reverse("api-map-cases"), {"masked": "1"}).json()
    assert len(again["features"]) == 1  # every screen reads the one computation
    assert again["as_of"] == first["as_of"]
    fresh = screen.get(reverse("api-map-cases"), {"masked": "1", "fresh": "1"}).json()
    assert len(fresh["features"]) == 2
    assert not AuditEvent.objects.filter(action="command.map.view").exists()
