from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhanyi.core.models import AuditEvent
from zhanyi.people.models import Person
from zhanyi.vaccination import actions
from zhanyi.vaccination.models import Dose, DoseSource

from .factories import ACTOR, days_ago, id_number, person, site, vaccines

pytestmark = pytest.mark.django_db

HEADER = "姓名,身份证号,疫苗名称,生产企业,剂次,批号,接种单位,接种时间\n"


def _csv(lines: list[str], encoding="utf-8") -> io.BytesIO:
    return io.BytesIO((HEADER + "\n".join(lines) + "\n").encode(encoding))


def test_an_export_links_its_people_and_reports_every_row_it_does_not_store(world):
    vaccines()
    s = site(world.village)
    a = person(world.village, "张三", seq=1)
    b = person(world.village2, "李四", seq=2, age=70)
    stranger = id_number(a.birth_date, 9)
    inactivated = "新冠病毒灭活疫苗(Vero细胞),北京生物"
    lines = [
        f"张三,{a.identity_number},{inactivated},第1剂,B1,{s.name},2021-05-01 09:30:00",
        f"张三,{a.identity_number},,国药北京,2,B2,某卫生院,2021/06/01 10:00",
        f"李四,{b.identity_number},,康希诺,第一剂,B3,某卫生院,2021-07-01",
        f"张三,{a.identity_number},新冠病毒灭活疫苗(Vero细胞),北京生物,1,B1,{s.name},2021-05-01",
        f"陌生人,{stranger},,康希诺,1,B4,某卫生院,2021-07-02",
        "坏号,350602199001011230,,康希诺,1,B5,某卫生院,2021-07-02",
        f"张三,{a.identity_number},辉瑞,,3,B6,某卫生院,2021-08-01",
        f"李四,{b.identity_number},,康希诺,第1剂,B3,某卫生院,明天",
    ]
    run = actions.do_import_doses(_csv(lines), acting_user=world.tracer, filename="export.csv")
    assert (run.rows, run.stored, run.duplicates, run.unknown_persons) == (8, 3, 1, 1)
    assert run.refused == 3
    doses = Dose.objects.filter(person=a).order_by("dose_number")
    assert [d.dose_number for d in doses] == [1, 2]
    assert doses[0].site == s and doses[1].site is None and doses[1].site_name == "某卫生院"
    assert doses[1].completes_course and doses[0].source == DoseSource.IMPORT
    assert Dose.objects.get(person=b).completes_course  # one dose of Ad5 is the course
    reasons = {p["line"]: p["reason"] for p in run.problems}
    assert reasons[5] == "Duplicate row: dose 1 of 张* is on line 2 already."
    assert "is not in the person index: not stored" in reasons[6]
    assert "is not valid" in reasons[7]
    assert reasons[8] == "No vaccine called 辉瑞."
    assert reasons[9] == "The time 明天 is not a date and time."
    event = AuditEvent.objects.get(action="vaccination.import")
    assert event.detail["stored"] == 3 and event.detail["duplicates"] == 1


def test_the_same_export_again_is_all_duplicates(world):
    vaccines()
    a = person(world.village, "张三")
    lines = [f"张三,{a.identity_number},,康希诺,1,B1,某卫生院,2021-05-01 09:30"]
    actions.do_import_doses(_csv(lines), acting_user=ACTOR, filename="a.csv")
    again = actions.do_import_doses(_csv(lines, "gbk"), acting_user=ACTOR, filename="a.csv")
    assert (again.stored, again.duplicates) == (0, 1)
    assert "has dose 1 recorded already (given 2021-05-01 09:30)" in again.problems[0]["reason"]
    assert again.problems[0]["line"] == 2


def test_unknown_people_are_added_when_the_import_says_so(world):
    vaccines()
    number = id_number(days_ago(365 * 40).date(), 7)
    lines = [f"周九,{number},,康希诺,1,B1,某卫生院,2021-05-01 09:30"]
    run = actions.do_import_doses(
        _csv(lines), acting_user=ACTOR, filename="a.csv", create_unknown=True
    )
    assert (run.stored, run.created_persons, run.unknown_persons) == (1, 1, 0)
    made = Person.objects.get(identity_number=number)
    assert made.name == "周九" and Dose.objects.get(person=made).dose_number == 1


def test_people_outside_the_importers_county_are_refused_by_line(world):
    vaccines()
    inside = person(world.village, "张三", seq=1)
    outside = person(world.other_village, "李四", seq=2)
    lines = [
        f"张三,{inside.identity_number},,康希诺,1,B1,某卫生院,2021-05-01",
        f"李四,{outside.identity_number},,康希诺,1,B1,某卫生院,2021-05-01",
    ]
    run = actions.do_import_doses(_csv(lines), acting_user=world.tracer, filename="a.csv")
    assert (run.stored, run.refused) == (1, 1)
    assert run.problems == [
        {
            "line": 3,
            "column": "identity_number",
            "reason": "李* lives outside your jurisdiction: not stored.",
        }
    ]


def test_an_xlsx_export_is_read_and_a_file_without_the_columns_is_refused(world):
    vaccines()
    a = person(world.village, "张三")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["受种者姓名", "身份证号码", "生产企业", "接种剂次", "接种日期"])
    sheet.append(["张三", a.identity_number, "康希诺", 1, "2021-05-01 08:00"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    run = actions.do_import_doses(data, acting_user=ACTOR, filename="a.xlsx")
    assert run.stored == 1
    with pytest.raises(ValidationError) as refused:
        actions.do_import_doses(
            io.BytesIO("姓名,电话\n张三,1\n".encode()), acting_user=ACTOR, filename="b.csv"
        )
    assert (
        "lacks the columns identity_number, dose_number, given_at, vaccine"
        in (refused.value.messages[0])
    )


def test_a_leader_may_not_import(world):
    with pytest.raises(PermissionDenied):
        actions.do_import_doses(_csv([]), acting_user=world.leader, filename="a.csv")


def test_numbers_written_with_spaces_and_times_in_other_formats_are_read(world):
    vaccines()
    born = days_ago(365 * 30).date()
    seq = next(s for s in range(1, 200) if id_number(born, s).endswith("X"))
    a = Person.objects.create(
        name="张三", village=world.village, birth_date=born, identity_number=id_number(born, seq)
    )
    n = a.identity_number
    spaced = f"{n[:6]} {n[6:14]}\u3000{n[14:].lower()}"
    lines = [
        f"张三,{spaced},新冠病毒灭活疫苗(Vero细胞),北京生物,1,B1,某卫生院,20210501",
        f"张三,{n},新冠病毒灭活疫苗(Vero细胞),北京生物,2,B2,某卫生院,2021-06-01 10:00:00",
    ]
    run = actions.do_import_doses(_csv(lines), acting_user=ACTOR, filename="a.csv")
    assert (run.stored, run.refused, run.unknown_persons) == (2, 0, 0)
    times = [d.given_at for d in Dose.objects.filter(person=a).order_by("dose_number")]
    assert times == [
        dt.datetime(2021, 4, 30, 16, 0, tzinfo=dt.UTC),
        dt.datetime(2021, 6, 1, 2, 0, tzinfo=dt.UTC),
    ]
