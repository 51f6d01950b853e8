"""Scanning (采样扫码): people's codes into tubes, the sampling point's hot path.

A sampler scans a tube's barcode (the tube opens on its first scan at a site)
and then each person's code: the QR payload ``zhanyi:person:<id>`` of their
health code, their identity number, or the index's person number. A full tube
closes. Scans are checked one by one: a refused scan (unknown code, a person
already sampled in the round, a person already in the tube, a full tube) says
why and the others are kept.

A round's sampling points send thousands of scans a minute, so a scan request
costs a fixed, small number of statements whatever the number of codes: one to
lock or open the tube, one that resolves every code to its person together with
what is needed to judge the scan (already sampled in the round, already in the
tube, a scheduled test due), one insert of the accepted samples, one update of
the tube and the audit record.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from zhanyi.accounts import audit
from zhanyi.command.models import Handoff, HandoffKind, HandoffStatus, TaskForceKind
from zhanyi.core import rows
from zhanyi.people.models import Person
from zhanyi.places.models import Area
from zhanyi.testing.models import (
    Purpose,
    Sample,
    SamplingSite,
    SamplingTeam,
    TestingRound,
    Tube,
    TubeStatus,
)

from .common import InputError, Problem, now, refuse, require_operations, testing_rule
from .sampling import _BARCODE, _attach_handoffs, due_kinds

QR_PREFIX = "zhanyi:person:"
_IDENTITY = re.compile(r"^(\d{17}[\dXx]|\d{15})$")
_PERSON_NO = re.compile(r"^[Pp]?(\d{1,12})$")
MAX_SCANS = 50


def qr_payload(person_id: int) -> str:
    """What a person's health-code QR carries for sampling."""
    return f"{QR_PREFIX}{person_id}"


def parse_code(code: str) -> tuple[str, str] | None:
    """("id", "123") or ("identity", "350602…") or None for a code we cannot read."""
    code = (code or "").strip()
    if code.lower().startswith(QR_PREFIX):
        rest = code[len(QR_PREFIX) :]
        return ("id", rest) if rest.isdigit() else None
    if _IDENTITY.match(code):
        return ("identity", code.upper())
    m = _PERSON_NO.match(code)
    if m:
        return ("id", m.group(1))
    return None


@dataclass(frozen=True)
class ScannedPerson:
    """A live person a code resolved to, with what judging the scan needs."""

    pk: int
    #: The barcode of the tube that holds their sample of this round, if any.
    sampled_in: str | None = None
    #: Already in the tube being filled.
    in_tube: bool = False
    #: An open scheduled test or re-sampling is due for them now.
    test_due: bool = False


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@functools.lru_cache(maxsize=512)
def _lookup_sql(where: str, has_round: bool, has_tube: bool, kinds: int) -> str:
    """SELECT persons matching ``where`` with the scan's three judgements as
    columns; written once per shape (the codes' count is in ``where``)."""
    person, sample, tube, handoff = (
        _q(Person._meta.db_table),
        _q(Sample._meta.db_table),
        _q(Tube._meta.db_table),
        _q(Handoff._meta.db_table),
    )
    sampled = (
        (
            f"(SELECT t.barcode FROM {sample} s JOIN {tube} t ON t.id = s.tube_id "
            "WHERE s.round_id = %s AND s.purpose = %s AND s.person_id = p.id LIMIT 1)"
        )
        if has_round
        else "NULL"
    )
    in_tube = (
        f"EXISTS (SELECT 1 FROM {sample} s WHERE s.tube_id = %s AND s.person_id = p.id)"
        if has_tube
        else "0 = 1"
    )
    due = (
        f"EXISTS (SELECT 1 FROM {handoff} h WHERE h.person_id = p.id "
        f"AND h.kind IN ({', '.join(['%s'] * kinds)}) "
        "AND h.status = %s AND h.to_task_force = %s "
        "AND (h.not_before IS NULL OR h.not_before <= %s))"
    )
    return (
        f"SELECT p.id, p.identity_number, p.merged_into_id, "
        f"{sampled}, {in_tube}, {due} FROM {person} p WHERE {where}"
    )


