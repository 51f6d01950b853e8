"""Writes of the tracing app (流调). Every change goes through here.

Each ``do_*`` function runs in one transaction, takes the acting user as a
keyword, checks capability and jurisdiction, writes the audit record, and
recomputes the health codes of the persons whose tracing facts changed.
"""

from .assignment import choose_team, do_assign_case
from .cases import (
    DuplicateCase,
    do_complete_investigation,
    do_create_case,
    do_create_case_from_result,
    do_update_case,
    do_void_case,
)
from .common import record_case_view, record_contacts_view, record_graph_view
from .companions import current_cases_table, do_add_companions, write_current_cases
from .contacts import (
    ExpandResult,
    case_window,
    do_expand_contacts,
    do_mark_quarantined,
    do_release_contact,
    handoff_specs,
    test_schedule,
)
from .hospital import receive_admission, receive_discharge
from .investigation import do_add_interview, do_add_trajectory_entry, do_record_exposure
from .sources import chain_above, do_record_source

__all__ = [
    "DuplicateCase",
    "ExpandResult",
    "case_window",
    "chain_above",
    "choose_team",
    "current_cases_table",
    "do_add_companions",
    "do_add_interview",
    "do_add_trajectory_entry",
    "do_assign_case",
    "do_complete_investigation",
    "do_create_case",
    "do_create_case_from_result",
    "do_expand_contacts",
    "do_mark_quarantined",
    "do_record_exposure",
    "do_record_source",
    "do_release_contact",
    "do_update_case",
    "do_void_case",
    "handoff_specs",
    "receive_admission",
    "receive_discharge",
    "record_case_view",
    "record_contacts_view",
    "record_graph_view",
    "test_schedule",
    "write_current_cases",
]
