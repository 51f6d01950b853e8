"""Doses in bulk from the immunisation system's exports (免疫规划信息系统导出).

A file (CSV in any encoding staff send, xlsx, xls) is read into a Polars frame
(``zhanyi.core.tabular`` for the encodings and spreadsheets), its columns found
by their Chinese or English headers, each row checked, and its person found in
the person index by identity number, as screening's intake links push records.
Nothing is dropped without a word: every row not stored is counted and
reported with its line and the reason (the first ``MAX_PROBLEMS`` in full):

- a number that the index does not hold: a new person when the import says so
  (``create_unknown``, through the person index's bulk import), else a row of
  "not in the person index";
- a dose the person has already, in the database or on an earlier line of the
  file: a duplicate row naming that line or that dose;
- unreadable numbers, times, vaccines; doses beyond the vaccine's course.

The rows that pass are written by ``zhanyi.core.db.bulk.copy_frame`` (COPY on
PostgreSQL), sorted by person, and added to the coverage tallies
(``tallies.add_imported``), in one transaction with the import's record.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import IO, Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit, tabular
from zhanyi.core.actors import actor_name
from zhanyi.core.audit import SystemActor
from zhanyi.core.db import bulk
from zhanyi.core.jurisdiction import root_path
from zhanyi.core.masking import mask_identity_number, mask_name
from zhanyi.engine.identity import IdentityNumberError, parse_resident_id
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.actions import do_import_persons
from zhanyi.people.models import Person, SourceRecord
from zhanyi.places.models import Area
from zhanyi.vaccination.models import Dose, DoseImport, DoseSource, Site, Vaccine
from zhanyi.vaccination.rules import rules

from . import tallies
from .common import require

#: Header (lower case, no spaces) → column: the immunisation system's Chinese
#: headers and plain English ones.
HEADERS = {
    "name": ("姓名", "受种者姓名", "受种者", "name"),
    "identity_number": (
        "身份证号",
        "身份证号码",
        "证件号码",
        "公民身份号码",
        "identity_number",
        "idnumber",
    ),
    "vaccine": ("疫苗名称", "疫苗", "疫苗种类", "vaccine"),
    "maker": ("生产企业", "生产厂家", "疫苗厂家", "maker"),
    "dose_number": ("剂次", "接种剂次", "针次", "dose", "dose_number"),
    "batch": ("批号", "疫苗批号", "batch"),
    "site": ("接种单位", "接种点", "接种门诊", "site"),
    "given_at": ("接种时间", "接种日期", "given_at", "time"),
}
REQUIRED = ("identity_number", "dose_number", "given_at")
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
)
MAX_PROBLEMS = 1000
#: Rows written per COPY.
COPY_BATCH = 500_000


def _key(text: str) -> str:
    return "".join(str(text).lower().split()).lstrip("\ufeff")


_HEADER_OF = {_key(alias): column for column, aliases in HEADERS.items() for alias in aliases}


@dataclass
class _Problems:
    """Rows not stored, counted by kind, the first ``MAX_PROBLEMS`` kept in full."""

    rows: list[dict[str, Any]]
    refused: int = 0
    duplicates: int = 0
    unknown: int = 0

    def add(self, kind: str, frame: pl.DataFrame, column: str, reason) -> None:
        """Count ``frame``'s rows as ``kind``; ``reason(row)`` says why for the first ones."""
        setattr(self, kind, getattr(self, kind) + frame.height)
        room = MAX_PROBLEMS - len(self.rows)
        for row in frame.head(max(room, 0)).iter_rows(named=True):
            self.rows.append({"line": row["line"], "column": column, "reason": reason(row)})


def _who(row: dict[str, Any]) -> str:
    """A row's person as a problem names them: the masked name, else the masked number."""
    return mask_name(row["name"]) if row["name"] else mask_identity_number(row["identity_number"])


def _refuse_file(message: str) -> ValidationError:
    return ValidationError({"file": message})


