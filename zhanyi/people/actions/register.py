"""Loading the population register (人口登记) into the person index.

An extract (户籍人口, 常住人口 or 流动人口) arrives as xlsx or CSV in any
encoding staff send (``zhanyi.core.tabular``), with a header that a saved
mapping or the usual names identify (``zhanyi.core.columns``). The intake is
the one pushed lists go through (docs/screening.md), in whole-frame form
because a register holds millions of rows:

1. **Read and check** (no writes): the file as a frame of text; identity
   numbers, names, phones, birth dates and sexes normalised by the linkage
   engine (``normalise_records``), addresses resolved to villages by the
   gazetteer. A row with a missing or malformed identity number, no name, a
   number seen on an earlier row, or a village outside the loader's
   jurisdiction goes to the error file (``zhanyi.core.spreadsheet.ErrorFile``,
   with the row's reasons); an address that names no village is a warning.
2. **Link and store** (one transaction): the rows are linked to the index by
   the engine's ``link`` (``zhanyi.people.linkage``: the exact identity number,
   then the linkage model, the rest to review). Linked persons are compared
   with the row: a new village, household or address is a *move*, another
   name, phone, sex or birth date a *change*; each is written with the
   person's history (``PersonChange``) and a source record of the row. New
   persons and households are written by COPY (``zhanyi.core.db.bulk``).
   Rows for review wait in ``RegisterReview`` for a person to decide.

The same file twice (its sha256) is recognised and not loaded again; the next
month's extract updates the persons it names, so loading it twice, or an
extract that overlaps another, never duplicates a person.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl
import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, columns, tabular
from zhanyi.core.actors import actor_user
from zhanyi.core.audit import SystemActor
from zhanyi.core.db import bulk
from zhanyi.core.jurisdiction import root_path
from zhanyi.core.spreadsheet import ErrorFile
from zhanyi.engine.identity import register_person_id as person_external_id
from zhanyi.engine.linkage.written import fifteen_to_eighteen
from zhanyi.people import linkage
from zhanyi.people.models import (
    Household,
    Person,
    PersonChange,
    RegisterKind,
    RegisterLoad,
    RegisterMapping,
    RegisterReview,
    SourceRecord,
)
from zhanyi.places.models import Area

Progress = Callable[[int, int | None, str], None]

#: The fields of a register row, with their label.
FIELDS: dict[str, Any] = {
    "name": gettext_lazy("Name"),
    "identity_number": gettext_lazy("Identity number"),
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Birth date"),
    "phone": gettext_lazy("Phone"),
    "address": gettext_lazy("Address"),
    "household_number": gettext_lazy("Household number"),
    "relation": gettext_lazy("Relation to the head of household"),
}
REQUIRED = ("name", "identity_number", "address")

#: Headers recognised without a mapping.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名", "名字", "人员姓名"),
    "identity_number": (
        "identity_number",
        "公民身份号码",
        "身份证号",
        "身份证号码",
        "身份证",
        "证件号码",
        "证件号",
        "公民身份证号",
    ),
    "sex": ("sex", "性别"),
    "birth_date": ("birth_date", "出生日期", "出生年月日", "生日"),
    "phone": ("phone", "联系电话", "手机号", "手机号码", "电话", "联系方式"),
    "address": (
        "address",
        "住址",
        "户籍地址",
        "户籍地详址",
        "现住址",
        "居住地址",
        "暂住地址",
        "现居住地址",
        "实际居住地址",
        "地址",
    ),
    "household_number": ("household_number", "户号", "户编号", "户籍户号"),
    "relation": ("relation", "与户主关系", "家庭关系"),
}

#: The template's header: one recognised name per field.
TEMPLATE_HEADERS = {
    "name": "姓名",
    "identity_number": "公民身份号码",
    "sex": "性别",
    "birth_date": "出生日期",
    "phone": "联系电话",
    "address": "住址",
    "household_number": "户号",
    "relation": "与户主关系",
}

#: At most this many changes are kept on the load to show (all are in the persons' history).
CHANGES_KEPT = 200
BATCH = 50_000


class RegisterFileError(ValueError):
    """A file that cannot be loaded as a register extract; the message says why."""


def register_dir(kind: str = "") -> Path:
    """The register's working folder (uploads, error files) under the data directory."""
    path = Path(settings.DATA_DIR) / "register"
    if kind:
        path = path / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def error_file_path(load: RegisterLoad) -> Path | None:
    return register_dir() / load.error_file if load.error_file else None


def can_load(user) -> bool:
    """Data staff: change persons and see identity numbers."""
    return has_capability(user, "edit_person") and has_capability(user, "view_identity")


def _require_loader(acting_user) -> str:
    """The loader's jurisdiction path ('' for the whole city)."""
    if isinstance(acting_user, SystemActor):
        return ""
    if not can_load(acting_user):
        raise PermissionDenied(_("Loading the register needs data staff's rights."))
    path = root_path(acting_user)
    if path is None:
        raise PermissionDenied(_("You have no jurisdiction."))
    return path


def file_format(filename: str) -> str:
    fmt = Path(filename).suffix.lower().lstrip(".")
    if fmt not in tabular.FORMATS:
        raise RegisterFileError(
            _("A register extract is an xlsx, xls or csv file, not %(name)s.") % {"name": filename}
        )
    return fmt


# Reading ------------------------------------------------------------------