def _lookup(
    where: str, where_params: list, *, round_id, tube_id, due_kinds, at
) -> list[tuple[int, str, int | None, ScannedPerson]]:
    sql = _lookup_sql(where, round_id is not None, tube_id is not None, len(due_kinds))
    params: list = []
    if round_id is not None:
        params += [round_id, Purpose.ROUND.value]
    if tube_id is not None:
        params.append(tube_id)
    params += [*due_kinds, HandoffStatus.OPEN.value, TaskForceKind.TESTING.value, at]
    with rows.cursor() as cursor:
        cursor.execute(sql, [*params, *where_params])
        found = cursor.fetchall()
    return [
        (
            pk,
            identity or "",
            merged_into,
            ScannedPerson(pk, sampled, bool(in_tube), bool(due)),
        )
        for pk, identity, merged_into, sampled, in_tube, due in found
    ]


def _in(column: str, values: list, sql_type: str) -> str:
    """``column`` is one of ``values``: one array parameter on PostgreSQL, so
    that the statement's text (and its prepared plan) is the same whatever
    the number of codes; a list of placeholders elsewhere."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::{sql_type}[])"
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _in_params(values: list) -> list:
    return [values] if connection.vendor == "postgresql" else values


def resolve_codes(
    codes: Sequence[str],
    *,
    round_id: int | None = None,
    tube_id: int | None = None,
    due_kinds: Sequence[str] = (HandoffKind.TEST,),
    at: dt.datetime | None = None,
) -> dict[str, ScannedPerson]:
    """Live persons for the readable codes, by stripped code; unknown codes are
    left out. One query for all the codes (two when a code names a merged
    person: the survivor is looked up).

    Keys are stripped as ``do_scan`` looks them up: a scanner that ends each
    code with a newline or space still finds the person. ``round_id``,
    ``tube_id`` and ``due_kinds`` fill in the judgements of ``ScannedPerson``.
    """
    at = at or now()
    parsed = {(c or "").strip(): parse_code(c) for c in codes}
    ids = sorted({int(v) for k, v in filter(None, parsed.values()) if k == "id"})
    numbers = sorted({v for k, v in filter(None, parsed.values()) if k == "identity"})
    if not ids and not numbers:
        return {}
    clauses, where_params = [], []
    if ids:
        clauses.append(_in("p.id", ids, "bigint"))
        where_params += _in_params(ids)
    if numbers:
        clauses.append(_in("p.identity_number", numbers, "text"))
        where_params += _in_params(numbers)
    judged = {"round_id": round_id, "tube_id": tube_id, "due_kinds": list(due_kinds), "at": at}
    found = _lookup(" OR ".join(clauses), where_params, **judged)
    live = {pk: person for pk, _identity, merged, person in found if merged is None}
    by_number = {
        identity: live[pk] for pk, identity, merged, _p in found if identity and pk in live
    }
    merged_of = {pk: merged for pk, _identity, merged, _person in found if merged is not None}
    survivors = sorted(set(merged_of.values()) - set(live))
    if survivors:
        where = _in("p.id", survivors, "bigint")
        for pk, _identity, merged, person in _lookup(where, _in_params(survivors), **judged):
            if merged is None:
                live[pk] = person
    out: dict[str, ScannedPerson] = {}
    for code, parsed_code in parsed.items():
        if parsed_code is None:
            continue
        kind, value = parsed_code
        if kind == "id":
            pk = int(value)
            person = live.get(merged_of.get(pk, pk))
        else:
            person = by_number.get(value)
        if person is not None:
            out[code] = person
    return out


@dataclass
class ScanResult:
    tube: Tube
    accepted: list[dict] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    closed: bool = False
    opened: bool = False

    def as_dict(self) -> dict:
        return {
            "tube": self.tube.barcode,
            "pool_size": self.tube.pool_size,
            "samples": self.tube.samples_count,
            "status": self.tube.status,
            "opened": self.opened,
            "closed": self.closed,
            "accepted": self.accepted,
            "refused": [p.as_dict() for p in self.refused],
        }


def _new_tube(barcode, *, site, round_, pool_size, team, purpose, at) -> Tube:
    """The tube to open at ``site``, not yet written; refused as the rules say."""
    if not _BARCODE.match(barcode):
        refuse(
            "tube",
            "invalid",
            _("A barcode is 4 to 64 letters, digits or hyphens."),
            barcode,
        )
    rule = testing_rule(round_.protocol) if round_ else testing_rule()
    if pool_size is None:
        pool_size = round_.pool_size if round_ else (1 if purpose != Purpose.ROUND else None)
    if pool_size is None:
        refuse("pool_size", "required", _("A new tube needs a pool size or a round."))
    if pool_size not in rule.pool_sizes:
        refuse(
            "pool_size",
            "invalid",
            _("Pool size %(k)s is not allowed; allowed: %(sizes)s.")
            % {"k": pool_size, "sizes": ", ".join(map(str, rule.pool_sizes))},
            str(pool_size),
        )
    if purpose != Purpose.ROUND and pool_size != 1:
        refuse("pool_size", "invalid", _("Re-sampling and scheduled tests use single tubes."))
    if purpose == Purpose.ROUND and round_ is None:
        refuse("round", "required", _("A round tube needs its round."))
    if round_ is not None and not (round_.starts_at <= at < round_.ends_at):
        refuse("round", "closed", _("The round is not open at this time."), round_.name)
    return Tube(
        barcode=barcode,
        round=round_,
        site=site,
        area_id=site.area_id,
        team=team,
        pool_size=pool_size,
        purpose=purpose,
        opened_at=at,
    )


def _open_tube(barcode, **opening) -> tuple[Tube, bool]:
    """The new tube and True; or, opened by a concurrent request, that tube and False."""
    tube = _new_tube(barcode, **opening)
    if rows.insert(tube, unless_exists="barcode"):
        return tube, True
    # Opened by a concurrent request with the same barcode: that one, locked.
    return _lock_tube(barcode), False


def _samples_write(tube: Tube, at: dt.datetime, persons: list[int], handoffs: list) -> rows.Write:
    """The INSERT of a scan's samples, one statement without model instances:
    they share their tube, round, purpose and time, adapted once."""
    shared = [
        tube.pk,
        tube.round_id,
        tube.purpose,
        Sample._meta.get_field("sampled_at").get_db_prep_save(at, connection),
    ]
    if connection.vendor == "postgresql":
        # Two array parameters, whatever the number of samples.
        return rows.Write(_insert_samples_sql(None), [*shared, persons, handoffs])
    return rows.Write(
        _insert_samples_sql(len(persons)),
        [
            v
            for person, handoff in zip(persons, handoffs, strict=True)
            for v in (*shared, person, handoff)
        ],
    )


@functools.lru_cache(maxsize=64)
def _insert_samples_sql(rows_count: int | None) -> str:
    """The samples' INSERT: from two arrays (``None``), or with that many rows of values."""
    columns = ", ".join(
        _q(Sample._meta.get_field(name).column)
        for name in ("tube", "round", "purpose", "sampled_at", "person", "handoff")
    )
    head = f"INSERT INTO {_q(Sample._meta.db_table)} ({columns}) "
    if rows_count is None:
        return (
            head + "SELECT %s, %s, %s, %s, s.person, s.handoff "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS s(person, handoff)"
        )
    return head + "VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * rows_count)


