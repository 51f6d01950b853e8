"""Writes of health codes (健康码): recompute by rule, manual overrides, refresh.

``do_recompute_codes`` is the one path by which a code changes by rule. Every
app that changes a fact (a case, a contact, a test result, an arrival, a
placement) calls it with the persons concerned. It is a bulk path: persons are
taken in batches; each batch's facts are gathered from every contributor
(``zhanyi.people.health_facts.gather``), decided in the engine
(``zhanyi.engine.codes.decide_many``) and only the codes that changed are
written through ``zhanyi.core.db.bulk``, plus one history row each. The
whole call is one transaction and one audit record.

No capability is checked there: the code is a function of facts that were
written by checked actions, so anyone who may change a fact may cause the
code to follow it. Overrides are different: a person asks (``edit_person``),
a *different* person approves (``approve``), both in the person's
jurisdiction, and each step is audited.
"""

from __future__ import annotations

from .overrides import (
    do_approve_override,
    do_end_override,
    do_reject_override,
    do_request_override,
)
from .reads import record_code_list, record_code_view
from .recompute import all_person_ids, do_recompute_codes
from .refresh import RefreshResult, do_refresh_codes
from .rules import code_rules, protocol

__all__ = [
    "RefreshResult",
    "all_person_ids",
    "code_rules",
    "do_approve_override",
    "do_end_override",
    "do_recompute_codes",
    "do_refresh_codes",
    "do_reject_override",
    "do_request_override",
    "protocol",
    "record_code_list",
    "record_code_view",
]