@contextlib.contextmanager
def _opened(file: str | Path | IO[bytes]) -> Iterator[IO[bytes]]:
    """A binary handle on ``file``: opened here (and closed) for a path."""
    if isinstance(file, str | Path):
        with open(file, "rb") as fh:
            yield fh
    else:
        yield file


def _read_cells(fh: IO[bytes], fmt: str) -> tuple[pl.DataFrame, str]:
    """Every row of the file as text columns ``c0, c1 …`` (no header taken), and the encoding."""
    try:
        if fmt == "csv":
            encoding = tabular.detect_encoding(fh)
            data = fh.read()
            if encoding not in ("utf-8", "utf-8-sig"):
                data = data.decode(encoding).encode()
            elif data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            if not data.strip():
                return pl.DataFrame(), encoding
            frame = pl.read_csv(
                data,
                has_header=False,
                infer_schema=False,
                truncate_ragged_lines=True,
                encoding="utf8",
            )
        else:
            rows, encoding, _total = tabular.open_rows(fh, fmt)
            body = [[tabular.cell_text(c) for c in r] for r in rows]
            width = max((len(r) for r in body), default=0)
            frame = pl.DataFrame(
                [(r + [""] * width)[:width] for r in body],
                schema=[f"column_{i + 1}" for i in range(width)],
                orient="row",
            )
    except tabular.TableFileError as error:
        raise RegisterFileError(str(error)) from None
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as error:
        raise RegisterFileError(
            _("The file cannot be read as a table: %(error)s") % {"error": error}
        ) from None
    frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
    return frame, encoding


def _is_header(row: list[str], mapping: dict[str, str]) -> bool:
    found = columns.recognise(row, FIELDS, ALIASES, mapping)
    return "name" in found and "identity_number" in found


def _find_header(cells: pl.DataFrame, mapping: dict[str, str]) -> tuple[list[str], int]:
    """The header row among the first rows and its index (0-based)."""
    head = cells.head(columns.HEADER_SEARCH_ROWS).rows()
    for i, row in enumerate(head):
        texts = [tabular.cell_text(c) for c in row]
        if _is_header(texts, mapping):
            return texts, i
    if not head:
        raise RegisterFileError(_("The file is empty: it has no header row."))
    _map_columns([tabular.cell_text(c) for c in head[0]], mapping)  # names what is missing
    raise RegisterFileError(
        _("No header row in the first %(count)d rows: map the columns before loading.")
        % {"count": columns.HEADER_SEARCH_ROWS}
    )


def _map_columns(header: list[str], mapping: dict[str, str]) -> dict[str, int]:
    for field_name, wanted in columns.missing_mapped(header, FIELDS, mapping):
        raise RegisterFileError(
            _("The column %(header)s that the mapping names for %(field)s is not in the file.")
            % {"header": wanted, "field": FIELDS[field_name]}
        )
    found = columns.recognise(header, FIELDS, ALIASES, mapping)
    missing = [str(FIELDS[f]) for f in REQUIRED if f not in found]
    if missing:
        raise RegisterFileError(
            _("The file has no column for: %(fields)s. Map the columns before loading.")
            % {"fields": ", ".join(missing)}
        )
    return found


def preview_columns(
    file: IO[bytes] | str | Path, *, filename: str, mapping: dict[str, str] | None = None
) -> dict[str, Any]:
    """What a load of ``file`` would read: each column and its field, the
    columns not read, and the refusal if the file cannot be loaded. Writes nothing."""
    fmt = file_format(filename)
    with _opened(file) as fh:
        cells, encoding = _read_cells(fh, fmt)
    try:
        header, number = _find_header(cells, mapping or {})
        found = _map_columns(header, mapping or {})
        problem = ""
    except RegisterFileError as error:
        # Shown as the first row reads, with what it lacks.
        first = cells.head(1).rows()
        header = [tabular.cell_text(c) for c in first[0]] if first else []
        number, problem = 0, str(error)
        found = columns.recognise(header, FIELDS, ALIASES, mapping or {})
    by_index = {i: f for f, i in found.items()}
    return {
        "encoding": encoding,
        "header_row": number + 1,
        "columns": [
            {
                "header": h,
                "field": by_index.get(i, ""),
                "label": str(FIELDS[by_index[i]]) if i in by_index else "",
            }
            for i, h in enumerate(header)
            if h
        ],
        "unmapped": columns.unread(header, found),
        "problem": problem,
    }


def _rows_frame(cells: pl.DataFrame, header_at: int, found: dict[str, int]) -> pl.DataFrame:
    """The data rows: ``line`` (the row number in the file) and one text column per field."""
    body = cells.slice(header_at + 1).with_row_index("line", offset=header_at + 2)
    picked = [
        (
            pl.col(f"c{found[f]}").str.replace_all(r"[\x00-\x1f\x7f]", " ").str.strip_chars()
            if f in found
            else pl.lit(None, pl.String)
        ).alias(f)
        for f in FIELDS
    ]
    frame = body.select(pl.col("line").cast(pl.Int64), *picked)
    frame = frame.with_columns(
        [pl.when(pl.col(f) == "").then(None).otherwise(pl.col(f)).alias(f) for f in FIELDS]
    )
    return frame.filter(pl.any_horizontal([pl.col(f).is_not_null() for f in FIELDS]))


# Checking -----------------------------------------------------------------


