"""Writes of the tracing app (流调). Every change goes through here.

Each ``do_*`` function runs in one transaction, takes the acting user as a
keyword, checks capability and jurisdiction, writes the audit record, and
recomputes the health codes of the persons whose tracing facts changed.
"""

from .cases import (
    do_complete_investigation,
    do_create_case,
    do_create_case_from_result,
    do_discharge_case,
    do_update_case,
)

__all__ = [
    "do_complete_investigation",
    "do_create_case",
    "do_create_case_from_result",
    "do_discharge_case",
    "do_update_case",
]
