"""Fixed personas and a small area tree that every app's tests share.

``build_world()`` makes two counties of 漳州市 with a township and villages each,
and one user per persona: a commander of the city, a tracer of one county, a
five-to-one team member of one village, a read-only leader, an administrator,
an outsider with no jurisdiction and a staff member of the other county.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhanyi.places.models import Area, AreaLevel

from .models import Role, User

PASSWORD = "correct-horse-battery-staple-7"


def make_area(
    code: str, name: str, level: str, kind: str, parent: Area | None, population: int = 0
) -> Area:
    return Area.objects.create(
        code=code,
        name=name,
        level=level,
        kind=kind,
        parent=parent,
        path=Area.path_for(code, parent),
        population=population,
    )


@dataclass
class World:
    city: Area
    county: Area  # 芗城区
    township: Area
    village: Area  # 东铺头社区
    village2: Area  # the same township's other village
    other_county: Area  # 龙海区
    other_village: Area
    commander: User
    tracer: User
    village_member: User
    leader: User
    admin: User
    outsider: User
    other_county_staff: User


def make_user(username: str, role: str, jurisdiction: Area | None, **extra) -> User:
    user = User(username=username, role=role, jurisdiction=jurisdiction, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def build_world() -> World:
    city = make_area("350600", "漳州市", AreaLevel.CITY, "city", None, 5_050_000)
    county = make_area("350602", "芗城区", AreaLevel.COUNTY, "district", city, 600_000)
    township = make_area("350602001", "东铺头街道", AreaLevel.TOWNSHIP, "subdistrict", county)
    village = make_area("350602001001", "东铺头社区", AreaLevel.VILLAGE, "community", township)
    village2 = make_area("350602001002", "南昌社区", AreaLevel.VILLAGE, "community", township)
    other_county = make_area("350604", "龙海区", AreaLevel.COUNTY, "district", city, 900_000)
    other_township = make_area(
        "350604001", "石码街道", AreaLevel.TOWNSHIP, "subdistrict", other_county
    )
    other_village = make_area(
        "350604001001", "新华社区", AreaLevel.VILLAGE, "community", other_township
    )
    return World(
        city=city,
        county=county,
        township=township,
        village=village,
        village2=village2,
        other_county=other_county,
        other_village=other_village,
        commander=make_user("commander", Role.COMMANDER, city),
        tracer=make_user("tracer", Role.STAFF, county),
        village_member=make_user("villager", Role.FIELD, village),
        leader=make_user("leader", Role.LEADER, city),
        admin=make_user("admin", Role.ADMIN, city, is_staff=True),
        outsider=make_user("outsider", Role.LEADER, None),
        other_county_staff=make_user("longhai", Role.STAFF, other_county),
    )