def _identity_numbers(values: pl.Series) -> pl.Series:
    """Numbers as written, cleaned: an apostrophe or tab before them, spaces,
    full-width digits; a 15-digit first-generation number in its 18-character form."""
    cleaned = (
        values.str.replace_many(list("０１２３４５６７８９ｘＸx"), list("0123456789XXX"))
        .str.replace_all(r"[\s'‘’`]", "")
        .replace("", None)
    )
    fifteen = cleaned.str.contains(r"^\d{15}$").fill_null(False)
    if fifteen.any():
        converted = {v: fifteen_to_eighteen(v) for v in cleaned.filter(fifteen).unique().to_list()}
        cleaned = pl.select(
            pl.when(pl.lit(fifteen))
            .then(pl.lit(cleaned).replace_strict(converted, default=None))
            .otherwise(pl.lit(cleaned))
        ).to_series()
    return cleaned.alias("identity_number")


def _normalised(rows: pl.DataFrame) -> pl.DataFrame:
    from zhanyi.engine.linkage import normalise_records

    frame = rows.with_columns(_identity_numbers(rows["identity_number"]))
    norm = normalise_records(frame.with_columns(pl.col("identity_number").alias("id_number"))).drop(
        "id_number"
    )
    phone = pl.col("phone_norm")
    return norm.with_columns(
        # Stored as the person index stores phones (E.164).
        pl.when(phone.is_null())
        .then(None)
        .otherwise(pl.lit("+86") + phone.str.strip_chars_start("0"))
        .alias("phone_e164"),
        pl.col("name").str.replace_all(r"\s+", " ").str.slice(0, 100).alias("name_clean"),
        pl.col("address").str.replace_all(r"\s+", " ").str.slice(0, 255).alias("address_clean"),
    )


def _resolve_villages(frame: pl.DataFrame) -> pl.DataFrame:
    """``village_code`` of each row's address (the gazetteer over the area tree
    and places), each distinct address once."""
    from zhanyi.engine.linkage.address import Gazetteer

    distinct = frame["address_clean"].drop_nulls().unique()
    if distinct.len() == 0:
        return frame.with_columns(pl.lit(None, pl.String).alias("village_code"))
    resolved = Gazetteer(linkage.areas_frame(), linkage.places_frame()).resolve(distinct)
    villages = resolved.select(
        pl.col("address").alias("address_clean"), pl.col("village_code")
    ).unique("address_clean")
    return frame.join(villages, on="address_clean", how="left")


def _problems(frame: pl.DataFrame, path: str, areas: dict[str, tuple[int, str]]) -> pl.DataFrame:
    """``errors`` and ``warnings`` (lists of text) of every row."""
    first_line = frame.group_by("id_norm").agg(pl.col("line").min().alias("_first"))
    frame = frame.join(first_line, on="id_norm", how="left")
    outside = {
        code for code, (_pk, area_path) in areas.items() if path and not area_path.startswith(path)
    }
    msg = {
        "no_name": _("The name is missing."),
        "no_id": _("The identity number is missing."),
        "bad_id": _(
            "The identity number is not valid (18 characters, a real birth date and the "
            "right check character)."
        ),
        "outside": _("The address names no village of your jurisdiction."),
        # {} stands for the earlier row's number (a Polars format).
        "again": _("The identity number is on row %(row)s already; this row is not stored.")
        % {"row": "{}"},
        "no_village": _("The address names no village of the city: stored without a household."),
        "birth": _("The birth date disagrees with the identity number's: the number's is used."),
    }
    birth_given = pl.col("birth_date_given")
    errors = pl.concat_list(
        pl.when(pl.col("name_clean").is_null())
        .then(pl.lit([msg["no_name"]]))
        .otherwise(pl.lit([], pl.List(pl.String))),
        pl.when(pl.col("identity_number").is_null())
        .then(pl.lit([msg["no_id"]]))
        .when(~pl.col("id_valid"))
        .then(pl.lit([msg["bad_id"]]))
        .otherwise(pl.lit([], pl.List(pl.String))),
        pl.when(pl.col("id_valid") & (pl.col("_first") < pl.col("line")))
        .then(pl.concat_list(pl.format(msg["again"], pl.col("_first"))))
        .otherwise(pl.lit([], pl.List(pl.String))),
        pl.when(
            pl.col("village_code").is_in(list(outside))
            | (
                pl.lit(bool(path))
                & pl.col("village_code").is_null()
                & pl.col("address_clean").is_not_null()
            )
        )
        .then(pl.lit([msg["outside"]]))
        .otherwise(pl.lit([], pl.List(pl.String))),
    )
    warnings = pl.concat_list(
        pl.when(pl.col("village_code").is_null() & pl.lit(not path))
        .then(pl.lit([msg["no_village"]]))
        .otherwise(pl.lit([], pl.List(pl.String))),
        pl.when(
            birth_given.is_not_null()
            & pl.col("id_birth_date").is_not_null()
            & (birth_given != pl.col("id_birth_date"))
        )
        .then(pl.lit([msg["birth"]]))
        .otherwise(pl.lit([], pl.List(pl.String))),
    )
    return frame.with_columns(errors.alias("errors"), warnings.alias("warnings")).drop("_first")


# Linking ------------------------------------------------------------------


