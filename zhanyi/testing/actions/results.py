"""Results (检、报): labs report per tube, by API or by CSV file.

Policy for a report with broken rows: the good rows are stored and each
broken row is refused with its row number, field and reason, kept in the
``ResultImport`` record. A lab file carries a whole shift's tubes; holding
back its positives because one other row has a typo would break the 2-hour
reporting rule, and re-sending the corrected file is safe because a result
already stored with the same value is counted as unchanged, not stored twice.
A result that contradicts a stored one is refused (a correction is a new
sample, not an overwrite): nothing recorded before is lost.

A positive pool (pool_size > 1) flags its people: an isolation hand-off to
the community task force, a single-tube re-sampling hand-off to testing,
and a code recompute (the pooled positive is a health-code fact). A positive
single tube becomes a case in tracing.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import audit, jurisdiction
from zhanyi.core.actors import actor_name, actor_user
from zhanyi.core.audit import SystemActor
from zhanyi.core.db.bulk import update_many, where_in
from zhanyi.core.tabular import cell_text, csv_error
from zhanyi.handoffs import receivers
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import HandoffKind
from zhanyi.people.actions.health_codes import do_recompute_codes
from zhanyi.places.models import Area
from zhanyi.testing.models import (
    CODE_AWAITS,
    DeliveryBatch,
    Lab,
    ResultImport,
    Sample,
    TestResult,
    Tube,
    TubeStatus,
)

from .bulk import analyze
from .common import (
    Problem,
    missing_columns,
    now,
    parse_time,
    require_operations,
    testing_rule,
)

RESULT_WORDS = {
    "negative": TestResult.NEGATIVE,
    "neg": TestResult.NEGATIVE,
    "阴性": TestResult.NEGATIVE,
    "-": TestResult.NEGATIVE,
    "positive": TestResult.POSITIVE,
    "pos": TestResult.POSITIVE,
    "阳性": TestResult.POSITIVE,
    "+": TestResult.POSITIVE,
}
CSV_COLUMNS = ("barcode", "result", "tested_at")
MAX_FILE_ROWS = 500_000
# Lab files often write minutes only and clocks drift: times are compared
# with this much slack before a row is refused as impossible.
CLOCK_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class ResultRow:
    row: int
    barcode: str
    result: str
    tested_at: dt.datetime
    reported_at: dt.datetime | None = None


def parse_result_word(value: str) -> str | None:
    return RESULT_WORDS.get((value or "").strip().lower())


def parse_results_csv(data: bytes | str | IO[bytes]) -> tuple[list[ResultRow], list[Problem]]:
    """Rows of a lab file (UTF-8 CSV, header ``barcode,result,tested_at[,reported_at]``).

    Row numbers are the file's line numbers (the header is line 1). A file object
    is read as it streams, never whole (issue 14, finding 7: a 50 MB file read whole
    lifted the process by hundreds of MB).
    """
    if isinstance(data, str):
        # newline="": a carriage return inside a cell is the cell's, as the csv
        # module reads files (with the default, a lone \r failed the whole file).
        text: IO[str] = io.StringIO(data, newline="")
    else:
        fh = io.BytesIO(data) if isinstance(data, bytes) else data
        fh.seek(0)
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    try:
        return _parse_results(text)
    except UnicodeDecodeError:
        return [], [Problem(None, "file", "encoding", _("The file is not UTF-8 text."))]
    finally:
        if isinstance(text, io.TextIOWrapper):
            with contextlib.suppress(ValueError):
                text.detach()  # the caller's file stays open


def _parse_results(text: IO[str]) -> tuple[list[ResultRow], list[Problem]]:
    reader = csv.DictReader(text)
    try:
        return _read_results(reader)
    except csv.Error as error:
        # A file the csv module refuses (a cell over its limit) is said, not a 500.
        line = reader.reader.line_num
        return [], [Problem(line, "file", "unreadable", str(csv_error(error, line)))]


def _read_results(reader: csv.DictReader) -> tuple[list[ResultRow], list[Problem]]:
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    problem = missing_columns(
        header,
        CSV_COLUMNS,
        _("Missing columns: %(cols)s (expected barcode,result,tested_at[,reported_at])."),
    )
    if problem:
        return [], problem
    reader.fieldnames = header
    rows: list[ResultRow] = []
    problems: list[Problem] = []
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_FILE_ROWS:
            problems.append(
                Problem(line, "file", "too_long", _("More rows than one file may carry."))
            )
            break
        if None in raw:  # more cells than columns
            problems.append(Problem(line, "row", "extra_cells", _("More cells than columns.")))
            continue
        row = parse_result_row(line, raw)
        if isinstance(row, Problem):
            problems.append(row)
        else:
            rows.append(row)
    return rows, problems


def parse_result_row(line: int, raw: dict) -> ResultRow | Problem:
    """One lab row (a CSV line or an API item) as a ``ResultRow``, or the problem with it."""
    # Each cell as one line of text, as the shared reader gives every import's
    # cells: a NUL (which PostgreSQL cannot store, even in a problem's quoted
    # value) or another control character is a space.
    raw = {k: cell_text(v) for k, v in raw.items()}
    barcode = (raw.get("barcode") or "").strip()
    if not barcode:
        return Problem(line, "barcode", "required", _("The barcode is empty."))
    result = parse_result_word(raw.get("result") or "")
    if result is None:
        return Problem(
            line,
            "result",
            "invalid",
            _("The result must be negative or positive (阴性/阳性)."),
            raw.get("result") or "",
        )
    try:
        tested_at = parse_time(raw.get("tested_at") or "")
    except ValueError:
        return Problem(
            line,
            "tested_at",
            "invalid",
            _("Not a date and time (2021-09-12 08:30)."),
            raw.get("tested_at") or "",
        )
    reported_at = None
    if (raw.get("reported_at") or "").strip():
        try:
            reported_at = parse_time(raw["reported_at"])
        except ValueError:
            return Problem(
                line,
                "reported_at",
                "invalid",
                _("Not a date and time (2021-09-12 08:30)."),
                raw["reported_at"],
            )
    return ResultRow(line, barcode, result, tested_at, reported_at)


def _write_results(updates: list[tuple[int, str, dt.datetime, dt.datetime]]) -> None:
    """Set result, tested_at, reported_at on many tubes (rows of id, result,
    tested_at, reported_at): one statement on PostgreSQL (``bulk.update_many``)."""
    update_many(
        Tube,
        ["id", "result", "tested_at", "reported_at"],
        updates,
        constants={"status": TubeStatus.REPORTED.value},
    )


def _check_rows(lab: Lab, rows: Sequence[ResultRow], at: dt.datetime, acting_user):
    """Split rows into (to store, unchanged, problems) against the stored tubes."""
    root = None if isinstance(acting_user, SystemActor) else jurisdiction.root_path(acting_user)
    tubes = _stored_tubes({r.barcode for r in rows}, with_paths=root is not None)
    store: dict[str, tuple[ResultRow, tuple]] = {}
    unchanged = 0
    problems: list[Problem] = []
    for r in rows:
        t = tubes.get(r.barcode)
        verdict = _check_row(r, t, lab, root, at, listed=r.barcode in store)
        if verdict is None:
            assert t is not None  # a row that passes the checks has its stored tube
            store[r.barcode] = (r, t)
        elif isinstance(verdict, Problem):
            problems.append(verdict)
        else:  # _UNCHANGED
            unchanged += 1
    return store, unchanged, problems


def _stored_tubes(barcodes: set[str], *, with_paths: bool) -> dict[str, tuple]:
    """The tubes of ``barcodes`` as (barcode, id, lab id, result, sampled_at,
    area path, pool size); the area path only ``with_paths`` (else "")."""
    found: list[tuple] = []
    for qs in where_in(Tube.objects.order_by(), "barcode", barcodes, "text"):
        found.extend(
            qs.values_list(
                "barcode", "id", "batch_id", "result", "sampled_at", "area_id", "pool_size"
            )
        )
    # A file's tubes come from a few hundred boxes and villages: their labs
    # and paths are read once each, not joined to every tube.
    labs = dict(
        DeliveryBatch.objects.filter(pk__in={t[2] for t in found if t[2]}).values_list(
            "pk", "lab_id"
        )
    )
    paths = {}
    if with_paths:
        paths = dict(Area.objects.filter(pk__in={t[5] for t in found}).values_list("pk", "path"))
    return {
        b: (b, pk, labs.get(batch_id), result, sampled_at, paths.get(area_id, ""), k)
        for b, pk, batch_id, result, sampled_at, area_id, k in found
    }


#: ``_check_row``'s answer for a row that repeats the stored result.
_UNCHANGED = "unchanged"


def _check_row(
    r: ResultRow,
    t: tuple | None,
    lab: Lab,
    root: str | None,
    at: dt.datetime,
    *,
    listed: bool,
) -> Problem | str | None:
    """One result row against its stored tube ``t``: the problem that refuses
    it, ``_UNCHANGED`` when it repeats the stored result, or None to store it.
    ``listed``: the file had a good row for this tube already."""
    if t is None:
        return Problem(r.row, "barcode", "unknown", _("Unknown tube barcode."), r.barcode)
    _b, _pk, lab_id, stored, sampled_at, area_path, _k = t
    if root is not None and not area_path.startswith(root):
        return Problem(
            r.row, "barcode", "outside", _("The tube is outside your jurisdiction."), r.barcode
        )
    if lab_id is None:
        return Problem(
            r.row,
            "barcode",
            "not_delivered",
            _("The tube was never delivered to a laboratory."),
            r.barcode,
        )
    if lab_id != lab.pk:
        return Problem(
            r.row,
            "barcode",
            "other_lab",
            _("The tube was delivered to another laboratory."),
            r.barcode,
        )
    if stored:
        if stored == r.result:
            return _UNCHANGED
        return Problem(
            r.row,
            "result",
            "conflict",
            _("Reported %(stored)s already; a correction needs a new sample.")
            % {"stored": TestResult(stored).label},
            r.barcode,
        )
    if listed:
        return Problem(r.row, "barcode", "duplicate", _("The tube is listed twice."), r.barcode)
    if r.tested_at > at + CLOCK_TOLERANCE:
        return Problem(r.row, "tested_at", "future", _("Tested in the future."), r.barcode)
    if sampled_at is not None and r.tested_at < sampled_at - CLOCK_TOLERANCE:
        return Problem(
            r.row, "tested_at", "before_sampling", _("Tested before it was sampled."), r.barcode
        )
    if r.reported_at is not None and r.reported_at < r.tested_at:
        return Problem(
            r.row, "reported_at", "before_test", _("Reported before it was tested."), r.barcode
        )
    return None


@transaction.atomic
def do_record_results(
    *,
    acting_user,
    lab: Lab,
    rows: Sequence[ResultRow],
    via: str,
    filename: str = "",
    parse_problems: Iterable[Problem] = (),
    request=None,
) -> ResultImport:
    """Store a lab's tube results; refuse the broken rows with a report (see the module)."""
    require_operations(acting_user)
    at = now()
    store, unchanged, problems = _check_rows(lab, rows, at, acting_user)
    parse_problems = list(parse_problems)
    parse_refused = len([p for p in parse_problems if p.row is not None and p.field != "header"])
    problems = parse_problems + problems
    problems.sort(key=lambda p: p.row or 0)
    updates = [(t[1], r.result, r.tested_at, r.reported_at or at) for r, t in store.values()]
    _write_results(updates)
    # The columns the update changed (a round's dashboard filters on
    # reported_at: planned with stale statistics, its turnaround query takes
    # seconds).
    analyze(Tube, rows=len(updates), columns=("result", "status", "tested_at", "reported_at"))
    positive_ids = [t[1] for r, t in store.values() if r.result == TestResult.POSITIVE]
    imp = ResultImport.objects.create(
        lab=lab,
        via=via,
        filename=filename[:255],
        rows=len(rows) + parse_refused,
        stored=len(updates),
        unchanged=unchanged,
        refused=len(problems),
        positives=len(positive_ids),
        problems=[p.as_dict() for p in problems[:1000]],
        submitted_by=actor_user(acting_user),
        submitted_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="testing.results",
        obj=imp,
        object_label=f"{lab.code} {filename or via}",
        detail={
            "lab": lab.code,
            "stored": imp.stored,
            "unchanged": unchanged,
            "refused": imp.refused,
            "positives": len(positive_ids),
        },
        request=request,
    )
    changed = [t[1] for r, t in store.values()]
    follow_up_results(changed, acting_user=acting_user)
    return imp


