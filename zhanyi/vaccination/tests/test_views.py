from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhanyi.core.models import AuditEvent
from zhanyi.vaccination import actions
from zhanyi.vaccination.models import Appointment, Dose, Site

from .factories import ACTOR, person, site, vaccines

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_coverage_by_area_and_age(world, client_for):
    v = vaccines()
    s = site(world.village)
    people = [person(world.village, f"甲{i}", seq=i, age=30 if i < 2 else 70) for i in range(4)]
    for p in people[::2]:
        actions.do_record_dose(acting_user=ACTOR, person=p, vaccine=v["ad5"], dose_number=1, site=s)
    page = client_for(world.tracer).get(reverse("vaccination:home")).content.decode()
    assert "东铺头街道" in page  # the county's child area
    assert "18–59" in page and "60–79" in page and "50.0%" in page
    assert 'id="coverage-data"' in page


def test_the_site_records_a_dose_on_its_phone_page_and_a_second_time_is_refused(world, client_for):
    v = vaccines()
    s = site(world.village)
    p = person(world.village, "张三丰")
    client = client_for(world.village_member)
    form = {"site": s.pk, "person": p.pk, "vaccine": v["ad5"].pk, "dose_number": 1, "batch": "B1"}
    page = client.post(reverse("vaccination:record"), form, follow=True).content.decode()
    assert "Dose 1 of" in page and "张**" in page
    assert Dose.objects.filter(person=p).count() == 1
    again = client.post(reverse("vaccination:record"), form).content.decode()
    assert "张三丰 already has dose 1" in again
    assert AuditEvent.objects.filter(action="vaccination.dose.record").count() == 1


def test_a_leader_reads_but_may_not_record_or_import(world, client_for):
    v = vaccines()
    s = site(world.village)
    p = person(world.village, "甲")
    client = client_for(world.leader)
    assert client.get(reverse("vaccination:home")).status_code == 200
    form = {"site": s.pk, "person": p.pk, "vaccine": v["ad5"].pk, "dose_number": 1}
    assert client.post(reverse("vaccination:record"), form).status_code == 403
    assert client.post(reverse("vaccination:home"), {"form": "import"}).status_code == 403


def test_another_countys_staff_cannot_pick_this_countys_site_or_import(world, client_for):
    v = vaccines()
    s = site(world.village)
    p = person(world.other_village, "乙")
    client = client_for(world.other_county_staff)
    form = {"site": s.pk, "person": p.pk, "vaccine": v["ad5"].pk, "dose_number": 1}
    page = client.post(reverse("vaccination:record"), form)
    assert page.status_code == 200 and not Dose.objects.exists()
    assert "Select a valid choice" in page.content.decode()
    run = actions.do_import_doses(
        io.BytesIO("身份证号,剂次,接种时间,疫苗\n".encode()),
        acting_user=world.tracer,
        filename="x.csv",
    )
    assert client.get(reverse("vaccination:import", args=[run.pk])).status_code == 404
    assert client_for(world.outsider).get(reverse("vaccination:home")).status_code == 403


def test_an_upload_shows_its_rows_not_stored(world, client_for):
    vaccines()
    a = person(world.village, "张三")
    body = f"姓名,身份证号,生产企业,剂次,接种时间\n张三,{a.identity_number},康希诺,1,2021-05-01\n"
    body += f"张三,{a.identity_number},康希诺,1,2021-05-01\n"
    upload = SimpleUploadedFile("export.csv", body.encode("gbk"))
    client = client_for(world.tracer)
    page = client.post(
        reverse("vaccination:home"), {"form": "import", "file": upload}, follow=True
    ).content.decode()
    assert "Duplicate row: dose 1 of 张* is on line 2 already." in page
    assert Dose.objects.count() == 1


def test_sites_and_appointments_from_the_pages(world, client_for):
    client = client_for(world.tracer)
    client.post(
        reverse("vaccination:home"),
        {"form": "site", "name": "流动接种车1", "area": world.village.pk, "kind": "mobile"},
    )
    s = Site.objects.get(name="流动接种车1")
    p = person(world.village, "丙")
    client.post(
        reverse("vaccination:appointments"),
        {
            "form": "book",
            "site": s.pk,
            "person": p.pk,
            "headcount": 1,
            "dose_number": 1,
            "slot_at": "2021-09-20T09:00",
        },
    )
    client.post(
        reverse("vaccination:appointments"),
        {
            "form": "book",
            "site": s.pk,
            "work_unit": "漳州港务局",
            "headcount": 60,
            "dose_number": 1,
            "slot_at": "2021-09-20T10:00",
        },
    )
    assert Appointment.objects.count() == 2
    page = client.get(reverse("vaccination:appointments")).content.decode()
    assert "漳州港务局" in page and "丙" in page
    assert AuditEvent.objects.filter(action="vaccination.appointments.view").exists()