def _link(good: pl.DataFrame) -> tuple[pl.DataFrame, Path]:
    """``line, person_id, decision, candidates`` for the good rows, and the
    snapshot of the index they were linked against."""
    from zhanyi.engine.linkage import link
    from zhanyi.engine.linkage.normalise import NORMALISED_COLUMNS

    # Normalised once, in the check: ``link`` takes the columns as they are.
    records = good.select(
        pl.col("line").alias("record_key"),
        pl.col("name"),
        pl.col("identity_number").alias("id_number"),
        pl.col("phone"),
        pl.col("birth_date"),
        pl.col("sex"),
        pl.col("address"),
        pl.col("village_code"),
        pl.col("birth_date_given"),
        *NORMALISED_COLUMNS,
    )
    index_path = linkage.person_index_path()
    if pq.read_metadata(index_path).num_rows < 2:
        # An empty index (a city's first day): everyone is new.
        return good.select(
            "line",
            pl.lit(None, pl.Int64).alias("person_id"),
            pl.lit("new").alias("decision"),
            pl.lit([], pl.List(pl.Int64)).alias("candidates"),
        ), index_path
    model = linkage.linkage_model(index_path)
    # Each row has an identity number of its own (a second row of a number is
    # refused in the check): no two rows are one person, so no clusters.
    result = link(records, index_path, model, clusters=False)
    return result.select(
        pl.col("record_key").alias("line"),
        "person_id",
        "decision",
        pl.col("candidates").cast(pl.List(pl.Int64)),
    ), index_path


def household_external_id(key: str) -> int:
    return -int(hashlib.sha256(f"register-household:{key}".encode()).hexdigest()[:15], 16)


# Storing ------------------------------------------------------------------

_PERSON_SCHEMA = {
    "person_id": pl.Int64,
    "p_name": pl.String,
    "p_identity": pl.String,
    "p_sex": pl.String,
    "p_birth": pl.Date,
    "p_phone": pl.String,
    "p_address": pl.String,
    "p_village": pl.Int64,
    "p_household": pl.Int64,
}


def _current(person_ids: list[int], index_path: Path, areas: dict[str, tuple[int, str]]):
    """The linked persons as the index holds them now: from the snapshot of
    the live persons the rows were linked against (``linkage.person_index_path``,
    read in this transaction), not from a second read of the whole table."""
    if not person_ids:
        return pl.DataFrame(schema=_PERSON_SCHEMA)
    village_pk = {code: pk for code, (pk, _path) in areas.items()}
    index = pl.read_parquet(
        index_path,
        columns=[
            "person_id",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "address",
            "village_code",
            "household_id",
        ],
    )
    # The snapshot holds empty text as null; the table holds it as "".
    return (
        index.join(
            pl.DataFrame({"person_id": person_ids}, schema={"person_id": pl.Int64}),
            on="person_id",
            how="semi",
        )
        .select(
            pl.col("person_id"),
            pl.col("name").fill_null("").alias("p_name"),
            pl.col("id_number").fill_null("").alias("p_identity"),
            pl.col("sex").fill_null("").alias("p_sex"),
            pl.col("birth_date").alias("p_birth"),
            pl.col("phone").fill_null("").alias("p_phone"),
            pl.col("address").fill_null("").alias("p_address"),
            pl.col("village_code")
            .replace_strict(village_pk, default=None, return_dtype=pl.Int64)
            .alias("p_village"),
            pl.col("household_id").alias("p_household"),
        )
        .cast(pl.Schema(_PERSON_SCHEMA))
    )


def _adopted(frame: pl.DataFrame, keys: list[str]) -> dict[str, int]:
    """Households of the index the register's ``keys`` are: a linked person's
    household at the same address (a household the city loaded before the register)."""
    rows = frame.filter(
        pl.col("household_key").is_in(keys) & pl.col("p_household").is_not_null()
    ).select("household_key", "p_household", "address_clean")
    if rows.height == 0:
        return {}
    addresses: dict[int, str] = {}
    ids = rows["p_household"].unique().to_list()
    for qs in bulk.where_in(Household.objects.all(), "id", ids, "bigint"):
        addresses.update(qs.values_list("id", "address"))
    rows = rows.with_columns(
        pl.col("p_household")
        .replace_strict(addresses, default=None, return_dtype=pl.String)
        .alias("_h_address")
    ).filter(pl.col("_h_address") == pl.col("address_clean"))
    first = rows.unique("household_key", keep="first", maintain_order=True)
    return dict(zip(first["household_key"].to_list(), first["p_household"].to_list(), strict=True))


def _households(frame: pl.DataFrame, areas: dict[str, tuple[int, str]]) -> tuple[pl.DataFrame, int]:
    """``household_pk`` and ``village_pk`` on each row with a village: the
    household of its household number, else of its address: one the register
    made before, else the household a linked person lives in at that address,
    else a new one."""
    village_pk = {code: pk for code, (pk, _path) in areas.items()}
    frame = frame.with_columns(
        pl.col("village_code")
        .replace_strict(village_pk, default=None, return_dtype=pl.Int64)
        .alias("village_pk"),
        pl.when(pl.col("village_code").is_null())
        .then(None)
        .when(pl.col("household_number").is_not_null())
        .then(pl.lit("no:") + pl.col("household_number"))
        .otherwise(pl.lit("addr:") + pl.col("village_code") + pl.lit(":") + pl.col("address_norm"))
        .alias("household_key"),
    )
    keys = frame.filter(pl.col("household_key").is_not_null()).unique(
        "household_key", keep="first", maintain_order=True
    )
    ext = {k: household_external_id(k) for k in keys["household_key"].to_list()}
    by_ext: dict[int, int] = {}
    for qs in bulk.where_in(Household.objects.all(), "external_id", list(ext.values()), "bigint"):
        by_ext.update(qs.values_list("external_id", "pk"))
    key_pk = {k: by_ext[e] for k, e in ext.items() if e in by_ext}
    key_pk |= _adopted(frame, [k for k in ext if k not in key_pk])
    new = keys.filter(~pl.col("household_key").is_in(list(key_pk)))
    if new.height:
        ids = bulk.reserve_ids(Household, new.height)
        rows = [
            (pk, ext[k], address, village, None, None, None)
            for pk, k, address, village in zip(
                ids, new["household_key"], new["address_clean"], new["village_pk"], strict=True
            )
        ]
        bulk.insert_many(
            Household, ("id", "external_id", "address", "village", "grid", "place", "cell_id"), rows
        )
        key_pk |= dict(zip(new["household_key"].to_list(), ids, strict=True))
    frame = frame.with_columns(
        pl.col("household_key")
        .replace_strict(key_pk, default=None, return_dtype=pl.Int64)
        .alias("household_pk")
    )
    return frame, new.height


