"""The scan's hand-written reads and writes (fast path): ``ScanStatements``.

They stand for ``actions.scanning.OrmStatements`` and answer alike, in fewer
and cheaper statements: each is written once per process and, on PostgreSQL,
prepared on its connection (``zhanyi.core.fastpath.statements``); a code list
travels as one array, so its statement is the same for any number of codes;
the samples and the tube's update travel in the audit record's insert
(``zhanyi.accounts.fastpath.audit``). A whole new tube in one request (a
phone that sends each tube once it is full) is written in one statement, with
no transaction to open or commit (``ScanStatements.whole_new_tube``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from zhanyi.accounts.fastpath.audit import record_if_inserted, record_with_writes
from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import jurisdiction
from zhanyi.core.db import dialect
from zhanyi.core.fastpath import statements, writes
from zhanyi.handoffs.models import Handoff, HandoffStatus
from zhanyi.people.models import Person
from zhanyi.places.models import Area
from zhanyi.testing.actions.common import InputError, require_operations, round_in_reach
from zhanyi.testing.actions.sampling import due_kinds
from zhanyi.testing.actions.scanning import (
    Found,
    ScannedPerson,
    ScanResult,
    fill,
    judge,
    new_tube,
    resolve_codes,
    scan_record,
)
from zhanyi.testing.models import Purpose, Sample, SamplingSite, TestingRound, Tube
from zhanyi.testing.queries import require_view


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


def _in(column: str, values: list, sql_type: str) -> str:
    """``column`` is one of ``values``: one array parameter on PostgreSQL, so
    that the statement's text (and its prepared plan) is the same whatever
    the number of codes; a list of placeholders elsewhere."""
    return dialect.pick(
        postgresql=f"{column} = ANY(%s::{sql_type}[])",
        sqlite=f"{column} IN ({', '.join(['%s'] * len(values))})",
    )


def _in_params(values: list) -> list:
    return dialect.pick(postgresql=[values], sqlite=values)


def _lookup(ids: list[int], numbers: list[str], *, round_id, tube_id, due_kinds, at) -> list[Found]:
    """``scanning._lookup`` in one prepared statement."""
    clauses, where_params = [], []
    if ids:
        clauses.append(_in("p.id", ids, "bigint"))
        where_params += _in_params(ids)
    if numbers:
        clauses.append(_in("p.identity_number", numbers, "text"))
        where_params += _in_params(numbers)
    where = " OR ".join(clauses)
    sql = _lookup_sql(where, round_id is not None, tube_id is not None, len(due_kinds))
    params: list = []
    if round_id is not None:
        params += [round_id, Purpose.ROUND.value]
    if tube_id is not None:
        params.append(tube_id)
    params += [*due_kinds, HandoffStatus.OPEN.value, TaskForceKind.TESTING.value, at]
    with statements.cursor() as cursor:
        cursor.execute(sql, [*params, *where_params])
        found = cursor.fetchall()
    return [
        (pk, identity or "", merged, ScannedPerson(pk, sampled, bool(inside), bool(due)))
        for pk, identity, merged, sampled, inside, due in found
    ]


def _samples_write(tube: Tube, at: dt.datetime, persons: list[int], handoffs: list) -> writes.Write:
    """The INSERT of a scan's samples, one statement without model instances:
    they share their tube, round, purpose and time, adapted once."""
    shared = [
        tube.pk,
        tube.round_id,
        tube.purpose,
        Sample._meta.get_field("sampled_at").get_db_prep_save(at, connection),
    ]
    if dialect.is_postgresql():
        # Two array parameters, whatever the number of samples.
        return writes.Write(_insert_samples_sql(None), [*shared, persons, handoffs])
    return writes.Write(
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


def _new_tube_samples_write(tube: Tube, at: dt.datetime, persons: list[int]) -> writes.Write:
    """The INSERT of a new tube's samples (PostgreSQL), carried by the tube's
    own insert: they read the tube's key, given in that statement, from
    ``writes.WRITTEN``."""
    shared = [
        tube.round_id,
        tube.purpose,
        Sample._meta.get_field("sampled_at").get_db_prep_save(at, connection),
    ]
    return writes.Write(_insert_new_tube_samples_sql(), [*shared, persons])


@functools.cache
def _insert_new_tube_samples_sql() -> str:
    columns = ", ".join(
        _q(Sample._meta.get_field(name).column)
        for name in ("tube", "round", "purpose", "sampled_at", "person")
    )
    return (
        f"INSERT INTO {_q(Sample._meta.db_table)} ({columns}) "
        f"SELECT {writes.WRITTEN}.id, %s, %s, %s, s.person "
        f"FROM {writes.WRITTEN}, unnest(%s::bigint[]) AS s(person)"
    )


def _tube_write(pk: int, changes: dict) -> writes.Write:
    fields = [Tube._meta.get_field(n) for n in changes]
    params = [f.get_db_prep_save(changes[f.name], connection) for f in fields]
    return writes.Write(_update_tube_sql(tuple(changes)), [*params, pk])


@functools.lru_cache(maxsize=16)
def _update_tube_sql(names: tuple[str, ...]) -> str:
    sets = ", ".join(f"{_q(Tube._meta.get_field(n).column)} = %s" for n in names)
    return f"UPDATE {_q(Tube._meta.db_table)} SET {sets} WHERE id = %s"


@functools.cache
def _lock_tube_sql() -> str:
    lock = " FOR UPDATE OF t" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT {statements.loader(Tube).select('t')}, a.path "
        f"FROM {_q(Tube._meta.db_table)} t "
        f"JOIN {_q(Area._meta.db_table)} a ON a.id = t.area_id WHERE t.barcode = %s{lock}"
    )


class ScanStatements:
    """``OrmStatements`` in hand-written, prepared statements."""

    lookup = staticmethod(_lookup)

    @staticmethod
    def lock_tube(barcode: str) -> Tube | None:
        """The tube with ``barcode``, locked for this transaction, with its
        area's path loaded (the jurisdiction check needs it): one statement."""
        with statements.cursor() as cursor:
            cursor.execute(_lock_tube_sql(), [barcode])
            row = cursor.fetchone()
        if row is None:
            return None
        tube = statements.loader(Tube).load(row[:-1])
        tube.area = Area.from_db(connection.alias, ["id", "path"], [tube.area_id, row[-1]])
        return tube

    @staticmethod
    def insert_tube(tube: Tube) -> bool:
        """Write a new tube: False (nothing written) when its barcode is taken;
        one statement, no savepoint, safe against a concurrent insert."""
        return writes.insert(tube, unless_exists="barcode")

    @staticmethod
    def write(
        tube: Tube, at: dt.datetime, persons: list[int], handoffs: list, changes: dict, record: dict
    ) -> None:
        """The samples and the tube's changes, carried by the audit record's insert."""
        carried = []
        if persons:
            carried.append(_samples_write(tube, at, persons, handoffs))
        if changes:
            carried.append(_tube_write(tube.pk, changes))
        record_with_writes(carried, **record)

    @staticmethod
    def whole_new_tube(
        *, acting_user, barcode, codes, site, round_, pool_size, team, purpose, at, request
    ) -> ScanResult | None:
        """A new tube's whole pool of codes in one request, as a phone sends
        each tube once it is full: on PostgreSQL two statements and no
        transaction to open and commit. One looks the codes up, one writes
        the tube (with its final count and state), its samples and the audit
        record, all or nothing as any single statement is; the tube's key is
        given by its sequence in that statement (none reserved ahead).

        None when this does not apply, with nothing written: another
        database; no site; fewer codes than the tube holds; anything the
        opening refuses; a scheduled test due (its hand-off work runs in the
        usual transaction); a tube with this barcode opened already (a retry,
        a concurrent open: the insert skips the taken barcode and writes
        nothing, samples and record included). The
        caller then scans in the usual order, which answers each of these as
        always.
        """
        if not dialect.is_postgresql() or site is None:
            return None
        if len(codes) < (pool_size or (round_.pool_size if round_ else 1)):
            return None
        try:
            require_operations(acting_user, site.area)
            tube = new_tube(
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
            lookup=_lookup,
        )
        result = ScanResult(tube=tube, opened=True)
        new, due = judge(codes, persons, tube, result)
        if due:
            return None
        tube.area = site.area
        if new:
            fill(tube, len(new), at, result)  # the tube is written with its final count
        record = scan_record(acting_user, tube, result, site, request)
        del record["obj"]
        carried = [_new_tube_samples_write(tube, at, new)] if new else []
        try:
            # Inside a caller's transaction, a savepoint keeps a refused write
            # from spoiling it; on its own, the statement is its own transaction.
            atomic = transaction.atomic() if connection.in_atomic_block else None
            with atomic or contextlib.nullcontext():
                written = record_if_inserted(
                    tube, unless_exists="barcode", carrying=carried, **record
                )
        except IntegrityError:
            return None
        if written is None:  # the barcode is taken: nothing written
            tube.pk = None
            return None
        return result


