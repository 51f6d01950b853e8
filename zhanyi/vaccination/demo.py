"""Vaccination's step of the demo's replay of September 2021.

The article: 7,575,300 doses given in the city, 4,013,600 people with a first
dose, 3,811,700 fully vaccinated. The demo city is a sample of the city, so
its export carries the same mix at its own scale (1.5 doses a head): the
immunisation system's export for the demo city's people, imported as a data
officer would (with three rows it does not store: a duplicate, a person the
index lacks, an unreadable time, each reported by line); sites of every kind;
appointments of a person and of a work unit; and doses recorded at a site on
its phone page. Idempotent: each piece is made once."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl

from zhanyi.engine.identity import check_char
from zhanyi.engine.synth.doses import ARTICLE_DOSES, VACCINES, export_frame
from zhanyi.people.models import Person
from zhanyi.places.models import Area, AreaLevel
from zhanyi.vaccination import actions
from zhanyi.vaccination.models import Appointment, Dose, DoseImport, Site, SiteKind, Vaccine

#: The article's doses over the city's people (5.05 million).
DOSES_PER_HEAD = ARTICLE_DOSES / 5_050_000
EXPORT_NAME = "免疫规划信息系统导出-2021-09-15.csv"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SITE_NAMES = {
    SiteKind.FIXED: "常规接种门诊",
    SiteKind.TEMPORARY: "临时接种点",
    SiteKind.MOBILE: "流动接种车",
    SiteKind.DOOR_TO_DOOR: "上门接种队",
}


def _sites(acting_user) -> list[Site]:
    made = []
    counties = list(Area.objects.filter(level=AreaLevel.COUNTY).order_by("code"))
    for n, county in enumerate(counties):
        kinds = [SiteKind.FIXED, SiteKind.TEMPORARY]
        if n == 0:
            kinds += [SiteKind.MOBILE, SiteKind.DOOR_TO_DOOR]
        for kind in kinds:
            name = f"{county.name}{SITE_NAMES[kind]}"
            site = Site.objects.filter(name=name).first() or actions.do_create_site(
                acting_user=acting_user, name=name, area=county, kind=kind
            )
            made.append(site)
    return made


def _export(sites: list[Site]) -> bytes:
    people = pl.DataFrame(
        list(
            Person.objects.filter(merged_into=None)
            .exclude(identity_number="")
            .order_by("pk")
            .values_list("identity_number", "name")
        ),
        schema={"identity_number": pl.Utf8, "name": pl.Utf8},
        orient="row",
    )
    doses = int(people.height * DOSES_PER_HEAD)
    frame = export_frame(people, doses, 20210915, sites=[s.name for s in sites])
    stranger = "35060219880808" + "123"
    extra = pl.DataFrame(
        [
            frame.row(0),  # the same dose twice in one export
            ("外地人", stranger + check_char(stranger), *frame.row(1)[2:]),
            (*frame.row(2)[:7], "九月某日"),
        ],
        schema=frame.schema,
        orient="row",
    )
    return pl.concat([frame, extra]).write_csv().encode()


def replay_vaccination(*, acting_user) -> dict:
    for code, name, maker in VACCINES:
        if not Vaccine.objects.filter(code=code).exists():
            actions.do_add_vaccine(acting_user=acting_user, code=code, name=name, maker=maker)
    sites = _sites(acting_user)
    run = DoseImport.objects.filter(filename=EXPORT_NAME).first()
    if run is None:
        run = actions.do_import_doses(
            io.BytesIO(_export(sites)), acting_user=acting_user, filename=EXPORT_NAME
        )
    first_site = sites[0]
    at = dt.datetime(2021, 9, 15, 9, 0, tzinfo=SHANGHAI)
    if not Appointment.objects.exists():
        actions.do_book_appointment(
            acting_user=acting_user,
            site=first_site,
            slot_at=at,
            work_unit="漳州港务局",
            headcount=60,
        )
    unvaccinated = (
        Person.objects.filter(merged_into=None, village__path__startswith=first_site.area.path)
        .exclude(doses__dose_number=1)
        .exclude(birth_date=None)
        .order_by("pk")
    )
    if not Dose.objects.filter(source="site").exists():
        bbibp = Vaccine.objects.get(code="bbibp")
        for n, person in enumerate(unvaccinated[:3]):
            if n == 0:
                actions.do_book_appointment(
                    acting_user=acting_user, site=first_site, slot_at=at, person=person
                )
            actions.do_record_dose(
                acting_user=acting_user,
                person=person,
                vaccine=bbibp,
                dose_number=1,
                site=first_site,
                batch="202109A015",
                given_at=at + dt.timedelta(minutes=10 * n),
            )
    return {
        "sites": len(sites),
        "doses": Dose.objects.count(),
        "imported": run.stored,
        "not_stored": run.duplicates + run.unknown_persons + run.refused,
        "at_sites": Dose.objects.filter(source="site").count(),
    }