_CHANGE_FIELDS = (
    "person",
    "kind",
    "changes",
    "reason",
    "changed_by",
    "changed_by_name",
    "changed_at",
)
_UPDATE_FIELDS = (
    "id",
    "name",
    "identity_number",
    "sex",
    "birth_date",
    "phone",
    "address",
    "village",
    "household",
    "updated_at",
)


def _payload(kind: str) -> pl.Expr:
    """Each row as received, as JSON text: the fields it gives (an empty cell
    is left out), the register and the row's number in the file."""
    given = pl.struct(
        *(pl.col(f) for f in FIELDS), pl.lit(kind).alias("register"), pl.col("line").alias("row")
    ).struct.json_encode()
    # A field not given is left out: every key but the last two may be null,
    # and a quote inside a value is escaped, so this matches keys only.
    return given.str.replace_all(r'"[a-z_]+":null,', "")


class _Writer:
    """The load's writes, batch by batch."""

    def __init__(self, load: RegisterLoad, acting_user, areas: dict[str, tuple[int, str]]) -> None:
        self.load = load
        self.now = timezone.now()
        user = actor_user(acting_user)
        self.user_id = user.pk if user is not None else None
        self.user_name = (
            acting_user.name if isinstance(acting_user, SystemActor) else acting_user.get_username()
        )
        self.ref = f"register:{load.pk}"
        self.reason = _("Population register, load %(id)d") % {"id": load.pk}
        self.village_label = {pk: f"{code}" for code, (pk, _path) in areas.items()}
        self.history = bulk.Inserter(PersonChange, _CHANGE_FIELDS)
        self.changes: list[dict] = []

    def _sources(self, rows: pl.DataFrame) -> None:
        """A source record of each row (``person_id``): the row as received."""
        bulk.copy_frame(
            SourceRecord,
            rows.select(
                pl.col("person_id").cast(pl.Int64),
                pl.lit(SourceRecord.Source.REGISTER.value).alias("source"),
                pl.lit(self.ref).alias("source_ref"),
                _payload(self.load.kind).alias("payload"),
                pl.lit(self.now, bulk.TIMESTAMP).alias("received_at"),
                pl.lit(self.user_id, pl.Int64).alias("received_by_id"),
            ),
        )

    def new_persons(self, rows: pl.DataFrame) -> None:
        """Write the rows as new persons with their source records, a frame at a
        time (COPY on PostgreSQL): no Python per row but the external id."""
        if rows.height == 0:
            return
        ids = bulk.reserve_ids(Person, rows.height)
        numbers = rows["id_norm"].to_list()
        rows = rows.with_columns(pl.Series("person_id", ids, pl.Int64))
        sex = pl.col("sex_norm")
        bulk.copy_frame(
            Person,
            rows.select(
                pl.col("person_id").alias("id"),
                pl.Series("external_id", [person_external_id(n) for n in numbers], pl.Int64),
                pl.lit("resident_id").alias("identity_type"),
                pl.col("id_norm").alias("identity_number"),
                pl.lit("CHN").alias("nationality"),
                pl.col("name_clean").alias("name"),
                pl.when(sex.is_null() | (sex == ""))
                .then(pl.lit("unknown"))
                .otherwise(sex)
                .alias("sex"),
                pl.col("birth_date_norm").alias("birth_date"),
                pl.col("phone_e164").fill_null("").alias("phone"),
                pl.col("address_clean").fill_null("").alias("address"),
                pl.col("village_pk").cast(pl.Int64).alias("village_id"),
                pl.col("household_pk").cast(pl.Int64).alias("household_id"),
                pl.lit(self.now, bulk.TIMESTAMP).alias("created_at"),
                pl.lit(self.now, bulk.TIMESTAMP).alias("updated_at"),
            ),
        )
        self._sources(rows)
        room = CHANGES_KEPT - len(self.changes)
        if room > 0:
            self.changes += [
                {"person": pk, "kind": "new", "row": line, "fields": []}
                for pk, line in zip(ids[:room], rows["line"].head(room).to_list(), strict=True)
            ]

    def updates(self, rows: pl.DataFrame) -> tuple[int, int]:
        """Write the changed and moved persons; return (changed, moved)."""
        changed = moved = 0
        updates, history, written = [], [], []
        for r in rows.iter_rows(named=True):
            diff: dict[str, list] = {}
            new = {
                "name": r["name_clean"] or r["p_name"],
                "identity_number": r["id_norm"] or r["p_identity"],
                "sex": r["sex_norm"] or r["p_sex"],
                "birth_date": r["birth_date_norm"] or r["p_birth"],
                "phone": r["phone_e164"] or r["p_phone"],
                "address": r["address_clean"] or r["p_address"],
                "village": r["village_pk"] or r["p_village"],
                "household": r["household_pk"] or r["p_household"],
            }
            old = {
                "name": r["p_name"],
                "identity_number": r["p_identity"],
                "sex": r["p_sex"],
                "birth_date": r["p_birth"],
                "phone": r["p_phone"],
                "address": r["p_address"],
                "village": r["p_village"],
                "household": r["p_household"],
            }
            for f in new:
                if new[f] != old[f] and not (f in ("household",) and new[f] is None):
                    a, b = old[f], new[f]
                    if f == "village":
                        a, b = self.village_label.get(a, a), self.village_label.get(b, b)
                    if isinstance(a, dt.date) or isinstance(b, dt.date):
                        a = a.isoformat() if a else a
                        b = b.isoformat() if b else b
                    diff[f] = [a, b]
            if not diff:
                continue
            is_move = any(f in diff for f in ("village", "household", "address"))
            moved += is_move
            changed += not is_move
            updates.append(
                (
                    r["person_id"],
                    new["name"],
                    new["identity_number"],
                    new["sex"],
                    new["birth_date"],
                    new["phone"],
                    new["address"],
                    new["village"],
                    new["household"],
                    self.now,
                )
            )
            history.append(
                (
                    r["person_id"],
                    PersonChange.Kind.UPDATED,
                    diff,
                    self.reason,
                    self.user_id,
                    self.user_name,
                    self.now,
                )
            )
            written.append(r["line"])
            if len(self.changes) < CHANGES_KEPT:
                self.changes.append(
                    {
                        "person": r["person_id"],
                        "kind": "moved" if is_move else "changed",
                        "row": r["line"],
                        "fields": sorted(diff),
                    }
                )
        bulk.update_many(Person, _UPDATE_FIELDS, updates)
        self.history.run(history)
        self._sources(rows.filter(pl.col("line").is_in(written)))
        return changed, moved