def _tube_write(pk: int, changes: dict) -> rows.Write:
    fields = [Tube._meta.get_field(n) for n in changes]
    params = [f.get_db_prep_save(changes[f.name], connection) for f in fields]
    return rows.Write(_update_tube_sql(tuple(changes)), [*params, pk])


@functools.lru_cache(maxsize=16)
def _update_tube_sql(names: tuple[str, ...]) -> str:
    sets = ", ".join(f"{_q(Tube._meta.get_field(n).column)} = %s" for n in names)
    return f"UPDATE {_q(Tube._meta.db_table)} SET {sets} WHERE id = %s"


def _lock_tube(barcode: str) -> Tube | None:
    """The tube with ``barcode``, locked for this transaction, with its area's
    path loaded (the jurisdiction check needs it): one statement."""
    with rows.cursor() as cursor:
        cursor.execute(_lock_tube_sql(), [barcode])
        row = cursor.fetchone()
    if row is None:
        return None
    tube = rows.loader(Tube).load(row[:-1])
    tube.area = Area.from_db(connection.alias, ["id", "path"], [tube.area_id, row[-1]])
    return tube


@functools.cache
def _lock_tube_sql() -> str:
    lock = " FOR UPDATE OF t" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT {rows.loader(Tube).select('t')}, a.path FROM {_q(Tube._meta.db_table)} t "
        f"JOIN {_q(Area._meta.db_table)} a ON a.id = t.area_id WHERE t.barcode = %s{lock}"
    )


