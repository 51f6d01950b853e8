"""Writes to the person index (人员库). Every change of personal data goes through here.

Each ``do_*`` function runs in one transaction, takes the acting user as a
keyword, checks the user's capability and jurisdiction (the web views and the
API check too, but this is the one path every write takes), keeps the person's
history and writes the audit record.

The bulk import (``do_import_persons``) is the exception that proves the rule:
it is a system path for loading a city, checked row by row but written with
``bulk_create`` and recorded as one audit event.
"""

from .health_codes import (
    RefreshResult,
    do_approve_override,
    do_end_override,
    do_recompute_codes,
    do_refresh_codes,
    do_reject_override,
    do_request_override,
    record_code_list,
    record_code_view,
)
from .imports import ImportCounts, do_import_persons
from .merge import MergeError, do_merge_persons, do_undo_merge, person_links
from .persons import (
    EDITABLE_FIELDS,
    DuplicatePersonError,
    do_add_source_record,
    do_create_person,
    do_update_person,
)
from .reads import record_person_search, record_person_view

__all__ = [
    "EDITABLE_FIELDS",
    "DuplicatePersonError",
    "ImportCounts",
    "MergeError",
    "RefreshResult",
    "do_add_source_record",
    "do_approve_override",
    "do_create_person",
    "do_end_override",
    "do_import_persons",
    "do_merge_persons",
    "do_recompute_codes",
    "do_refresh_codes",
    "do_reject_override",
    "do_request_override",
    "do_undo_merge",
    "do_update_person",
    "person_links",
    "record_code_list",
    "record_code_view",
    "record_person_search",
    "record_person_view",
]