def _stage(note: str, done: int, progress: Progress | None, total=None) -> None:
    if progress:
        progress(done, total, note)


def do_load_register(
    file: str | Path | IO[bytes],
    *,
    filename: str,
    kind: str,
    acting_user,
    mapping: dict[str, str] | None = None,
    saved_mapping: RegisterMapping | None = None,
    load: RegisterLoad | None = None,
    progress: Progress | None = None,
) -> RegisterLoad:
    """Load one register extract; return its ``RegisterLoad`` (or the earlier
    load of the same file). ``mapping`` (field → header) maps this file's
    columns, over ``saved_mapping``'s. Raises ``RegisterFileError`` for a file
    that cannot be read as an extract (nothing stored), ``PermissionDenied``
    for a user who may not load it."""
    started = time.perf_counter()
    path = _require_loader(acting_user)
    if kind not in RegisterKind.values:
        raise RegisterFileError(_("Unknown register %(kind)s.") % {"kind": kind})
    fmt = file_format(filename)
    with _opened(file) as fh:
        file_hash = tabular.hash_file(fh)
        earlier = (
            RegisterLoad.objects.filter(
                file_hash=file_hash, status=RegisterLoad.Status.DONE, repeat_of=None
            )
            .exclude(pk=load.pk if load else 0)
            .first()
        )
        if earlier is not None:
            audit.record(
                actor=acting_user,
                action="people.register.repeat",
                obj=earlier,
                detail={"filename": filename},
            )
            if load is not None:
                load.repeat_of = earlier
                load.status = RegisterLoad.Status.DONE
                load.file_hash = file_hash
                load.finished_at = timezone.now()
                load.save()
                return load
            return earlier
        wanted = {
            **((saved_mapping.column_mapping if saved_mapping else None) or {}),
            **(mapping or {}),
        }
        _stage(RegisterLoad.Stage.READING, 0, progress)
        cells, encoding = _read_cells(fh, fmt)
    header, header_at = _find_header(cells, wanted)
    found = _map_columns(header, wanted)
    rows = _rows_frame(cells, header_at, found)
    notes: list[str] = []
    if header_at:
        notes.append(
            _("The header is on row %(row)d; the %(count)d rows above it were skipped.")
            % {"row": header_at + 1, "count": header_at}
        )
    unread = columns.unread(header, found)
    if unread:
        notes.append(_("Columns not read: %(columns)s.") % {"columns": "、".join(unread)})
    n_rows = rows.height
    _stage(RegisterLoad.Stage.CHECKING, n_rows, progress, n_rows)
    frame = _resolve_villages(_normalised(rows))
    # A city's extract is millions of rows: each frame is let go once used.
    del rows
    areas = {code: (pk, p) for code, pk, p in Area.objects.values_list("code", "id", "path")}
    frame = _problems(frame, path, areas)
    error_path = register_dir("errors") / f"{file_hash}.xlsx"
    bad = frame.filter((pl.col("errors").list.len() > 0) | (pl.col("warnings").list.len() > 0))
    if bad.height:
        by_line = {
            line: (errs, warns)
            for line, errs, warns in bad.select("line", "errors", "warnings").iter_rows()
        }
        as_received = (
            cells.slice(header_at + 1)
            .with_row_index("line", offset=header_at + 2)
            .filter(pl.col("line").cast(pl.Int64).is_in(list(by_line)))
        )
        with ErrorFile(error_path, header) as errors:
            for line_no, *cells_row in as_received.iter_rows():
                errs, warns = by_line[line_no]
                errors.add(list(cells_row), list(errs), list(warns), line_no)
    del cells
    good = frame.filter(pl.col("errors").list.len() == 0)
    counts = {
        "rows_read": n_rows,
        "rows_invalid": bad.filter(pl.col("errors").list.len() > 0).height,
        "rows_warned": bad.filter(pl.col("errors").list.len() == 0).height,
        "unresolved": good.filter(pl.col("village_code").is_null()).height,
    }
    any_bad = bad.height > 0
    del frame, bad
    _stage(RegisterLoad.Stage.STORING, n_rows, progress, n_rows)
    try:
        return _store(
            load,
            good,
            kind=kind,
            filename=filename,
            file_hash=file_hash,
            fmt=fmt,
            encoding=encoding,
            mapping=mapping or {},
            saved_mapping=saved_mapping,
            acting_user=acting_user,
            counts=counts,
            error_path=error_path if any_bad else None,
            notes=notes,
            started=started,
            progress=progress,
        )
    except BaseException:
        if any_bad:
            error_path.unlink(missing_ok=True)
        raise


