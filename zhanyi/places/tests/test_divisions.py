"""The statistical division codes (统计用区划代码) loaded as the bureau publishes them."""

import io

import openpyxl
import pytest
from django.core.management import call_command

from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent
from zhanyi.places import actions, codes
from zhanyi.places.models import AliasReason, Area, AreaAlias, DataLoad, Place

SYSTEM = SystemActor("test")

HEADER = "统计用区划代码,名称,城乡分类代码\n"
CITY = """350000000000,福建省,
350600000000,漳州市,
350601000000,市辖区,
350602000000,芗城区,
350602001000,西桥街道办事处,
350602001001,新瑞社区居委会,111
350602100000,石亭镇,
350602100200,湘桥村委会,220
"""


def load(text: str, name: str = "codes.csv", encoding: str = "utf-8", **kw):
    return actions.do_load_divisions(
        io.BytesIO(text.encode(encoding)), name, acting_user=SYSTEM, **kw
    )


@pytest.mark.django_db
def test_the_published_codes_build_the_tree_parents_from_the_prefix():
    result = load(HEADER + CITY)
    assert (result.load.created, result.load.refused) == (6, 0)
    village = Area.objects.get(code="350602001001")
    assert village.path == "/350600/350602/350602001/350602001001/"
    assert (village.level, village.kind, village.urban_rural) == ("village", "community", "111")
    assert Area.objects.get(code="350602100200").kind == "village"
    assert Area.objects.get(code="350602001").kind == "subdistrict"
    assert Area.objects.get(code="350602100").kind == "town"
    assert not Area.objects.filter(code__in=["350000", "350601"]).exists()
    assert any("province" in note for note in result.load.notes)


@pytest.mark.django_db
def test_loading_again_changes_nothing():
    load(HEADER + CITY)
    again = load(HEADER + CITY)
    assert (again.load.created, again.load.updated, again.load.unchanged) == (0, 0, 6)
    assert Area.objects.count() == 6
    assert DataLoad.objects.count() == 2


@pytest.mark.django_db
def test_gbk_csv_and_xlsx_with_a_title_row_are_read():
    result = load(HEADER + CITY, encoding="gbk")
    assert result.load.encoding == "gbk" and result.load.created == 6
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2023年统计用区划代码和城乡划分代码"])
    sheet.append(["统计用区划代码", "城乡分类代码", "名称"])
    sheet.append([350602001002, 111, "碧湖社区居委会"])
    out = io.BytesIO()
    book.save(out)
    result = actions.do_load_divisions(io.BytesIO(out.getvalue()), "codes.xlsx", acting_user=SYSTEM)
    assert result.load.created == 1
    assert Area.objects.get(code="350602001002").parent.code == "350602001"


@pytest.mark.django_db
def test_a_code_whose_parent_is_missing_is_refused_and_the_rest_stored():
    text = HEADER + CITY + "350699001000,无名镇,\n350699001001,无名村,220\n35060200100X,坏码,\n"
    result = load(text)
    assert result.load.created == 6
    assert result.load.refused == 3
    refused = {p["row"]: p["message"] for p in result.errors}
    assert "350699" in refused[10] and "not loaded" in refused[10]
    assert "350699001" in refused[11]
    assert "Not a division code" in refused[12]
    assert not Area.objects.filter(code__startswith="350699").exists()
    book = openpyxl.load_workbook(io.BytesIO(bytes(result.load.error_file)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("What to fix", "Row")
    assert [r[1] for r in rows[1:]] == ["无名镇", "无名村", "坏码"]


@pytest.mark.django_db
def test_a_file_without_a_code_column_is_refused_whole():
    with pytest.raises(actions.LoadFileError, match="code"):
        load("名字,人口\n芗城区,1\n")
    assert not Area.objects.exists() and not DataLoad.objects.exists()


@pytest.mark.django_db
def test_a_level_that_disagrees_with_the_code_is_refused():
    result = load("代码,名称,级别\n350600000000,漳州市,2\n350602000000,芗城区,5\n")
    assert result.load.created == 1
    assert "level" in result.errors[0]["message"]


@pytest.mark.django_db
def test_a_rename_keeps_the_old_name_and_a_recode_keeps_the_area_and_its_places():
    load(HEADER + CITY)
    village = Area.objects.get(code="350602100200")
    Place.objects.create(name="湘桥小学", kind="school", area=village)
    renamed = CITY.replace("湘桥村委会", "湘桥社区居委会")
    result = load(HEADER + renamed)
    assert result.load.updated == 1
    alias = AreaAlias.objects.get(area__code="350602100200")
    assert (alias.name, alias.reason) == ("湘桥村委会", AliasReason.RENAMED)
    # The village becomes a community of the subdistrict, under a new code.
    recoded = (
        "统计用区划代码,名称,城乡分类代码,原区划代码\n"
        "350602001003,湘桥社区居委会,111,350602100200\n"
    )
    result = actions.do_load_divisions(io.BytesIO(recoded.encode()), "2024.csv", acting_user=SYSTEM)
    assert result.load.created == 1
    assert not Area.objects.filter(code="350602100200").exists()
    moved = Area.objects.get(code="350602001003")
    assert moved.parent.code == "350602001"
    assert Place.objects.get(name="湘桥小学").area == moved
    assert codes.resolve("350602100200") == moved
    assert AuditEvent.objects.filter(action="places.area.merge").exists()
    # Loading the same change again changes nothing.
    again = actions.do_load_divisions(io.BytesIO(recoded.encode()), "2024.csv", acting_user=SYSTEM)
    assert (again.load.created, again.load.unchanged) == (0, 1)


@pytest.mark.django_db
def test_two_villages_merged_become_one_with_both_codes():
    load(HEADER + CITY + "350602001002,碧湖社区居委会,111\n")
    Place.objects.create(
        name="碧湖花园", kind="residential_compound", area=Area.objects.get(code="350602001002")
    )
    call_command("places", "merge", "350602001002", "350602001001")
    assert Place.objects.get(name="碧湖花园").area.code == "350602001001"
    assert codes.resolve("350602001002").code == "350602001001"
    assert AreaAlias.objects.get(code="350602001002").reason == AliasReason.MERGED


@pytest.mark.django_db
def test_the_command_loads_a_province_file_for_one_city(tmp_path, capsys):
    path = tmp_path / "fujian.csv"
    path.write_text(HEADER + CITY + "350500000000,泉州市,\n350502000000,鲤城区,\n", "utf-8")
    call_command("places", "import-areas", str(path), "--within", "3506")
    out = capsys.readouterr().out
    assert "created 6" in out and "refused 0" in out
    assert not Area.objects.filter(code__startswith="3505").exists()


def test_codes_normalise_every_published_form():
    assert codes.normalise("350600000000") == codes.Code("350600", "city", None)
    assert codes.normalise("３５０６０２" + "０" * 6).code == "350602"
    assert codes.normalise("350602001000.0").parent == "350602"
    assert codes.normalise("350602001001001").level == "grid"
    assert codes.statistical("350602001") == "350602001000"
    with pytest.raises(codes.CodeError):
        codes.normalise("3506020")
