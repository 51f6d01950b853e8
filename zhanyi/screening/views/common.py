"""What the screening pages share: the page size and what the user may do."""

from __future__ import annotations

from zhanyi.accounts.roles import has_capability
from zhanyi.people import display
from zhanyi.screening import queries
from zhanyi.screening.actions.linking import can_review

PAGE_SIZE = 30


def abilities(user) -> dict:
    """What ``user`` may do on the screening pages (the templates' switches)."""
    return {
        "can_import": queries.can_import(user),
        "can_review": can_review(user),
        "can_edit": has_capability(user, "edit_person"),
        "can_reassign": has_capability(user, "edit_operations"),
        "can_export": has_capability(user, "export"),
        "shows_identity": display.shows_identity(user),
        "shows_phone": display.shows_phone(user),
    }
