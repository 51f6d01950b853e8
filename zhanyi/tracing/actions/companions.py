"""Spatiotemporal companions (时空伴随者) as a third kind of contact.

The companion engine (``zhanyi.engine.companions``) finds the persons who
shared a grid cell with a case long enough; this pulls its answer for a case
into the case's contacts (``kind="companion"``) and recomputes their codes.
``current_cases_table`` gives the engine every current case's window (the
``companions find --all-cases`` input, written by ``write_current_cases``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhanyi.engine.companions import CASES, Store, find_companions
from zhanyi.people.models import Person
from zhanyi.tracing.models import Case, CaseStatus, Contact, ContactKind

from .common import audit_case, aware, protocol, recompute_codes, require
from .contacts import _person_villages, case_window


def current_cases_table(cases=None, *, person_key: str = "pk") -> pa.Table:
    """``person_id, window_start, window_end`` of the given cases (default:
    every case not discharged), windows from each case's protocol.

    ``person_key`` says which number the companion store knows persons by:
    ``"pk"`` or ``"external_id"`` (the demo's store, built from the synthetic
    city, uses the city's ids).
    """
    if person_key not in ("pk", "external_id"):
        raise ValueError(f"person_key must be pk or external_id, not {person_key!r}")
    if cases is None:
        cases = Case.objects.exclude(status=CaseStatus.DISCHARGED).select_related("person")
    rows: dict[str, list[object]] = {"person_id": [], "window_start": [], "window_end": []}
    for case in cases:
        start, end = case_window(case, protocol(case.protocol))
        key = getattr(case.person, person_key) if person_key != "pk" else case.person_id
        if key is None:
            continue
        rows["person_id"].append(key)
        rows["window_start"].append(start)
        rows["window_end"].append(end)
    return pa.table(rows, schema=CASES)


def current_cases_path() -> Path:
    return Path(settings.DATA_DIR) / "tracing" / "current-cases.parquet"


def write_current_cases(path: Path | None = None, *, person_key: str = "pk") -> Path:
    """Write the current cases where ``zhanyi companions find --all-cases`` reads them."""
    path = path or current_cases_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(current_cases_table(person_key=person_key), tmp)
    tmp.replace(path)
    return path


@transaction.atomic
def do_add_companions(
    case: Case,
    *,
    acting_user,
    store_dir: Path | None = None,
    backend: str = "duckdb",
    as_of: dt.datetime | None = None,
    person_key: str = "pk",
    request=None,
) -> int:
    """Find the case's companions in the companion store and add the new ones
    as contacts of kind ``companion``; returns how many were added."""
    case = Case.objects.select_related("person", "area").get(pk=case.pk)
    require(acting_user, "edit_person", case.area)
    as_of = aware(as_of or timezone.now(), "as_of")
    root = Path(store_dir or Path(settings.DATA_DIR) / "companions")
    if not root.exists():
        raise FileNotFoundError(f"no companion store at {root}: run `zhanyi companions ingest`")
    rules = protocol(case.protocol)
    cases = current_cases_table([case], person_key=person_key)
    found = find_companions(Store(root), cases, rules.companion, backend)
    rows = found.select(["companion_person_id", "periods"]).to_pylist()
    if person_key == "pk":
        to_pk = {r["companion_person_id"]: r["companion_person_id"] for r in rows}
    else:
        to_pk = dict(
            Person.objects.filter(
                external_id__in=[r["companion_person_id"] for r in rows], merged_into=None
            ).values_list("external_id", "pk")
        )
    spans: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    for row in rows:
        pid = to_pk.get(row["companion_person_id"])
        if pid is None:
            continue
        for period in row["periods"] or []:
            first, last = spans.get(pid, (period["start"], period["end"]))
            spans[pid] = (min(first, period["start"]), max(last, period["end"]))
    spans.pop(case.person_id, None)
    known = set(Contact.objects.filter(case=case).values_list("person_id", flat=True))
    villages = _person_villages(sorted(set(spans) - known))
    new = [
        Contact(
            case=case,
            person_id=pid,
            area_id=villages.get(pid) or case.area_id,
            kind=ContactKind.COMPANION,
            depth=1,
            via_id=case.person_id,
            first_exposure_at=first,
            last_exposure_at=last,
            identified_at=as_of,
            protocol=case.protocol,
        )
        for pid, (first, last) in sorted(spans.items())
        if pid not in known and pid in villages
    ]
    Contact.objects.bulk_create(new, batch_size=5000)
    audit_case(
        "contacts.companions",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={
            "found": len(spans),
            "added": len(new),
            "overlap_within": rules.companion.overlap_within,
        },
    )
    recompute_codes(
        [c.person_id for c in new],
        reason=f"tracing.case:{case.pk} companions",
        acting_user=acting_user,
    )
    return len(new)