def read_export(fh: IO[bytes], fmt: str) -> pl.DataFrame:
    """The file as a frame of text columns named as ``HEADERS``, with each
    row's ``line`` in the file. A file without the needed columns is refused."""
    fmt = fmt.lower().lstrip(".")
    try:
        if fmt == "csv":
            fh.seek(0)
            data = fh.read()
            try:
                # Most exports are UTF-8, which Polars checks as it reads: the
                # file is decoded in Python only when it is not.
                frame = pl.read_csv(data, infer_schema=False, encoding="utf8")
            except pl.exceptions.PolarsError:
                encoding = tabular.detect_encoding(fh)
                if encoding in ("utf-8", "utf-8-sig"):
                    raise
                data = data.decode(encoding).encode()
                frame = pl.read_csv(data, infer_schema=False, encoding="utf8")
        else:
            rows, _encoding, _n = tabular.open_rows(fh, fmt)
            header = [tabular.cell_text(c) for c in next(rows, [])]
            body = [
                [tabular.cell_text(c) for c in r] for r in rows if any(c is not None for c in r)
            ]
            width = len(header)
            frame = pl.DataFrame(
                [(r + [""] * width)[:width] for r in body],
                schema=[f"c{i}:{h}" for i, h in enumerate(header)],
                orient="row",
            ).rename(lambda c: c.split(":", 1)[1])
    except tabular.TableFileError as error:
        raise _refuse_file(str(error)) from None
    except (pl.exceptions.PolarsError, UnicodeDecodeError, StopIteration) as error:
        message = _("The file cannot be read as a table: %(error)s") % {"error": error}
        raise _refuse_file(message) from None
    names: dict[str, str] = {}
    for original in frame.columns:
        column = _HEADER_OF.get(_key(original))
        if column and column not in names.values():
            names[original] = column
    frame = frame.select([pl.col(o).alias(c) for o, c in names.items()])
    missing = [c for c in REQUIRED if c not in frame.columns]
    if "vaccine" not in frame.columns and "maker" not in frame.columns:
        missing.append("vaccine")
    if missing:
        raise _refuse_file(
            _("The file lacks the columns %(columns)s (headers such as %(examples)s).")
            % {
                "columns": ", ".join(missing),
                "examples": ", ".join(HEADERS[c][0] for c in missing),
            }
        )
    for column in HEADERS:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias(column))
    return frame.with_row_index("line", offset=2).with_columns(
        pl.col("line").cast(pl.Int64),
        *[pl.col(c).fill_null("").str.strip_chars() for c in HEADERS],
    )


def _by_value(frame: pl.DataFrame, columns: list[str], derived: list[pl.Expr]) -> pl.DataFrame:
    """``derived`` columns worked out once per distinct value of ``columns``
    and joined back: an export repeats a few vaccines, makers, dose numbers
    and sites over millions of rows. The rows keep their order."""
    table = frame.select(columns).unique().with_columns(derived)
    return frame.join(table, on=columns, how="left", maintain_order="left", nulls_equal=True)


def _patched(values: pl.Series, redo: pl.Series, fix) -> pl.Series:
    """``values`` with the rows where ``redo`` holds replaced by ``fix(rows)``
    (their row numbers): the slow tolerant work done on the few rows the
    fast vectorised one left."""
    rows = redo.arg_true()
    if rows.len() == 0:
        return values
    return values.clone().scatter(rows, fix(rows))


def _identity_numbers(numbers: pl.Series) -> pl.Series:
    """Numbers without spaces, in upper case (``x`` as the check digit):
    only the numbers with other characters than digits and ``X`` are cleaned."""
    return _patched(
        numbers,
        numbers.str.contains(r"[^0-9X]"),
        lambda rows: numbers.gather(rows).str.replace_all(r"\s", "").str.to_uppercase(),
    )


