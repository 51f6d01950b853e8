"""Writes of the command app: headquarters and hand-offs between task forces."""

from .handoffs import (
    HandoffSpec,
    do_cancel_handoffs,
    do_close_handoff,
    do_create_handoffs,
    do_extend_test_schedules,
    do_record_scheduled_test,
)
from .headquarters import do_set_up_headquarters

__all__ = [
    "HandoffSpec",
    "do_cancel_handoffs",
    "do_close_handoff",
    "do_create_handoffs",
    "do_extend_test_schedules",
    "do_record_scheduled_test",
    "do_set_up_headquarters",
]
