"""Reading customs' spreadsheets of import batches (进口冷链食品批次表).

Files are read by ``zhanyi.core.tabular`` (xlsx, xls, csv in any encoding Excel
saves); here the header is matched to the batch's fields by aliases in Chinese
and English, and each row becomes a ``BatchRow`` with its warnings, or a refusal
that says what is wrong and where. Pure of the database: the action checks the
stores and the batch numbers already recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from zhanyi.coldchain.models import DOCUMENTS
from zhanyi.core.tabular import cell_text
from zhanyi.engine.protocol import LOCAL_TZ

#: Field → the headers that name it (compared without spaces, case or brackets' content).
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("批次号", "批次编号", "报关单号", "报检号", "batch", "batchno", "batchnumber", "code"),
    "product": ("品名", "产品", "产品名称", "货物名称", "商品名称", "product", "goods"),
    "origin_country": ("原产国", "原产地", "产地", "来源国", "origin", "origincountry", "country"),
    "weight_tonnes": (
        "重量吨",
        "重量",
        "净重吨",
        "净重",
        "吨数",
        "weight",
        "weighttonnes",
        "tonnes",
    ),
    "weight_kg": ("重量公斤", "重量千克", "重量kg", "净重kg", "净重公斤", "weightkg", "kg"),
    "store": ("冷库", "存放冷库", "监管仓", "仓库", "store", "coldstore", "warehouse"),
    "arrived_at": (
        "到港时间",
        "到港日期",
        "入库时间",
        "入库日期",
        "到货日期",
        "arrival",
        "arrivedat",
        "arrived",
    ),
    "inspection_certificate": (
        "检验检疫证明",
        "检验检疫证明编号",
        "入境货物检验检疫证明",
        "检疫证明",
        "inspectioncertificate",
        "inspection",
    ),
    "nucleic_acid_report": (
        "核酸检测报告",
        "核酸检测报告编号",
        "核酸报告",
        "核酸检测证明",
        "nucleicacidreport",
        "nucleicacid",
    ),
    "disinfection_certificate": (
        "消毒证明",
        "消毒证明编号",
        "消杀证明",
        "disinfectioncertificate",
        "disinfection",
    ),
    "traceability_code": ("追溯码", "追溯编码", "追溯信息", "traceabilitycode", "traceability"),
}

REQUIRED = ("code", "product", "origin_country", "arrived_at")
#: Cell texts that mean "no document" (a dash, 无, none…).
ABSENT = {"", "-", "—", "/", "无", "没有", "缺", "缺失", "未提供", "none", "n/a", "na", "missing"}


def _key(header: str) -> str:
    """``重量（吨）`` → ``重量吨``; ``Weight (kg)`` → ``weightkg``."""
    text = cell_text(header).lower()
    text = re.sub(r"[()（）\[\]【】:：_\-\s/.*]", "", text)
    return text


_LOOKUP = {_key(alias): name for name, aliases in ALIASES.items() for alias in aliases}


@dataclass
class Header:
    columns: dict[str, int]  # field → column index
    unknown: list[str]


def match_header(row: list[Any]) -> Header:
    columns: dict[str, int] = {}
    unknown = []
    for i, cell in enumerate(row):
        name = _LOOKUP.get(_key(cell_text(cell)))
        if name is None or name in columns:
            if cell_text(cell):
                unknown.append(cell_text(cell))
            continue
        columns[name] = i
    return Header(columns, unknown)


def missing_columns(header: Header, *, store_given: bool) -> list[str]:
    need = list(REQUIRED)
    if "weight_tonnes" not in header.columns and "weight_kg" not in header.columns:
        need.append("weight_tonnes")
    if not store_given:
        need.append("store")
    return [n for n in need if n not in header.columns]


@dataclass
class BatchRow:
    line: int
    code: str
    product: str
    origin_country: str
    weight_tonnes: Decimal
    store: str
    arrived_at: dt.datetime
    documents: dict[str, str]
    warnings: list[str] = field(default_factory=list)


class RowRefused(ValueError):
    """A row that cannot be taken; the message says why."""


def _number(text: str) -> Decimal:
    cleaned = text.replace(",", "").replace("，", "")
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z吨公斤千克]*)\s*", cleaned)
    if not match:
        raise InvalidOperation(text)
    return Decimal(match.group(1))


def _unit(text: str) -> str:
    lowered = text.lower()
    if "kg" in lowered or "公斤" in lowered or "千克" in lowered:
        return "kg"
    return "t"


def parse_weight(row: list[Any], header: Header) -> tuple[Decimal, list[str]]:
    """Tonnes, from a tonnes column (a value with ``kg`` read as kilograms) or a kg column."""
    warnings = []
    if "weight_tonnes" in header.columns:
        text = cell_text(_cell(row, header.columns["weight_tonnes"]))
        kg = _unit(text) == "kg"
    else:
        text = cell_text(_cell(row, header.columns["weight_kg"]))
        kg = True
    if not text:
        raise RowRefused(_("no weight"))
    try:
        value = _number(text)
    except InvalidOperation:
        raise RowRefused(_("weight “%(text)s” is not a number") % {"text": text}) from None
    if kg:
        tonnes = (value / 1000).quantize(Decimal("0.001"))
        warnings.append(_("weight %(kg)s kg read as %(t)s tonnes") % {"kg": value, "t": tonnes})
        value = tonnes
    if value <= 0:
        raise RowRefused(_("weight %(text)s is not positive") % {"text": text})
    if value > 1000 and not kg:
        warnings.append(
            _("%(t)s tonnes is a lot for one batch: check it was not kilograms") % {"t": value}
        )
    return value, warnings


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%Y%m%d",
)


def parse_arrival(value: Any) -> dt.datetime:
    """A date or time in local time (Asia/Shanghai) as an aware datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=LOCAL_TZ)
    text = cell_text(value).replace("T", " ")
    if not text:
        raise RowRefused(_("no arrival date"))
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=LOCAL_TZ)
        except ValueError:
            continue
    raise RowRefused(_("arrival “%(text)s” is not a date") % {"text": text})


def _cell(row: list[Any], index: int) -> Any:
    return row[index] if index < len(row) else None


def parse_row(line: int, row: list[Any], header: Header, default_store: str = "") -> BatchRow:
    """One data row (``line`` as the spreadsheet numbers it); ``RowRefused`` says why not."""
    cols = header.columns

    def text(name: str) -> str:
        return cell_text(_cell(row, cols[name])) if name in cols else ""

    code = "".join(text("code").split())
    if not code:
        raise RowRefused(_("no batch number"))
    product, country = text("product"), text("origin_country")
    if not product:
        raise RowRefused(_("no product"))
    if not country:
        raise RowRefused(_("no origin country"))
    weight, warnings = parse_weight(row, header)
    arrived_at = parse_arrival(_cell(row, cols["arrived_at"]))
    documents = {}
    for name in DOCUMENTS:
        value = text(name)
        documents[name] = "" if value.lower() in ABSENT else value[:64]
    missing = [str(DOCUMENTS[n]) for n, v in documents.items() if not v]
    if missing:
        warnings.append(
            _("held until it has the %(documents)s") % {"documents": ", ".join(missing)}
        )
    return BatchRow(
        line=line,
        code=code[:64],
        product=product[:200],
        origin_country=country[:100],
        weight_tonnes=weight,
        store=text("store") or default_store,
        arrived_at=arrived_at,
        documents=documents,
        warnings=warnings,
    )
