"""Every write of the cold-chain app: stores and batches, their documents and
release, handling and distribution, samples and the tracing of a positive one,
and the spreadsheets from customs. Each ``do_*`` runs in a transaction, checks
the capability and the jurisdiction, and writes its audit record."""

from .batches import (
    do_create_batch,
    do_create_store,
    do_release_batch,
    do_release_complete_batches,
    do_set_documents,
)
from .downstream import do_distribute, do_record_handling
from .imports import do_import_batches
from .samples import do_record_sample

__all__ = [
    "do_create_batch",
    "do_create_store",
    "do_distribute",
    "do_import_batches",
    "do_record_handling",
    "do_record_sample",
    "do_release_batch",
    "do_release_complete_batches",
    "do_set_documents",
]