def do_scan(
    *,
    acting_user,
    barcode: str,
    codes: Sequence[str],
    site: SamplingSite | None = None,
    round: TestingRound | None = None,
    pool_size: int | None = None,
    team: SamplingTeam | None = None,
    purpose: str = Purpose.ROUND,
    sampled_at: dt.datetime | None = None,
    request=None,
) -> ScanResult:
    """Scan people's codes into a tube; open the tube on its first scan at ``site``.

    Nothing is written unless all of it is: the tube, its samples and the
    audit record land together or not at all.
    """
    at = sampled_at or now()
    barcode = (barcode or "").strip()
    if not barcode:
        refuse("tube", "required", _("Scan the tube's barcode first."))
    if len(codes) > MAX_SCANS:
        refuse(
            "codes",
            "too_many",
            _("At most %(n)s scans in one request.") % {"n": MAX_SCANS},
        )
    if purpose not in Purpose.values:
        refuse("purpose", "invalid", _("Unknown purpose."), purpose)
    scan = {
        "acting_user": acting_user,
        "barcode": barcode,
        "codes": codes,
        "site": site,
        "round_": round,
        "pool_size": pool_size,
        "team": team,
        "purpose": purpose,
        "at": at,
        "request": request,
    }
    result = _scan_whole_new_tube(**scan)
    if result is None:
        result = _scan(**scan)
    return result


def _judge(
    codes: Sequence[str], persons: dict[str, ScannedPerson], tube: Tube, result: ScanResult
) -> tuple[list[int], bool]:
    """Accept or refuse each code (into ``result``): the accepted persons in
    scan order, and whether any of them has a scheduled test due."""
    room = tube.pool_size - tube.samples_count
    new: list[int] = []
    in_tube: set[int] = set()
    due = False
    for index, code in enumerate(codes):
        code = (code or "").strip()
        person = persons.get(code)
        problem = None
        if person is None:
            message = (
                _("Unknown code: no person in the index has it.")
                if parse_code(code)
                else _(
                    "Unreadable code: not a health-code QR, an identity number or a person number."
                )
            )
            problem = ("unknown", message)
        elif person.in_tube or person.pk in in_tube:
            problem = ("duplicate", _("Already scanned into this tube."))
        elif person.sampled_in:
            problem = (
                "already_sampled",
                _("Already sampled in this round (tube %(b)s).") % {"b": person.sampled_in},
            )
        elif room <= 0:
            problem = (
                "tube_full",
                _("The tube is full (%(k)s swabs); scan the rest into a new tube.")
                % {"k": tube.pool_size},
            )
        if problem:
            result.refused.append(Problem(index, "codes", *problem, code))
            continue
        room -= 1
        in_tube.add(person.pk)
        due = due or person.test_due
        new.append(person.pk)
        result.accepted.append({"index": index, "person_id": person.pk})
    return new, due


def _fill(tube: Tube, count: int, at: dt.datetime, result: ScanResult) -> dict:
    """Count ``count`` new samples into ``tube`` (closed when full): the changed fields."""
    tube.samples_count += count
    changes = {"samples_count": tube.samples_count}
    if tube.sampled_at is None:
        tube.sampled_at = changes["sampled_at"] = at
    if tube.samples_count >= tube.pool_size:
        tube.status = changes["status"] = TubeStatus.CLOSED
        tube.closed_at = changes["closed_at"] = at
        result.closed = True
    return changes


def _record_scan(acting_user, tube, result, site, request, writes) -> None:
    """The scan's audit record; the samples and the tube travel with it, in one statement."""
    audit.record(
        actor=acting_user,
        action="testing.scan",
        obj=tube,
        detail={
            "accepted": [a["person_id"] for a in result.accepted],
            "refused": len(result.refused),
            "closed": result.closed,
        },
        request=request,
        area=site.area if site is not None and site.pk == tube.site_id else tube.area,
        along=writes,
    )


