"""Contact-graph expansion (密接/次密接研判) over edge tables, without Django."""

from .expand import CASES, CONTACTS, EXPOSURES, QUARANTINED, expand_contacts

__all__ = ["CASES", "CONTACTS", "EXPOSURES", "QUARANTINED", "expand_contacts"]
