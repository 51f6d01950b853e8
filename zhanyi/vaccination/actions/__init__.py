"""Every write of the vaccination app: vaccines and sites, appointments, doses
recorded at a site and imported in bulk. Each ``do_*`` runs in a transaction,
checks the capability and the jurisdiction, and writes its audit record."""

from .doses import do_record_dose
from .imports import do_import_doses
from .sites import do_add_vaccine, do_book_appointment, do_cancel_appointment, do_create_site
from .tallies import do_recount_coverage

__all__ = [
    "do_add_vaccine",
    "do_book_appointment",
    "do_cancel_appointment",
    "do_create_site",
    "do_import_doses",
    "do_record_dose",
    "do_recount_coverage",
]
