"""Publicity's writes (宣传): every change through a ``do_*`` action, audited."""

from .conferences import do_record_conference
from .media import do_record_media_report
from .notices import do_approve_notice, do_draft_notice, do_publish_notice
from .opinion import do_follow_up_opinion, do_record_opinion

__all__ = [
    "do_approve_notice",
    "do_draft_notice",
    "do_follow_up_opinion",
    "do_publish_notice",
    "do_record_conference",
    "do_record_media_report",
    "do_record_opinion",
]
