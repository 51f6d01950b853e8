"""Tracing takes testing's case reports (``zhanyi.handoffs.receivers``)."""

from zhanyi.handoffs import receivers
from zhanyi.handoffs.models import HandoffKind
from zhanyi.tracing.actions import do_create_case_from_result


def test_tracing_takes_the_case_reports_once_the_apps_are_ready():
    assert receivers._RECEIVERS[HandoffKind.CASE_REPORT] is do_create_case_from_result
