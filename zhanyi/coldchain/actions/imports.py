"""Customs' spreadsheets of batches imported at once: every readable row a
held batch (released later, when its documents are in), every refused row
kept with its reason for the error file, warnings per row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.coldchain import reading
from zhanyi.coldchain.models import DOCUMENTS, Batch, BatchState, ColdStore, ImportRun
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.audit import SystemActor
from zhanyi.core.db import bulk
from zhanyi.core.jurisdiction import scope
from zhanyi.core.tabular import FORMATS, TableFileError, cell_text, open_rows
from zhanyi.places.models import Area, AreaLevel

from .common import require

#: Title rows customs put above the header: the header is searched in the first rows.
HEADER_SEARCH_ROWS = 5

FIELD_LABELS = {
    "code": gettext_lazy("batch number"),
    "product": gettext_lazy("product"),
    "origin_country": gettext_lazy("origin country"),
    "weight_tonnes": gettext_lazy("weight"),
    "store": gettext_lazy("cold store"),
    "arrived_at": gettext_lazy("arrival"),
}


def _stores_for(acting_user) -> dict[str, ColdStore]:
    stores = ColdStore.objects.select_related("area")
    if not isinstance(acting_user, SystemActor):
        stores = scope(stores, acting_user, "area__path")
    return {s.name: s for s in stores}


def _run_area(acting_user, default_store: ColdStore | None) -> Area:
    if default_store is not None:
        return default_store.area
    jurisdiction = getattr(acting_user, "jurisdiction", None)
    if jurisdiction is not None:
        return jurisdiction
    return Area.objects.filter(level=AreaLevel.CITY).order_by("pk").first()  # type: ignore[return-value]


def _find_header(rows) -> tuple[reading.Header, int, list[Any]]:
    for line, row in enumerate(rows, start=1):
        header = reading.match_header(row)
        if len(header.columns) >= 3:
            return header, line, row
        if line >= HEADER_SEARCH_ROWS:
            break
    raise ValidationError(
        {
            "file": _(
                "No header row with the batch number, product and origin in the first %(n)d rows."
            )
            % {"n": HEADER_SEARCH_ROWS}
        }
    )


def _store_of(name: str, stores: dict[str, ColdStore]) -> ColdStore:
    if name in stores:
        return stores[name]
    near = [s for n, s in stores.items() if name and (name in n or n in name)]
    if len(near) == 1:
        return near[0]
    raise reading.RowRefused(
        _("cold store “%(name)s” is not one of yours") % {"name": name}
        if name
        else _("no cold store")
    )


@transaction.atomic
def do_import_batches(
    fh: IO[bytes],
    filename: str,
    *,
    acting_user,
    default_store: ColdStore | None = None,
    request=None,
) -> ImportRun:
    """Every row of the file a held batch; refused rows kept for the error file."""
    require(acting_user, "edit_operations", check_area=False)
    if default_store is not None:
        require(acting_user, "edit_operations", default_store.area)
    fmt = PurePath(filename).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationError(
            {"file": _("%(name)s is not a spreadsheet (xlsx, xls or csv).") % {"name": filename}}
        )
    try:
        rows, _encoding, _count = open_rows(fh, fmt)
        header, header_line, header_row = _find_header(rows)
        missing = reading.missing_columns(header, store_given=default_store is not None)
        if missing:
            raise ValidationError(
                {
                    "file": _("%(name)s has no column for: %(fields)s.")
                    % {"name": filename, "fields": ", ".join(str(FIELD_LABELS[m]) for m in missing)}
                }
            )
        taken, warnings, errors = _read_rows(
            rows, header, header_line, _stores_for(acting_user), default_store
        )
    except TableFileError as error:
        raise ValidationError({"file": str(error)}) from None
    now = timezone.now()
    fields = [
        "code",
        "product",
        "origin_country",
        "weight_tonnes",
        "store_id",
        "arrived_at",
        *DOCUMENTS,
        "state",
        "released_by_name",
        "created_at",
    ]
    bulk.insert_many(
        Batch,
        fields,
        (
            (
                r.code,
                r.product,
                r.origin_country,
                r.weight_tonnes,
                store.pk,
                r.arrived_at,
                *(r.documents[n] for n in DOCUMENTS),
                BatchState.HELD,
                "",
                now,
            )
            for r, store in taken
        ),
    )
    area = _run_area(acting_user, default_store)
    run = ImportRun.objects.create(
        filename=filename[:255],
        area=area,
        rows=len(taken) + len(errors),
        imported=len(taken),
        warnings=warnings,
        errors=errors,
        header=[cell_text(c) for c in header_row],
        created_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="coldchain.batch.import",
        obj=run,
        area=area,
        detail={
            "file": filename,
            "imported": len(taken),
            "refused": len(errors),
            "warnings": len(warnings),
            "tonnes": str(sum((r.weight_tonnes for r, _s in taken), start=0)),
        },
        request=request,
    )
    return run


def _read_rows(
    rows: Iterator[list[Any]],
    header: reading.Header,
    header_line: int,
    stores: dict[str, ColdStore],
    default_store: ColdStore | None,
) -> tuple[list[tuple[reading.BatchRow, ColdStore]], list[dict], list[dict]]:
    taken: list[tuple[reading.BatchRow, ColdStore]] = []
    warnings: list[dict] = []
    errors: list[dict] = []
    parsed: list[tuple[reading.BatchRow, ColdStore, list[Any]]] = []
    default_name = default_store.name if default_store else ""
    for line, row in enumerate(rows, start=header_line + 1):
        if not any(cell_text(c) for c in row):
            continue
        try:
            batch_row = reading.parse_row(line, row, header, default_name)
            store = default_store if not batch_row.store else _store_of(batch_row.store, stores)
            if store is None:
                raise reading.RowRefused(_("no cold store"))
        except reading.RowRefused as refusal:
            errors.append(
                {"row": line, "values": [cell_text(c) for c in row], "message": str(refusal)}
            )
            continue
        parsed.append((batch_row, store, row))
    codes = [r.code for r, _s, _row in parsed]
    known = set(Batch.objects.filter(code__in=codes).values_list("code", flat=True))
    seen: set[str] = set()
    for batch_row, store, row in parsed:
        if batch_row.code in known or batch_row.code in seen:
            errors.append(
                {
                    "row": batch_row.line,
                    "values": [cell_text(c) for c in row],
                    "message": _("batch %(code)s is recorded already") % {"code": batch_row.code},
                }
            )
            continue
        seen.add(batch_row.code)
        taken.append((batch_row, store))
        warnings.extend({"row": batch_row.line, "message": w} for w in batch_row.warnings)
    errors.sort(key=lambda e: e["row"])
    return taken, warnings, errors
