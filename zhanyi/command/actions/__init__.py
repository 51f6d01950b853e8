"""Writes of the command app: the headquarters' work."""

from .directives import (
    do_acknowledge_directive,
    do_escalate_overdue_directives,
    do_issue_directive,
    do_report_directive_done,
    do_verify_directive,
)
from .headquarters import (
    do_add_task_force,
    do_set_member,
    do_set_task_force_lead,
    do_set_up_headquarters,
    do_twin_counties,
)
from .meetings import do_record_decision, do_record_meeting
from .plans import do_approve_plan_version, do_draft_plan_version, do_edit_plan_version
from .reports import do_comment_report, do_take_due_report, do_take_report
from .supervision import (
    do_add_finding,
    do_create_group,
    do_record_accountability,
    do_record_visit,
    do_rectify,
)

__all__ = [
    "do_acknowledge_directive",
    "do_add_finding",
    "do_add_task_force",
    "do_approve_plan_version",
    "do_comment_report",
    "do_create_group",
    "do_draft_plan_version",
    "do_edit_plan_version",
    "do_escalate_overdue_directives",
    "do_issue_directive",
    "do_record_accountability",
    "do_record_decision",
    "do_record_meeting",
    "do_record_visit",
    "do_rectify",
    "do_report_directive_done",
    "do_set_member",
    "do_set_task_force_lead",
    "do_set_up_headquarters",
    "do_take_due_report",
    "do_take_report",
    "do_twin_counties",
    "do_verify_directive",
]
