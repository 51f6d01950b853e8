"""Writes of the command app: the headquarters' work."""

from .headquarters import do_set_up_headquarters
from .reports import do_comment_report, do_take_due_report, do_take_report

__all__ = ["do_comment_report", "do_set_up_headquarters", "do_take_due_report", "do_take_report"]
