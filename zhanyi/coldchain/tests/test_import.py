from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook, load_workbook

from zhanyi.coldchain import actions
from zhanyi.coldchain.exports import error_workbook
from zhanyi.coldchain.models import Batch
from zhanyi.core.models import AuditEvent

from .factories import batch, store

pytestmark = pytest.mark.django_db

CHINESE = (
    "海关进口冷链食品查验表\n"
    "批次号,品名,原产国,重量（吨）,冷库,到港日期,检验检疫证明,核酸检测报告,消毒证明,追溯码\n"
    "B001,冷冻猪肉,巴西,12.5,芗城冷库,2021-09-14,JY1,HS1,XD1,ZS1\n"
    "B002,冷冻虾仁,厄瓜多尔,8000kg,芗城,2021/9/15,JY2,无,XD2,ZS2\n"
    "B003,冷冻牛肉,阿根廷,abc,芗城冷库,2021-09-15,JY3,HS3,XD3,ZS3\n"
    "B004,冷冻鸡翅,美国,3,别的冷库,2021-09-15,JY4,HS4,XD4,ZS4\n"
    "CC001,冷冻鸡翅,美国,3,芗城冷库,2021-09-15,JY5,HS5,XD5,ZS5\n"
    "B001,冷冻猪肉,巴西,1,芗城冷库,2021-09-16,JY6,HS6,XD6,ZS6\n"
    ",,,,,,,,,\n"
)


def test_a_gbk_csv_with_chinese_headers_imports_with_warnings_and_refusals(world):
    s = store(world.county)
    batch(s, "CC001")
    run = actions.do_import_batches(
        io.BytesIO(CHINESE.encode("gbk")), "查验表.csv", acting_user=world.tracer
    )
    assert run.imported == 2 and run.rows == 6
    b2 = Batch.objects.get(code="B002")
    assert b2.weight_tonnes == Decimal("8.000") and b2.store == s and b2.state == "held"
    assert b2.missing_documents == ["nucleic-acid report"]
    assert [(w["row"], w["message"]) for w in run.warnings] == [
        (4, "weight 8000 kg read as 8.000 tonnes"),
        (4, "held until it has the nucleic-acid report"),
    ]
    errors = {e["row"]: e["message"] for e in run.errors}
    assert errors == {
        5: "weight “abc” is not a number",
        6: "cold store “别的冷库” is not one of yours",
        7: "batch CC001 is recorded already",
        8: "batch B001 is recorded already",
    }
    sheet = load_workbook(io.BytesIO(error_workbook(run))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert (
        rows[0][:3] == ("Row", "Reason", "批次号") and rows[1][0] == 5 and rows[1][3] == "冷冻牛肉"
    )
    assert AuditEvent.objects.get(action="coldchain.batch.import").detail["imported"] == 2


def test_an_xlsx_with_english_headers_and_a_default_store(world):
    s = store(world.county)
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Batch No.",
            "Product",
            "Origin",
            "Weight (kg)",
            "Arrival",
            "Inspection",
            "Nucleic acid",
            "Disinfection",
            "Traceability code",
        ]
    )
    sheet.append(["E1", "Frozen salmon", "Norway", 2500, "2021-09-14 08:00", "J", "H", "X", "Z"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    run = actions.do_import_batches(out, "customs.xlsx", acting_user=world.tracer, default_store=s)
    assert run.imported == 1 and not run.errors
    assert Batch.objects.get(code="E1").weight_tonnes == Decimal("2.500")


def test_a_file_without_the_needed_columns_is_refused_by_name(world):
    store(world.county)
    data = "批次号,品名,原产国\nB1,猪肉,巴西\n".encode()
    with pytest.raises(ValidationError) as refused:
        actions.do_import_batches(io.BytesIO(data), "x.csv", acting_user=world.tracer)
    assert refused.value.message_dict["file"] == [
        "x.csv has no column for: arrival, weight, cold store."
    ]


def test_another_countys_staff_cannot_import_into_this_countys_store(world):
    s = store(world.county)
    with pytest.raises(PermissionDenied):
        actions.do_import_batches(
            io.BytesIO(CHINESE.encode()),
            "x.csv",
            acting_user=world.other_county_staff,
            default_store=s,
        )
    run = actions.do_import_batches(
        io.BytesIO(CHINESE.encode()), "x.csv", acting_user=world.other_county_staff
    )
    assert run.imported == 0  # the stores named are not theirs
    assert not Batch.objects.exists()
