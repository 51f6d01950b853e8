"""Every write of the workforce app: deployments, mutual-aid teams, party
branches, roster imports. Each ``do_*`` runs in a transaction, checks the
capability and the jurisdiction, and writes its audit record."""

from .deployments import (
    do_add_branch,
    do_deploy,
    do_end_deployment,
    do_move_team,
    do_register_team,
)
from .rosters import do_import_roster

__all__ = [
    "do_add_branch",
    "do_deploy",
    "do_end_deployment",
    "do_import_roster",
    "do_move_team",
    "do_register_team",
]
