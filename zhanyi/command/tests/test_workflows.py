"""The workflows follow the emergency plan's flowcharts: every change of
state the actions' code makes is declared (``command.workflows``), and the
plan in force draws each of them and names only states the code knows."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhanyi.command import actions
from zhanyi.command.models import Directive, DirectiveState, PlanVersion
from zhanyi.command.queries import plan_in_force
from zhanyi.command.workflows import WORKFLOWS, blocking, code_transitions
from zhanyi.core.audit import SystemActor
from zhanyi.engine import flowcharts

SYSTEM = SystemActor("test")


@pytest.mark.parametrize("key", sorted(WORKFLOWS))
def test_every_change_of_state_in_the_code_is_declared(key):
    workflow = WORKFLOWS[key]
    declared = {(step.function, step.target) for step in workflow.steps}
    assert code_transitions(workflow) == declared
    for step in workflow.steps:
        assert {step.source, step.target} <= set(workflow.states()), step


@pytest.mark.parametrize("key", sorted(WORKFLOWS))
def test_the_standard_flowcharts_draw_every_transition_the_code_makes(key):
    chart = next(c for c in flowcharts.standard() if c.key == key)
    assert blocking(chart) == []


@pytest.mark.django_db
def test_the_plan_in_force_is_followed_by_the_code():
    plan = actions.do_draft_plan_version(
        acting_user=SYSTEM, number=4, title="第四版", effective_on=dt.date(2021, 9, 1)
    )
    actions.do_approve_plan_version(plan, acting_user=SYSTEM)
    in_force = plan_in_force()
    assert isinstance(in_force, PlanVersion)
    charts = {c.key: c for c in in_force.charts()}
    for key, workflow in WORKFLOWS.items():
        assert key in charts
        assert workflow.transitions() <= charts[key].edges(), key
        assert set(charts[key].states) <= set(workflow.states()), key


@pytest.mark.django_db
def test_the_directive_actions_make_exactly_the_transitions_the_flowchart_draws(world):
    """Every directive step tried from every state: it succeeds exactly where
    the standard flowchart draws the transition."""
    chart = next(c for c in flowcharts.standard() if c.key == "directive")
    steps = {
        "acknowledged": lambda d: actions.do_acknowledge_directive(d, acting_user=SYSTEM),
        "done": lambda d: actions.do_report_directive_done(d, acting_user=SYSTEM, evidence="ok"),
        "verified": lambda d: actions.do_verify_directive(d, acting_user=SYSTEM),
    }
    made = set()
    for source, target in itertools.product(DirectiveState.values, steps):
        directive = actions.do_issue_directive(
            acting_user=SYSTEM,
            title=f"{source}→{target}",
            area=world.village,
            due_at=timezone.now() + dt.timedelta(hours=4),
        )
        Directive.objects.filter(pk=directive.pk).update(state=source)
        directive.refresh_from_db()
        try:
            steps[target](directive)
        except ValidationError:
            continue
        made.add((source, target))
    assert made == chart.edges()