def _scan_whole_new_tube(
    *, acting_user, barcode, codes, site, round_, pool_size, team, purpose, at, request
) -> ScanResult | None:
    """A new tube's whole pool of codes in one request, as a phone sends each
    tube once it is full: on PostgreSQL two statements and no transaction to
    open and commit. One looks the codes up, one writes the tube (with its
    final count and state), its samples and the audit record, all or nothing
    as any single statement is.

    None when this does not apply, with nothing written: another database; no
    site; fewer codes than the tube holds; anything the opening refuses; a
    scheduled test due (its hand-off work runs in the usual transaction); a
    tube with this barcode opened already (a retry, a concurrent open: the
    write fails on the barcode's unique key). The caller then scans in the
    usual order, which answers each of these as always.
    """
    if connection.vendor != "postgresql" or site is None:
        return None
    if len(codes) < (pool_size or (round_.pool_size if round_ else 1)):
        return None
    try:
        require_operations(acting_user, site.area)
        tube = _new_tube(
            barcode,
            site=site,
            round_=round_,
            pool_size=pool_size,
            team=team,
            purpose=purpose,
            at=at,
        )
    except (InputError, PermissionDenied):
        return None
    persons = resolve_codes(
        codes,
        round_id=tube.round_id if tube.purpose == Purpose.ROUND else None,
        due_kinds=due_kinds(tube.pool_size),
        at=at,
    )
    result = ScanResult(tube=tube, opened=True)
    new, due = _judge(codes, persons, tube, result)
    if due:
        return None
    tube.pk = rows.reserve_id(Tube)
    tube.area = site.area
    if new:
        _fill(tube, len(new), at, result)  # the tube is written with its final count
    writes = [rows.insert_write(tube)]
    if new:
        writes.append(_samples_write(tube, at, new, [None] * len(new)))
    try:
        # Inside a caller's transaction, a savepoint keeps a refused write from
        # spoiling it; on its own, the statement is its own transaction.
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            _record_scan(acting_user, tube, result, site, request, writes)
    except IntegrityError:
        return None
    tube._state.adding = False
    return result


@transaction.atomic
def _scan(
    *, acting_user, barcode, codes, site, round_, pool_size, team, purpose, at, request
) -> ScanResult:
    """The usual order: lock the tube (or open it), judge the codes, write."""
    tube = _lock_tube(barcode)
    opened = False
    if tube is None:
        if site is None:
            refuse("tube", "unknown", _("Unknown tube barcode %(b)s.") % {"b": barcode}, barcode)
        require_operations(acting_user, site.area)
        tube, opened = _open_tube(
            barcode,
            site=site,
            round_=round_,
            pool_size=pool_size,
            team=team,
            purpose=purpose,
            at=at,
        )
    if not opened:
        require_operations(acting_user, tube.area)
        if site is not None and tube.site_id != site.pk:
            refuse("tube", "other_site", _("This tube was opened at another site."), barcode)
        if round_ is not None and tube.round_id != round_.pk:
            refuse("tube", "other_round", _("This tube belongs to another round."), barcode)
    result = ScanResult(tube=tube, opened=opened)
    if tube.status != TubeStatus.OPEN:
        refuse(
            "tube",
            "closed",
            _("Tube %(b)s is closed (%(status)s); open a new tube.")
            % {"b": barcode, "status": tube.get_status_display()},
            barcode,
        )
    persons = resolve_codes(
        codes,
        round_id=tube.round_id if tube.purpose == Purpose.ROUND else None,
        tube_id=None if opened else tube.pk,
        due_kinds=due_kinds(tube.pool_size),
        at=at,
    )
    new, due = _judge(codes, persons, tube, result)
    writes: list[rows.Write] = []
    if new:
        handoffs = [None] * len(new)
        if due:
            # Rare (a contact's scheduled test): the hand-off work uses samples.
            samples = [
                Sample(tube=tube, person_id=pk, round_id=tube.round_id, purpose=tube.purpose)
                for pk in new
            ]
            _attach_handoffs(samples, tube, at, acting_user)
            handoffs = [s.handoff_id for s in samples]
        writes = [_samples_write(tube, at, new, handoffs)]
        writes.append(_tube_write(tube.pk, _fill(tube, len(new), at, result)))
    _record_scan(acting_user, tube, result, site, request, writes)
    return result


@transaction.atomic
def do_close_tube(tube: Tube, *, acting_user, request=None) -> Tube:
    """Close a tube before it is full (the last people of a queue)."""
    tube = Tube.objects.select_for_update().get(pk=tube.pk)
    require_operations(acting_user, tube.area)
    if tube.status != TubeStatus.OPEN:
        refuse("tube", "closed", _("The tube is closed already."), tube.barcode)
    if tube.samples_count == 0:
        refuse("tube", "empty", _("An empty tube cannot be closed; it is not sent."), tube.barcode)
    tube.status = TubeStatus.CLOSED
    tube.closed_at = now()
    tube.save(update_fields=["status", "closed_at"])
    audit.record(
        actor=acting_user, action="testing.tube_close", obj=tube, request=request, area=tube.area
    )
    return tube
