"""A check and its audit record written in one statement (fast path).

A check that names nobody writes two rows: the check and its audit record
(``checkpoints.check.record``). On PostgreSQL both travel in one statement
with no transaction to open or commit (``accounts.fastpath.audit
.record_if_inserted``), and a client id stored already makes the statement
write nothing (``ON CONFLICT DO NOTHING`` on the unique client id): no
exception, no rollback, and two copies arriving at once still make one row
and one record. Elsewhere the two inserts run in a transaction. The rows
are those ``Check.save`` and ``audit.record`` write.
"""

from __future__ import annotations

from zhanyi.accounts.fastpath import audit as carried_audit
from zhanyi.checkpoints.models import Check
from zhanyi.core.models import AuditEvent


def record_check(check: Check, **fields) -> AuditEvent | None:
    """Write ``check`` (its key given by the database in the same statement)
    and ``audit.record(obj=check, **fields)``'s record; the record, or None
    when the check's client id is stored already (nothing written)."""
    return carried_audit.record_if_inserted(check, unless_exists="client_id", **fields)
