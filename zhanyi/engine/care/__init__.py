"""Hospital care (定点医院救治): the discharge criteria (出院标准) and the health
monitoring that follows discharge, as pure functions of the recorded facts."""

from .discharge import (
    Assessment,
    Failure,
    Reading,
    TestResult,
    check_discharge,
    monitoring_day,
    negative_run,
)

__all__ = [
    "Assessment",
    "Failure",
    "Reading",
    "TestResult",
    "check_discharge",
    "monitoring_day",
    "negative_run",
]
