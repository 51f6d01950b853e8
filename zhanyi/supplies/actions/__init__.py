"""Every write of the supplies app: items and holders, peak use, stock
movements, requests and their allocation, the cover check. Each ``do_*`` runs
in a transaction, checks the capability and the jurisdiction, and writes its
audit record."""

from .cover import do_check_cover
from .requests import do_approve_request, do_refuse_request, do_request_supplies
from .stock import do_create_holder, do_ensure_items, do_move_stock, do_set_peak_use

__all__ = [
    "do_approve_request",
    "do_check_cover",
    "do_create_holder",
    "do_ensure_items",
    "do_move_stock",
    "do_refuse_request",
    "do_request_supplies",
    "do_set_peak_use",
]
