"""The checkpoints task force's step of the demo's replay of September 2021.

The article's 69 traffic checkpoints (交通查验站) at the provincial and city
borders, rail stations, expressway exits and roads, and the fishing ports of
the coastal counties, then synthetic traffic on the outbreak's days (14–30
September): a few vehicles a station a day, most from the city's villages,
some from other cities, some from 台商投资区, each checked through the same
action as the phone page, so the decisions follow the zones the replay has
declared by then (a vehicle from the controlled zone is turned back). Fishing
vessels leave and return; one is still out past its return time and flagged.
Idempotent: stations and vessels are made once, and each check's client id
is derived from the seed, so a second replay stores nothing twice.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from zhanyi.checkpoints import actions
from zhanyi.checkpoints.models import Check, Station, StationKind, Vessel, VesselState
from zhanyi.engine.checkpoints.plates import PROVINCES
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area, AreaLevel

#: The article's 69 stations by kind (the ports are counted apart).
KINDS = [
    (StationKind.PROVINCIAL_BORDER, 6, "省界查验站"),
    (StationKind.CITY_BORDER, 12, "市界查验站"),
    (StationKind.RAIL_STATION, 5, "动车站查验点"),
    (StationKind.EXPRESSWAY_EXIT, 22, "高速路口查验站"),
    (StationKind.ROAD, 24, "国省道查验点"),
]
PORTS = 4
OTHER_CITIES = ["厦门市", "泉州市", "莆田市", "龙岩市", "潮州市", "汕头市"]
FIRST_DAY, LAST_DAY = dt.date(2021, 9, 14), dt.date(2021, 9, 30)
#: Where the replay's clock stands (30 September, noon): vessels out past it are overdue.
REPLAY_END = dt.datetime(2021, 9, 30, 12, 0, tzinfo=LOCAL_TZ)


def _stations(acting_user, rng: random.Random, counties: list[Area]) -> list[Station]:
    made = []
    plan = [(kind, n, label) for kind, count, label in KINDS for n in range(count)]
    plan += [(StationKind.PORT, n, "渔港") for n in range(PORTS)]
    for i, (kind, n, label) in enumerate(plan):
        county = counties[i % len(counties)] if kind != StationKind.PORT else counties[-1 - n % 2]
        name = f"{county.name}{label}{n + 1}"
        station = Station.objects.filter(area=county, name=name).first()
        if station is None:
            lon, lat = county.lon or 117.65, county.lat or 24.51
            station = actions.do_create_station(
                acting_user=acting_user,
                name=name,
                kind=kind,
                area=county,
                lon=round(lon + rng.uniform(-0.08, 0.08), 5),
                lat=round(lat + rng.uniform(-0.06, 0.06), 5),
            )
        made.append(station)
    return made


def _plate(rng: random.Random) -> str:
    province = "闽" if rng.random() < 0.85 else rng.choice(PROVINCES)
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5))
    if rng.random() < 0.15:
        return f"{province}{rng.choice('ABCDEFG')}D{body}"  # new energy
    return f"{province}{rng.choice('ABCDEFG')}{body}"


def _traffic(acting_user, seed: int, stations: list[Station], villages, zone_villages, days: int):
    checks = 0
    day = FIRST_DAY
    while day <= min(LAST_DAY, FIRST_DAY + dt.timedelta(days=days - 1)):
        for station in stations:
            if station.kind == StationKind.PORT:
                continue
            # One generator per station and day: a replay gives each the same traffic.
            rng = random.Random(f"{seed}:{station.name}:{day}")
            for i in range(rng.randint(2, 4)):
                roll = rng.random()
                origin_area, origin_city, test_age = None, "", None
                if roll < 0.15:
                    origin_city = rng.choice(OTHER_CITIES)
                    test_age = rng.choice([None, 12, 30, 40, 60])
                elif roll < 0.25 and zone_villages:
                    origin_area = rng.choice(zone_villages)
                else:
                    origin_area = rng.choice(villages)
                colour = rng.choices(["green", "yellow", "red", "none"], [95, 3, 1, 1])[0]
                at = dt.datetime.combine(day, dt.time(7), tzinfo=LOCAL_TZ) + dt.timedelta(
                    minutes=rng.randrange(14 * 60)
                )
                if at > REPLAY_END:  # the afternoon of the 30th has not come yet
                    continue
                client_id = uuid.uuid5(uuid.NAMESPACE_URL, f"zhanyi-demo:{station.pk}:{day}:{i}")
                _check, created = actions.do_record_check(
                    station,
                    actions.CheckInput(
                        client_id=client_id,
                        plate=_plate(rng),
                        people=rng.choices([1, 2, 3, 4, 5], [30, 30, 20, 15, 5])[0],
                        code_colour=colour,
                        test_age_hours=test_age,
                        origin_area=origin_area,
                        origin_city=origin_city,
                        destination_area=rng.choice(villages),
                        checked_at=at,
                    ),
                    acting_user=acting_user,
                )
                checks += created
        day += dt.timedelta(days=1)
    return checks


def _coast(acting_user, rng: random.Random, ports: list[Station]) -> int:
    """Five vessels a port; each out once and back, but one still at sea."""
    out = 0
    for p, port in enumerate(ports):
        for n in range(5):
            registration = f"闽漳渔{p + 1:02d}{n + 1:03d}"
            if Vessel.objects.filter(registration=registration).exists():
                continue
            vessel = actions.do_register_vessel(
                acting_user=acting_user,
                registration=registration,
                home_port=port,
                name=f"闽兴{p * 5 + n + 1}号",
                skipper=rng.choice(["陈", "林", "黄", "郑"]) + rng.choice(["海生", "水旺", "金福"]),
            )
            left = dt.datetime(2021, 9, 20 + n, 5, tzinfo=LOCAL_TZ)
            crew = rng.randint(4, 9)
            actions.do_report_movement(
                vessel,
                port=port,
                movement="exit",
                crew=crew,
                at=left,
                due_back_at=left + dt.timedelta(days=3),
                acting_user=acting_user,
            )
            if p == 0 and n == 4:
                out += 1  # due back 27 September, not returned: overdue
                continue
            back = left + dt.timedelta(days=rng.choice([2, 3]))
            actions.do_report_movement(
                vessel, port=port, movement="entry", crew=crew, at=back, acting_user=acting_user
            )
            actions.do_record_crew_check(
                vessel,
                port=port,
                crew_checked=crew,
                sampled=crew,
                at=back + dt.timedelta(minutes=30),
                acting_user=acting_user,
            )
        if not port.patrols.exists():
            actions.do_record_patrol(
                port,
                started_at=dt.datetime(2021, 9, 18, 8, tzinfo=LOCAL_TZ),
                ended_at=dt.datetime(2021, 9, 18, 12, tzinfo=LOCAL_TZ),
                route=f"{port.name}—闽粤交界海域",
                vessels_checked=rng.randint(5, 20),
                acting_user=acting_user,
            )
    actions.do_flag_overdue(now=REPLAY_END, acting_user=acting_user)
    return out


def replay_checkpoints(*, acting_user, seed: int = 18, days: int = 17) -> dict:
    """``days``: of traffic from 14 September (17: to the 30th)."""
    rng = random.Random(seed)
    counties = list(Area.objects.filter(level=AreaLevel.COUNTY).order_by("code"))
    if not counties:
        return {"stations": 0, "checks": 0}
    villages = list(Area.objects.filter(level=AreaLevel.VILLAGE).order_by("code"))
    zone = Area.objects.filter(name="台商投资区").first()
    zone_villages = [v for v in villages if zone is not None and v.path.startswith(zone.path)]
    stations = _stations(acting_user, rng, counties)
    created = (
        _traffic(acting_user, seed, stations, villages, zone_villages, days) if villages else 0
    )
    ports = [s for s in stations if s.kind == StationKind.PORT]
    _coast(acting_user, rng, ports)
    checks = Check.objects.filter(station__in=stations)
    return {
        "stations": len(stations),
        "checks": checks.count(),
        "checks_created": created,
        "turned_back": checks.filter(outcome="turn_back").count(),
        "vessels_overdue": Vessel.objects.filter(
            state=VesselState.AT_SEA, overdue_since__isnull=False
        ).count(),
    }