def _differs(joined: pl.DataFrame) -> pl.Expr:
    """A linked row that says something the index does not hold (an empty cell says nothing)."""

    def given_and_other(new: str, old: str) -> pl.Expr:
        return pl.col(new).is_not_null() & pl.col(new).ne_missing(pl.col(old))

    return (
        given_and_other("name_clean", "p_name")
        | given_and_other("id_norm", "p_identity")
        | given_and_other("sex_norm", "p_sex")
        | given_and_other("birth_date_norm", "p_birth")
        | given_and_other("phone_e164", "p_phone")
        | given_and_other("address_clean", "p_address")
        | given_and_other("village_pk", "p_village")
        | given_and_other("household_pk", "p_household")
    )


def _review_values(r: dict[str, Any]) -> dict[str, Any]:
    out = {f: r.get(f) for f in FIELDS}
    out["identity_number"] = r.get("id_norm") or r.get("identity_number")
    out["village_code"] = r.get("village_code")
    return out


@transaction.atomic
def _store(
    load: RegisterLoad | None,
    good: pl.DataFrame,
    *,
    kind: str,
    filename: str,
    file_hash: str,
    fmt: str,
    encoding: str,
    mapping: dict[str, str],
    saved_mapping: RegisterMapping | None,
    acting_user,
    counts: dict[str, int],
    error_path: Path | None,
    notes: list[str],
    started: float,
    progress: Progress | None = None,
) -> RegisterLoad:
    user = actor_user(acting_user)
    n_rows = counts["rows_read"]
    if load is None:
        load = RegisterLoad(kind=kind, filename=filename[:255])
    load.kind = kind
    load.mapping = saved_mapping
    load.column_mapping = mapping
    load.file_hash = file_hash
    load.file_format = fmt
    load.encoding = encoding
    load.received_by = user
    load.received_by_name = (
        acting_user.name if isinstance(acting_user, SystemActor) else acting_user.get_username()
    )
    load.save()
    areas = {code: (pk, p) for code, pk, p in Area.objects.values_list("code", "id", "path")}
    writer = _Writer(load, acting_user, areas)
    new = changed = moved = unchanged = linked = review = households_new = 0
    if good.height:
        _stage(RegisterLoad.Stage.LINKING, n_rows, progress, n_rows)
        decisions, index_path = _link(good)
        _stage(RegisterLoad.Stage.HOUSEHOLDS, n_rows, progress, n_rows)
        frame = good.join(decisions, on="line", how="left")
        links = frame.filter(pl.col("decision") == "link")
        current = _current(links["person_id"].unique().to_list(), index_path, areas)
        frame = frame.join(current, on="person_id", how="left")
        frame, households_new = _households(frame, areas)
        linked_rows = frame.filter(pl.col("decision") == "link").sort("line")
        # One person named by two rows: the second waits for a person to decide.
        twice = linked_rows.filter(
            pl.col("person_id").is_duplicated() & ~pl.col("person_id").is_first_distinct()
        )
        # A person merged away since the snapshot has no current row: to review too.
        gone = linked_rows.filter(pl.col("p_name").is_null())
        to_review = pl.concat(
            [
                frame.filter(pl.col("decision") == "review"),
                pl.concat([twice, gone]).with_columns(
                    pl.concat_list(pl.col("person_id")).alias("candidates")
                ),
            ],
            how="diagonal_relaxed",
        ).unique("line", keep="first")
        joined = linked_rows.join(to_review.select("line"), on="line", how="anti")
        linked = joined.height
        differing = joined.filter(_differs(joined))
        _stage(RegisterLoad.Stage.CHANGES, n_rows, progress, n_rows)
        for start in range(0, differing.height, BATCH):
            c, m = writer.updates(differing.slice(start, BATCH))
            changed += c
            moved += m
        unchanged = linked - changed - moved
        new_rows = frame.filter(pl.col("decision") == "new")
        _stage(RegisterLoad.Stage.NEW, n_rows, progress, n_rows)
        for start in range(0, new_rows.height, BATCH):
            writer.new_persons(new_rows.slice(start, BATCH))
        new = new_rows.height
        village_pk = {code: pk for code, (pk, _p) in areas.items()}
        RegisterReview.objects.bulk_create(
            [
                RegisterReview(
                    load=load,
                    row_number=r["line"],
                    values=json.loads(json.dumps(_review_values(r), default=str)),
                    candidates=[int(c) for c in (r["candidates"] or [])][:5],
                    village_id=village_pk.get(r["village_code"] or ""),
                )
                for r in to_review.iter_rows(named=True)
            ],
            batch_size=2000,
        )
        review = to_review.height
    load.rows_read = counts["rows_read"]
    load.rows_invalid = counts["rows_invalid"]
    load.rows_warned = counts["rows_warned"]
    load.unresolved = counts["unresolved"]
    load.new, load.changed, load.moved, load.unchanged = new, changed, moved, unchanged
    load.linked, load.review, load.households_new = linked, review, households_new
    load.error_file = str(error_path.relative_to(register_dir())) if error_path else ""
    load.notes = notes
    load.changes = writer.changes
    load.status = RegisterLoad.Status.DONE
    load.stage = ""
    load.message = ""
    load.rows_done = counts["rows_read"]
    load.finished_at = timezone.now()
    load.seconds = round(time.perf_counter() - started, 1)
    load.path = ""
    load.save()
    audit.record(
        actor=acting_user,
        action="people.register.load",
        obj=load,
        detail={
            "register": kind,
            "filename": filename,
            "rows_read": load.rows_read,
            "rows_invalid": load.rows_invalid,
            "new": new,
            "changed": changed,
            "moved": moved,
            "unchanged": unchanged,
            "linked": linked,
            "review": review,
            "households_new": households_new,
        },
    )
    return load


