"""Every write of the care app (定点医院救治): hospitals and wards, admission,
condition, transfer, ward rounds and tests, discharge under the protocol's
criteria, and the monitoring after it. Each ``do_*`` runs in a transaction,
checks the capability and the jurisdiction, and writes its audit record."""

from .admissions import do_admit, do_record_condition, do_transfer
from .clinical import do_record_observation, do_record_test
from .discharge import do_discharge, failure_message, failures_at
from .hospitals import do_add_ward, do_create_hospital
from .monitoring import do_check_in, do_close_alert

__all__ = [
    "do_add_ward",
    "do_admit",
    "do_check_in",
    "do_close_alert",
    "do_create_hospital",
    "do_discharge",
    "do_record_condition",
    "do_record_observation",
    "do_record_test",
    "do_transfer",
    "failure_message",
    "failures_at",
]