def _times(given: pl.Series) -> pl.Series:
    """The export's local times in UTC. The usual format (``TIME_FORMATS[0]``)
    is tried on every row in one vectorised pass, the others in turn only on
    the rows it cannot read; null where none reads the time."""

    def others(texts: pl.Series) -> pl.Series:
        return texts.to_frame().select(
            pl.coalesce(
                [
                    pl.col(texts.name).str.strptime(pl.Datetime("us"), f, strict=False)
                    for f in TIME_FORMATS[1:]
                ]
            )
        )[:, 0]

    naive = given.str.strptime(pl.Datetime("us"), TIME_FORMATS[0], strict=False)
    naive = _patched(
        naive, naive.is_null() & (given != ""), lambda rows: others(given.gather(rows))
    )
    return naive.dt.replace_time_zone(
        "Asia/Shanghai", ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")


def _parsed(frame: pl.DataFrame) -> pl.DataFrame:
    numerals = ["一", "二", "三", "四", "五"]
    frame = _by_value(
        frame,
        ["dose_number"],
        [
            pl.col("dose_number")
            .str.replace_many(numerals, ["1", "2", "3", "4", "5"])
            .str.extract(r"(\d+)", 1)
            .cast(pl.Int16, strict=False)
            .alias("dose")
        ],
    )
    return frame.with_columns(
        _identity_numbers(frame["identity_number"]), _times(frame["given_at"]).alias("time")
    )


def _vaccine_ids(frame: pl.DataFrame) -> pl.DataFrame:
    names: dict[str, int] = {}
    for v in Vaccine.objects.all():
        for n in [v.code, v.name, v.maker, *v.aliases]:
            if n:
                names.setdefault(_key(n), v.pk)
    lookup = pl.DataFrame(
        {"k": list(names), "vid": list(names.values())}, schema={"k": pl.Utf8, "vid": pl.Int64}
    )
    clean = pl.col("vaccine").str.to_lowercase().str.replace_all(r"\s", "")
    maker = pl.col("maker").str.to_lowercase().str.replace_all(r"\s", "")
    pairs = frame.select("vaccine", "maker").unique()
    pairs = pairs.with_columns(clean.alias("vk"), maker.alias("mk"))
    pairs = pairs.join(lookup, left_on="vk", right_on="k", how="left")
    pairs = pairs.join(lookup.rename({"vid": "mvid"}), left_on="mk", right_on="k", how="left")
    pairs = pairs.select("vaccine", "maker", pl.coalesce("vid", "mvid").alias("vaccine_id"))
    return frame.join(pairs, on=["vaccine", "maker"], how="left", maintain_order="left")


def _check_rows(frame: pl.DataFrame, problems: _Problems) -> pl.DataFrame:
    """Refuse the rows that say too little; what is left has a number, a dose,
    a time, a vaccine and a dose within the vaccine's course."""
    now = timezone.now()
    checks = [
        (pl.col("identity_number") == "", "identity_number", lambda r: _("No identity number.")),
        (
            pl.col("dose").is_null() | (pl.col("dose") < 1),
            "dose_number",
            lambda r: _("The dose %(value)s is not a dose number.") % {"value": r["dose_number"]},
        ),
        (
            pl.col("time").is_null(),
            "given_at",
            lambda r: _("The time %(value)s is not a date and time.") % {"value": r["given_at"]},
        ),
        (
            pl.col("time") > pl.lit(now),
            "given_at",
            lambda r: _("The time %(value)s is in the future.") % {"value": r["given_at"]},
        ),
        (
            pl.col("vaccine_id").is_null(),
            "vaccine",
            lambda r: (
                _("No vaccine called %(value)s.") % {"value": r["vaccine"] or r["maker"] or "—"}
            ),
        ),
    ]
    for condition, column, reason in checks:
        bad = frame.filter(condition)
        if bad.height:
            problems.add("refused", bad, column, reason)
            frame = frame.filter(~condition)
    rule = rules()
    courses = {v.pk: (v.name, v.code) for v in Vaccine.objects.all()}
    tops = pl.DataFrame(
        {
            "vaccine_id": list(courses),
            "top": [
                rule.max_dose(c) if c in rule.course_doses else 0 for _n, c in courses.values()
            ],
            "course": [rule.course_doses.get(c, 0) for _n, c in courses.values()],
        },
        schema={"vaccine_id": pl.Int64, "top": pl.Int16, "course": pl.Int16},
    )
    frame = frame.join(tops, on="vaccine_id", how="left", maintain_order="left")
    beyond = pl.col("dose") > pl.col("top")
    bad = frame.filter(beyond)
    if bad.height:
        problems.add(
            "refused",
            bad,
            "dose_number",
            lambda r: (
                _("%(vaccine)s is given in doses 1 to %(top)d, not %(dose)d.")
                % {"vaccine": courses[r["vaccine_id"]][0], "top": r["top"], "dose": r["dose"]}
            ),
        )
        frame = frame.filter(~beyond)
    return frame


PERSON_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "person_id": pl.Int64,
    "identity_number": pl.Utf8,
    "village_id": pl.Int64,
    "birth_date": pl.Date,
}