@functools.cache
def context_query() -> tuple[str, str]:
    """The column list and the joins (taking the site's and the round's id,
    in that order) of the scan's context, ``queries.scan_context`` in plain
    SQL: the scan lane joins them to the token's query, ``context_of`` reads
    its row."""
    area = _q(Area._meta.db_table)
    return (
        f"{statements.loader(SamplingSite).select('x')}, xa.path, "
        f"{statements.loader(TestingRound).select('r')}, ra.path",
        f"LEFT JOIN {_q(SamplingSite._meta.db_table)} x ON x.id = %s AND x.active "
        f"LEFT JOIN {area} xa ON xa.id = x.area_id "
        f"LEFT JOIN {_q(TestingRound._meta.db_table)} r ON r.id = %s "
        f"LEFT JOIN {area} ra ON ra.id = r.area_id",
    )


def context_of(
    user, site_id: int | None, round_id: int | None, row: Sequence
) -> tuple[SamplingSite | None, TestingRound | None]:
    """``queries.scan_context``'s answer from a row of ``context_query``'s columns."""
    require_view(user)
    sites, rounds = statements.loader(SamplingSite), statements.loader(TestingRound)
    site_values, site_path = row[: sites.width], row[sites.width]
    round_values, round_path = row[sites.width + 1 : -1], row[-1]
    site = round_ = None
    if site_id is not None:
        if site_values[0] is not None:
            site = sites.load(site_values)
            site.area = Area.from_db(connection.alias, ["id", "path"], [site.area_id, site_path])
        if site is None or not jurisdiction.can_see_area(user, site.area):
            raise Http404("no such site")
    if round_id is not None:
        if round_values[0] is not None:
            round_ = rounds.load(round_values)
            round_.area = Area.from_db(
                connection.alias, ["id", "path"], [round_.area_id, round_path]
            )
        if round_ is None or not round_in_reach(user, round_):
            raise Http404("no such round")
    return site, round_
