"""Writes of the testing app: every one a ``do_*`` function in a transaction,
taking ``acting_user`` and writing its audit record."""

from .bulk import SampleImport, TubeUpload, do_import_samples
from .common import InputError, Problem
from .results import ResultRow, do_record_results, follow_up_results, parse_results_csv
from .rounds import (
    do_create_round,
    do_create_schedule,
    do_run_schedule,
    do_set_exempt,
    target_persons,
)
from .sampling import do_create_lab, do_create_site, do_deliver, do_receive_batch
from .scanning import (
    MAX_SCANS,
    QR_PREFIX,
    ScanResult,
    do_close_tube,
    do_scan,
    parse_code,
    qr_payload,
    resolve_codes,
)
from .uploads import SwabRow, do_upload_samples, read_sample_file, swab_row

__all__ = [
    "MAX_SCANS",
    "QR_PREFIX",
    "InputError",
    "Problem",
    "ResultRow",
    "SampleImport",
    "ScanResult",
    "SwabRow",
    "TubeUpload",
    "do_close_tube",
    "do_create_lab",
    "do_create_round",
    "do_create_schedule",
    "do_create_site",
    "do_deliver",
    "do_import_samples",
    "do_receive_batch",
    "do_record_results",
    "do_run_schedule",
    "do_scan",
    "do_set_exempt",
    "do_upload_samples",
    "follow_up_results",
    "parse_code",
    "parse_results_csv",
    "qr_payload",
    "read_sample_file",
    "resolve_codes",
    "swab_row",
    "target_persons",
]
