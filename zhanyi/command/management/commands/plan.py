"""``zhanyi plan …``: the emergency plan (应急预案) from the command line.

- ``list``: the versions, newest first
- ``show ID [--json]``: one version, its flowcharts and where they and the code disagree
- ``draft --number N --title T --effective DATE [--text-file F] [--flowcharts FILE]``
  (flowcharts: the standard file's TOML; left out: those in force, or the standard ones)
- ``edit ID [--number N] [--title T] [--effective DATE] [--text-file F] [--flowcharts FILE]``
- ``approve ID``: put the draft in force; the version in force is superseded
- ``check``: the plan in force's flowcharts against the workflows' code (exit 1 on a gap)

The command acts as ``cli:<user>`` in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.command import actions
from zhanyi.command.models import PlanVersion
from zhanyi.command.queries import plan_in_force
from zhanyi.command.workflows import WORKFLOWS, conformance, state_counts
from zhanyi.core.audit import cli_actor

from .supervision import one, refused


def _read(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = "The emergency plan: list, show, draft, edit, approve, check."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("list", help="the plan's versions")
        show = sub.add_parser("show", help="one version and its flowcharts")
        show.add_argument("id")
        show.add_argument("--json", action="store_true")
        draft = sub.add_parser("draft", help="draft a new version")
        draft.add_argument("--number", type=int, required=True)
        draft.add_argument("--title", required=True)
        draft.add_argument("--effective", required=True, help="YYYY-MM-DD")
        edit = sub.add_parser("edit", help="change a draft")
        edit.add_argument("id")
        edit.add_argument("--number", type=int)
        edit.add_argument("--title")
        edit.add_argument("--effective", help="YYYY-MM-DD")
        for verb in (draft, edit):
            verb.add_argument("--text-file", help="the plan's text (# starts a section)")
            verb.add_argument("--flowcharts", help="a TOML file of [[flowchart]] tables")
        sub.add_parser("approve", help="put a draft in force").add_argument("id")
        sub.add_parser("check", help="the plan in force's flowcharts against the code")

    def handle(self, *args, **options) -> None:
        verbs = {
            "list": self._list,
            "show": self._show,
            "draft": self._draft,
            "edit": self._edit,
            "approve": self._approve,
            "check": self._check,
        }
        try:
            verbs[options["verb"]](options)
        except ValidationError as error:
            raise refused(error) from None

    def _list(self, options) -> None:
        for plan in PlanVersion.objects.all():
            self.stdout.write(
                f"{plan.pk}\tv{plan.number}\t{plan.get_state_display()}\t"
                f"{plan.effective_on:%Y-%m-%d}\t{plan.title}"
            )

    def _show(self, options) -> None:
        plan = one(PlanVersion, options["id"])
        charts = plan.charts()
        if options["json"]:
            data = {
                "id": plan.pk,
                "number": plan.number,
                "title": plan.title,
                "state": plan.state,
                "effective_on": plan.effective_on.isoformat(),
                "text": plan.text,
                "flowcharts": [c.as_dict() for c in charts],
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"v{plan.number} {plan.title} ({plan.get_state_display()})")
        for chart in charts:
            self.stdout.write(f"\n{chart.key}: {chart.title}")
            for t in chart.transitions:
                hours = f" within {t.within_hours:g} h" if t.within_hours else ""
                self.stdout.write(f"  {t.source} -> {t.target}  {t.by}{hours}")
            for d in conformance(chart):
                self.stdout.write(f"  ! {d.kind}: {d.detail}")

    def _draft(self, options) -> None:
        plan = actions.do_draft_plan_version(
            acting_user=cli_actor(),
            number=options["number"],
            title=options["title"],
            effective_on=_date(options["effective"]),
            text=_read(options["text_file"]) or "",
            charts=_read(options["flowcharts"]),
        )
        self.stdout.write(f"plan version {plan.pk}: v{plan.number}, draft")

    def _edit(self, options) -> None:
        plan = actions.do_edit_plan_version(
            one(PlanVersion, options["id"]),
            acting_user=cli_actor(),
            number=options["number"],
            title=options["title"],
            effective_on=_date(options["effective"]),
            text=_read(options["text_file"]),
            charts=_read(options["flowcharts"]),
        )
        self.stdout.write(f"plan version {plan.pk}: v{plan.number}, draft")

    def _approve(self, options) -> None:
        plan = actions.do_approve_plan_version(
            one(PlanVersion, options["id"]), acting_user=cli_actor()
        )
        self.stdout.write(f"plan version {plan.pk}: v{plan.number} in force")

    def _check(self, options) -> None:
        plan = plan_in_force()
        if plan is None:
            raise CommandError("no version of the plan is in force")
        gaps = 0
        for chart in plan.charts():
            workflow = WORKFLOWS.get(chart.key)
            counts = state_counts(workflow, None) if workflow else {}
            shown = ", ".join(f"{s} {counts.get(s, 0)}" for s in chart.states) if workflow else ""
            self.stdout.write(f"{chart.key}: {shown}")
            for d in conformance(chart):
                self.stdout.write(f"  ! {d.kind}: {d.detail}")
                gaps += d.kind != "unused_transition"
        if gaps:
            raise CommandError(f"{gaps} gap(s) between the plan in force and the code")