def _persons(numbers: pl.Series) -> pl.DataFrame:
    """Live persons of the index holding these identity numbers, found in the
    database (``bulk.read_matching``): the index is never read whole."""
    return bulk.read_matching(
        Person,
        ["id", "identity_number", "village_id", "birth_date"],
        PERSON_SCHEMA,
        key="identity_number",
        values=numbers,
        where="merged_into_id IS NULL AND identity_number <> ''",
    )


def external_id_for(number: str) -> int:
    """A person first known from a dose record: minus 60 bits of a digest of
    the number (negative: never an id of the city's registry)."""
    return -int(hashlib.sha256(f"vaccination:{number}".encode()).hexdigest()[:15], 16)


def _create_persons(rows: pl.DataFrame, *, acting_user, import_ref: str) -> dict[str, str]:
    """New persons for valid numbers the index lacks; number → why not made."""
    first = rows.unique("identity_number", keep="first", maintain_order=True)
    persons = []
    for r in first.iter_rows(named=True):
        parsed = parse_resident_id(r["identity_number"])
        persons.append(
            {
                "person_id": external_id_for(parsed.number),
                "identity_number": parsed.number,
                "name": r["name"],
                "sex": parsed.sex,
                "birth_date": parsed.birth_date,
                "village_code": "",
            }
        )
    counts = do_import_persons(
        acting_user=acting_user,
        households=[],
        persons=persons,
        source=SourceRecord.Source.IMPORT,
        source_ref=import_ref,
    )
    return {
        persons[p["row"] - 1]["identity_number"]: p["reason"]
        for p in counts.problems
        if p.get("table") == "persons" and 0 < p.get("row", 0) <= len(persons)
    }