def follow_up_results(tube_ids: list[int], *, acting_user) -> dict:
    """What a reported tube sets off: flags, hand-offs, cases, code changes."""
    if not tube_ids:
        return {}
    rule = testing_rule()
    positive_pools: list[int] = []
    positive_singles: list[int] = []
    positives = Tube.objects.filter(result=TestResult.POSITIVE).order_by()
    for qs in where_in(positives, "pk", tube_ids, "bigint"):
        for pk, k in qs.values_list("pk", "pool_size"):
            (positive_pools if k > 1 else positive_singles).append(pk)
    specs: list[HandoffSpec] = []
    code_people: set[int] = set()
    for s in (
        Sample.objects.filter(tube_id__in=positive_pools)
        .select_related("tube", "person")
        .order_by("id")
    ):
        tube = s.tube
        area_id = s.person.village_id or tube.area_id
        reported = tube.reported_at
        assert reported is not None  # a positive pool has been reported
        origin = f"testing.tube:{tube.pk}"
        detail = {"tube": tube.barcode, "pool_size": tube.pool_size}
        specs.append(
            HandoffSpec(
                key=f"testing.resample:{tube.barcode}:{s.person_id}",
                kind=HandoffKind.RESAMPLE,
                from_task_force=TaskForceKind.TESTING,
                to_task_force=TaskForceKind.TESTING,
                due_at=reported + timedelta(hours=rule.resample_due_hours),
                person_id=s.person_id,
                area_id=area_id,
                origin=origin,
                detail=detail,
            )
        )
        specs.append(
            HandoffSpec(
                key=f"testing.isolate:{tube.barcode}:{s.person_id}",
                kind=HandoffKind.CONTROL,
                from_task_force=TaskForceKind.TESTING,
                to_task_force=TaskForceKind.COMMUNITY,
                due_at=reported + timedelta(hours=rule.positive_report_hours),
                person_id=s.person_id,
                area_id=area_id,
                origin=origin,
                detail=detail,
            )
        )
        code_people.add(s.person_id)
    if specs:
        do_create_handoffs(specs, acting_user=acting_user, origin_label="testing: positive pools")
    if positive_singles:
        # A case at once (逢阳即报), by whichever app takes case reports (tracing).
        for s in Sample.objects.filter(tube_id__in=positive_singles).select_related(
            "tube", "person"
        ):
            assert s.tube.reported_at is not None  # a positive tube has been reported
            receivers.pass_on(
                HandoffKind.CASE_REPORT,
                person=s.person,
                sampled_at=s.sampled_at,
                reported_at=s.tube.reported_at,
                source=f"testing.tube:{s.tube.barcode}",
                acting_user=acting_user,
            )
            code_people.add(s.person_id)
    # Results a health code waits on: scheduled tests and re-samples (a
    # negative single tube clears a pooled positive). Round negatives of
    # people without such a fact change no code. The condition is the one of
    # the sample_code_awaits index, which holds only such samples: a round's
    # million are not read.
    awaited = Sample.objects.filter(CODE_AWAITS, tube__result=TestResult.NEGATIVE).order_by()
    for qs in where_in(awaited, "tube_id", tube_ids, "bigint"):
        code_people.update(qs.values_list("person_id", flat=True))
    changed = 0
    if code_people:
        changed = do_recompute_codes(
            sorted(code_people), reason="testing: results reported", acting_user=acting_user
        )
    return {
        "positive_pools": len(positive_pools),
        "positive_singles": len(positive_singles),
        "handoffs": len(specs),
        "codes_changed": changed,
    }
