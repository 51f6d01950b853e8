"""Writes of the screening app (协查/人员排查). Each ``do_*`` runs in a transaction,
takes ``acting_user`` and writes the audit record.

``do_import_push_list(source, file, *, filename, acting_user, progress=None)``
is the intake's one entry point (web, API, command line, benchmark);
``preview_columns`` (which writes nothing) shows what it would read of a file.
"""

from .campaign import do_record_visit, do_start_campaign, door_to_door_source
from .dispatch import do_escalate_overdue
from .fieldwork import do_add_step, do_reassign_task, do_record_outcome, do_record_outcomes
from .intake import do_import_push_list, preview_columns
from .linking import do_confirm_candidate, do_reject_candidates
from .sources import do_save_source

__all__ = [
    "do_add_step",
    "do_confirm_candidate",
    "do_escalate_overdue",
    "do_import_push_list",
    "do_reassign_task",
    "do_record_outcome",
    "do_record_outcomes",
    "do_record_visit",
    "do_reject_candidates",
    "do_save_source",
    "do_start_campaign",
    "door_to_door_source",
    "preview_columns",
]