def _link(
    frame: pl.DataFrame, problems: _Problems, *, create_unknown: bool, acting_user, ref: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows linked to their persons, and the persons added to the index
    (``village_id``, ``birth_date``)."""
    none = pl.DataFrame(schema={"village_id": pl.Int64, "birth_date": pl.Date})
    found = _persons(frame["identity_number"])
    frame = frame.join(found, on="identity_number", how="left", maintain_order="left")
    missing = frame.filter(pl.col("person_id").is_null())
    if missing.height == 0:
        return frame, none
    frame = frame.filter(pl.col("person_id").is_not_null())
    why: dict[str, str] = {}
    for number in missing["identity_number"].unique().to_list():
        try:
            parse_resident_id(number)
        except IdentityNumberError as error:
            why[number] = _("The identity number %(number)s is not valid (%(reason)s).") % {
                "number": mask_identity_number(number),
                "reason": error.args[-1] if error.args else error,
            }
    invalid = missing.filter(pl.col("identity_number").is_in(list(why)))
    if invalid.height:
        problems.add("refused", invalid, "identity_number", lambda r: why[r["identity_number"]])
    valid = missing.filter(~pl.col("identity_number").is_in(list(why)))
    if valid.height == 0:
        return frame, none
    if not create_unknown:
        problems.add(
            "unknown",
            valid,
            "identity_number",
            lambda r: (
                _(
                    "%(name)s (%(number)s) is not in the person index: not stored; import "
                    "again adding new people, or add the person first."
                )
                % {
                    "name": mask_name(r["name"]) or "—",
                    "number": mask_identity_number(r["identity_number"]),
                }
            ),
        )
        return frame, none
    not_made = _create_persons(valid, acting_user=acting_user, import_ref=ref)
    linked = valid.drop("person_id", "village_id", "birth_date").join(
        _persons(valid["identity_number"]), on="identity_number", how="left", maintain_order="left"
    )
    lost = linked.filter(pl.col("person_id").is_null())
    if lost.height:
        problems.add(
            "unknown",
            lost,
            "name",
            lambda r: (
                _("%(number)s could not be added to the person index: %(reason)s")
                % {
                    "number": mask_identity_number(r["identity_number"]),
                    "reason": not_made.get(r["identity_number"], _("refused by the index")),
                }
            ),
        )
    linked = linked.filter(pl.col("person_id").is_not_null())
    created = linked.unique("person_id").select("village_id", "birth_date")
    if linked.height:
        frame = pl.concat([frame, linked.select(frame.columns)]).sort("line")
    return frame, created


def _in_jurisdiction(frame: pl.DataFrame, problems: _Problems, acting_user) -> pl.DataFrame:
    path = "" if isinstance(acting_user, SystemActor) else root_path(acting_user)
    if not path:
        return frame
    areas = pl.DataFrame(
        list(Area.objects.values_list("id", "path")),
        schema={"village_id": pl.Int64, "path": pl.Utf8},
        orient="row",
    )
    frame = frame.join(areas, on="village_id", how="left", maintain_order="left")
    inside = pl.col("path").fill_null("").str.starts_with(path)
    outside = frame.filter(~inside)
    if outside.height:
        problems.add(
            "refused",
            outside,
            "identity_number",
            lambda r: (
                _("%(name)s lives outside your jurisdiction: not stored.") % {"name": _who(r)}
            ),
        )
    return frame.filter(inside).drop("path")


def _existing(person_ids: pl.Series) -> pl.DataFrame:
    """The doses the database holds of these persons (found there:
    ``bulk.read_matching``)."""
    schema: dict[str, pl.DataType] = {
        "person_id": pl.Int64(),
        "dose": pl.Int16(),
        "earlier_at": bulk.TIMESTAMP,
    }
    if person_ids.len() == 0 or not Dose.objects.exists():
        return pl.DataFrame(schema=schema)
    return bulk.read_matching(
        Dose,
        ["person_id", "dose_number", "given_at"],
        schema,
        key="person_id",
        values=person_ids,
    )


def _without_duplicates(frame: pl.DataFrame, problems: _Problems) -> pl.DataFrame:
    """The rows (in the file's order) less the doses an earlier line or the
    database has already."""
    # One number for a person's dose: a dose number is below 2**15 (Int16).
    dose_key = pl.col("person_id") * 2**15 + pl.col("dose")
    again = ~dose_key.is_first_distinct()
    twice = frame.filter(again)
    if twice.height:
        keys = twice.select(dose_key.alias("k"))["k"]
        firsts = frame.filter(~again & dose_key.is_in(keys.implode())).select(
            "person_id", "dose", pl.col("line").alias("first_line")
        )
        twice = twice.join(firsts, on=["person_id", "dose"], how="left", maintain_order="left")
        problems.add(
            "duplicates",
            twice,
            "dose_number",
            lambda r: (
                _("Duplicate row: dose %(dose)d of %(name)s is on line %(first)d already.")
                % {"dose": r["dose"], "name": _who(r), "first": r["first_line"]}
            ),
        )
        frame = frame.filter(~again)
    earlier = _existing(frame["person_id"])
    frame = frame.join(earlier, on=["person_id", "dose"], how="left", maintain_order="left")
    known = pl.col("earlier_at").is_not_null()
    stored = frame.filter(known)
    if stored.height:
        problems.add(
            "duplicates",
            stored,
            "dose_number",
            lambda r: (
                _("Duplicate row: %(name)s has dose %(dose)d recorded already (given %(when)s).")
                % {
                    "name": _who(r),
                    "dose": r["dose"],
                    "when": f"{r['earlier_at'].astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}",
                }
            ),
        )
    return frame.filter(~known).drop("earlier_at")


def _site_ids(frame: pl.DataFrame) -> pl.DataFrame:
    sites = {_key(name): pk for pk, name in Site.objects.values_list("pk", "name")}
    lookup = pl.DataFrame(
        {"sk": list(sites), "site_id": list(sites.values())},
        schema={"sk": pl.Utf8, "site_id": pl.Int64},
    )
    names = frame.select(pl.col("site").unique())
    names = names.with_columns(
        pl.col("site").str.replace_all(r"\s", "").str.to_lowercase().alias("sk")
    )
    names = names.join(lookup, on="sk", how="left").drop("sk")
    return frame.join(names, on="site", how="left", maintain_order="left")


def _store(frame: pl.DataFrame, new_people: pl.DataFrame, run: DoseImport, acting_user) -> None:
    # Sorted by person (as the unique index runs) once the columns are chosen
    # and before the constant ones are added: the sort moves no other column.
    out = (
        frame.select(
            pl.col("person_id"),
            pl.col("vaccine_id"),
            pl.col("dose").alias("dose_number"),
            pl.col("batch").str.slice(0, 32).alias("batch"),
            pl.col("site_id"),
            pl.when(pl.col("site_id").is_null())
            .then(pl.col("site").str.slice(0, 200))
            .otherwise(pl.lit(""))
            .alias("site_name"),
            pl.col("time").alias("given_at"),
            pl.col("village_id"),
            pl.col("birth_date"),
            (pl.col("dose") == pl.col("course")).alias("completes_course"),
        )
        .sort("person_id")
        .with_columns(
            pl.lit(DoseSource.IMPORT).alias("source"),
            pl.lit(run.pk).alias("dose_import_id"),
            pl.lit(actor_name(acting_user)[:150]).alias("recorded_by_name"),
        )
    )
    try:
        with transaction.atomic():
            for start in range(0, out.height, COPY_BATCH):
                bulk.copy_frame(Dose, out.slice(start, COPY_BATCH))
            tallies.add_imported(out, new_people)
    except IntegrityError:
        raise ValidationError(
            {
                "file": _(
                    "Some of these doses were recorded meanwhile (at a site or by another "
                    "import): nothing was stored. Import the file again; those rows will be "
                    "reported as duplicates."
                )
            }
        ) from None


@transaction.atomic
def do_import_doses(
    fh: IO[bytes],
    *,
    acting_user,
    filename: str,
    fmt: str | None = None,
    create_unknown: bool = False,
    request=None,
) -> DoseImport:
    """Import one export file; the ``DoseImport`` says what was stored and
    lists the rows that were not, with their lines and reasons."""
    require(acting_user, "edit_operations", check_area=False)
    if not isinstance(acting_user, SystemActor) and root_path(acting_user) is None:
        raise PermissionDenied("requires a jurisdiction")
    started = time.perf_counter()
    fmt = fmt or filename.rsplit(".", 1)[-1]
    file_hash = tabular.hash_file(fh)
    frame = _parsed(read_export(fh, fmt))
    rows = frame.height
    path = "" if isinstance(acting_user, SystemActor) else root_path(acting_user) or ""
    run = DoseImport.objects.create(
        filename=filename[:255],
        file_hash=file_hash,
        area=Area.objects.filter(path=path).first() if path else None,
        received_by_name=actor_name(acting_user),
        rows=rows,
    )
    problems = _Problems(rows=[])
    frame = _check_rows(_vaccine_ids(frame), problems)
    frame, created = _link(
        frame,
        problems,
        create_unknown=create_unknown,
        acting_user=acting_user,
        ref=f"vaccination.import:{run.pk}",
    )
    frame = _without_duplicates(_in_jurisdiction(frame, problems, acting_user), problems)
    frame = _site_ids(frame)
    _store(frame, created, run, acting_user)
    run.stored = frame.height
    run.duplicates = problems.duplicates
    run.unknown_persons = problems.unknown
    run.refused = problems.refused
    run.created_persons = created.height
    run.problems = sorted(problems.rows, key=lambda p: p["line"])
    run.seconds = round(time.perf_counter() - started, 2)
    run.save()
    audit.record(
        actor=acting_user,
        action="vaccination.import",
        obj=run,
        area=run.area,
        detail={
            "file": run.filename,
            "rows": rows,
            "stored": run.stored,
            "duplicates": run.duplicates,
            "unknown_persons": run.unknown_persons,
            "created_persons": run.created_persons,
            "refused": run.refused,
        },
        request=request,
    )
    return run