@transaction.atomic
def do_save_mapping(name: str, mapping: dict[str, str], *, acting_user) -> RegisterMapping:
    """Save (or replace) the column mapping ``name``: field → header."""
    _require_loader(acting_user)
    name = " ".join(str(name).split())
    if not name:
        raise RegisterFileError(_("A mapping needs a name."))
    unknown = [f for f in mapping if f not in FIELDS]
    if unknown:
        raise RegisterFileError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    clean = {f: str(h).strip() for f, h in mapping.items() if str(h).strip()}
    saved, _created = RegisterMapping.objects.update_or_create(
        name=name[:100],
        defaults={"column_mapping": clean, "updated_by": actor_user(acting_user)},
    )
    audit.record(
        actor=acting_user,
        action="people.register.mapping",
        obj=saved,
        detail={"mapping": clean},
    )
    return saved


@transaction.atomic
def do_decide_register_review(
    review: RegisterReview, *, person_id: int | None, acting_user, request=None
) -> RegisterReview:
    """Decide a register row the model could not: ``person_id`` (one of its
    candidates) is the person, whose data the row updates; ``None``: a new
    person. Refused when decided already, or when the row's identity number
    belongs to another person of the index."""
    path = _require_loader(acting_user)
    review = (
        RegisterReview.objects.select_for_update(of=("self",))
        .select_related("village", "load")
        .get(pk=review.pk)
    )
    if path and (review.village is None or not review.village.path.startswith(path)):
        raise PermissionDenied(_("This row lies outside your jurisdiction."))
    if review.status != RegisterReview.Status.PENDING:
        raise RegisterFileError(_("This row has been decided already."))
    values = review.values
    number = values.get("identity_number") or ""
    holder = Person.objects.filter(merged_into=None, identity_number=number).exclude(
        pk=person_id or 0
    )
    if number and holder.exists():
        raise RegisterFileError(
            _("The identity number belongs to another person of the index; link the row to them.")
        )
    now = timezone.now()
    user = actor_user(acting_user)
    fields = {
        "name": values.get("name") or "",
        "identity_number": number,
        "phone": values.get("phone") or "",
        "address": values.get("address") or "",
        "village": review.village,
    }
    if person_id is not None:
        if person_id not in review.candidates:
            raise RegisterFileError(_("Choose one of the row's candidates."))
        person = Person.objects.select_for_update().get(pk=person_id, merged_into=None)
        changes = {
            f: [str(getattr(person, f) or ""), str(v or "")]
            for f, v in fields.items()
            if v and getattr(person, f) != v
        }
        for f, v in fields.items():
            if v:
                setattr(person, f, v)
        person.save()
        review.status = RegisterReview.Status.LINKED
        if changes:
            PersonChange.objects.create(
                person=person,
                kind=PersonChange.Kind.UPDATED,
                changes=changes,
                reason=_("Population register, load %(id)d") % {"id": review.load_id},
                changed_by=user,
                changed_by_name=load_actor_name(acting_user),
            )
    else:
        person = Person.objects.create(
            external_id=person_external_id(number) if number else None,
            identity_number=number,
            nationality="CHN",
            **{f: v for f, v in fields.items() if f != "identity_number"},
        )
        review.status = RegisterReview.Status.CREATED
    SourceRecord.objects.create(
        person=person,
        source=SourceRecord.Source.REGISTER,
        source_ref=f"register:{review.load_id}",
        payload={**values, "row": review.row_number},
        received_by=user,
    )
    review.person = person
    review.decided_by = user
    review.decided_at = now
    review.save()
    audit.record(
        actor=acting_user,
        action="people.register.review",
        obj=review,
        detail={"decision": review.status, "person": person.pk},
        request=request,
        area=review.village,
    )
    return review


def load_actor_name(acting_user) -> str:
    if isinstance(acting_user, SystemActor):
        return acting_user.name
    return acting_user.get_username()
