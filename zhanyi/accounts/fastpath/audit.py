"""An audit record written in one statement with the writes it records (fast path).

A scan writes its tube, its samples and its audit record, a check at a
checkpoint the check and its record; on PostgreSQL the rows travel as
data-modifying ``WITH`` clauses of one statement (``zhanyi.core.fastpath
.writes``), which saves a round trip per write and a transaction to open and
commit. The record stored is the one
``zhanyi.core.audit.record`` stores for the same arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from django.db.models import Model

from zhanyi.core import audit
from zhanyi.core.fastpath import writes
from zhanyi.core.models import AuditEvent


def record_with_writes(carried: Sequence[writes.Write], **fields) -> AuditEvent:
    """``audit.record(**fields)``, with ``carried`` in the same statement where
    the database allows (elsewhere just before it, in order)."""
    event = audit.new_event(**fields)
    writes.insert(event, carrying=carried)
    return event


def record_if_inserted(
    obj: Model, *, unless_exists: str, carrying: Sequence[writes.Write] = (), **fields
) -> AuditEvent | None:
    """INSERT ``obj`` unless a row holds its ``unless_exists`` value already,
    with the writes ``carrying`` (each reading ``obj``'s new key from
    ``writes.WRITTEN``) and ``audit.record(obj=obj, **fields)``'s record,
    only when it was written: on PostgreSQL one statement, ``obj``'s key
    given by its sequence in it (``writes.insert_new_with``). The record, or
    None when ``obj`` was not written (its value was taken)."""
    written = writes.insert_new_with(
        obj,
        unique=unless_exists,
        then=lambda o: audit.new_event(obj=o, **fields),
        naming="object_id",
        carrying=carrying,
    )
    return cast(AuditEvent | None, written)
