"""The workflows the emergency plan's flowcharts govern, as the code runs them.

Each workflow names its model, the field holding its state, the choices of
that field (the states the code knows) and the transitions its actions make,
each with the function that makes it. ``code_transitions`` reads the actions'
source to find every assignment of a state, so a test fails when an action
makes a change of state this table does not declare; ``conformance`` then
compares the table with a plan's flowchart (``zhanyi.engine.flowcharts``).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path

from django.db import models
from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhanyi.core import jurisdiction
from zhanyi.engine import flowcharts
from zhanyi.quarantine.models import Placement, PlacementState, Trip, TripState
from zhanyi.tracing.models import Case, CaseStatus
from zhanyi.zones.models import Zone, ZoneState

from .models import Directive, DirectiveState


@dataclass(frozen=True)
class Step:
    source: str
    target: str
    #: The function (in ``Workflow.actions``) whose code makes the change.
    function: str


@dataclass(frozen=True)
class Workflow:
    key: str
    label: Promise
    model: type[models.Model]
    field: str
    choices: type[models.TextChoices]
    #: The package (or module) of the actions that change the state.
    actions: str
    steps: tuple[Step, ...]
    #: The area path the rows are scoped by (``jurisdiction.scope``).
    area_path: str

    def states(self) -> list[str]:
        return list(self.choices.values)

    def transitions(self) -> set[tuple[str, str]]:
        return {(s.source, s.target) for s in self.steps}


WORKFLOWS: dict[str, Workflow] = {
    w.key: w
    for w in [
        Workflow(
            "directive",
            _("Directives"),
            Directive,
            "state",
            DirectiveState,
            "zhanyi.command.actions.directives",
            (
                Step("issued", "acknowledged", "do_acknowledge_directive"),
                Step("acknowledged", "done", "do_report_directive_done"),
                Step("done", "verified", "do_verify_directive"),
            ),
            "area__path",
        ),
        Workflow(
            "case",
            _("Cases"),
            Case,
            "status",
            CaseStatus,
            "zhanyi.tracing.actions",
            (
                Step("investigating", "investigated", "do_complete_investigation"),
                Step("investigating", "discharged", "receive_discharge"),
                Step("investigated", "discharged", "receive_discharge"),
                Step("discharged", "investigating", "receive_admission"),
                Step("discharged", "investigated", "receive_admission"),
            ),
            "area__path",
        ),
        Workflow(
            "placement",
            _("Quarantine placements"),
            Placement,
            "state",
            PlacementState,
            "zhanyi.quarantine.actions",
            (
                Step("proposed", "placed", "_confirm_one"),
                Step("placed", "released", "do_release"),
                Step("placed", "positive", "do_end_for_positive"),
            ),
            "area__path",
        ),
        Workflow(
            "trip",
            _("Transfer trips"),
            Trip,
            "state",
            TripState,
            "zhanyi.quarantine.actions",
            (
                Step("planned", "under_way", "do_pick_up"),
                Step("under_way", "done", "do_deliver"),
            ),
            "site__area__path",
        ),
        Workflow(
            "zone",
            _("Risk zones"),
            Zone,
            "state",
            ZoneState,
            "zhanyi.zones.actions",
            (
                Step("proposed", "in_force", "do_approve_zone"),
                Step("proposed", "rejected", "do_reject_zone"),
                Step("in_force", "lifted", "do_lift_zone"),
            ),
            "area__path",
        ),
    ]
}


def _module_files(dotted: str) -> list[Path]:
    module = importlib.import_module(dotted)
    if not hasattr(module, "__path__"):
        return [Path(str(module.__file__))]
    return [
        Path(module.__path__[0]) / f"{info.name}.py"
        for info in pkgutil.iter_modules(module.__path__)
        if not info.ispkg
    ]


def code_transitions(workflow: Workflow) -> set[tuple[str, str]]:
    """(function, target state) for every assignment of the workflow's state
    in its actions' source: ``x.<field> = <Choices>.<MEMBER>`` (also inside a
    conditional expression) and ``.update(<field>=<Choices>.<MEMBER>)``."""
    enum = workflow.choices.__name__
    found: set[tuple[str, str]] = set()

    def targets(node: ast.AST) -> list[str]:
        return [
            getattr(workflow.choices, sub.attr).value
            for sub in ast.walk(node)
            if isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Name)
            and sub.value.id == enum
            and hasattr(workflow.choices, sub.attr)
        ]

    for path in _module_files(workflow.actions):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Attribute) and t.attr == workflow.field for t in node.targets
                ):
                    found.update((func.name, state) for state in targets(node.value))
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "update"
                ):
                    for keyword in node.keywords:
                        if keyword.arg == workflow.field:
                            found.update((func.name, state) for state in targets(keyword.value))
    return found


def conformance(chart: flowcharts.Flowchart) -> list[flowcharts.Discrepancy]:
    """How a plan's flowchart and the code disagree (none for a flowchart
    of no workflow zhanyi runs)."""
    workflow = WORKFLOWS.get(chart.key)
    if workflow is None:
        return []
    return flowcharts.compare(chart, workflow.states(), workflow.transitions())


def blocking(chart: flowcharts.Flowchart) -> list[flowcharts.Discrepancy]:
    """The disagreements that stop a plan being approved: a state the code
    does not know, a transition the code makes that the flowchart lacks."""
    return [d for d in conformance(chart) if d.kind != "unused_transition"]


def state_counts(workflow: Workflow, user) -> dict[str, int]:
    """How many of the workflow's items are in each state, within the
    reader's jurisdiction (``None``: the command line, the whole city)."""
    rows = workflow.model._default_manager.all()
    if user is not None:
        rows = jurisdiction.scope(rows, user, workflow.area_path)
    return {
        row[workflow.field]: row["n"]
        for row in rows.order_by().values(workflow.field).annotate(n=Count("pk"))
    }
