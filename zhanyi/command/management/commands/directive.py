"""``zhanyi directive …``: the headquarters' directives (指令) from the command line.

- ``issue TITLE --area CODE --due TIME [--task-force ID] [--body …]``
- ``list [--state STATE]``
- ``acknowledge ID`` · ``done ID EVIDENCE`` · ``verify ID``
- ``escalate``: what the clock's job does: mark overdue directives escalated.

Times without an offset are local (Asia/Shanghai). The command acts as
``cli:<user>`` in the audit trail and sees the whole city.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from zhanyi.accounts.models import TaskForce
from zhanyi.command import actions
from zhanyi.command.models import Directive, DirectiveState
from zhanyi.core.audit import cli_actor

from .supervision import area, local, one, parse_time, refused


class Command(BaseCommand):
    help = "Directives: issue, list, acknowledge, done, verify, escalate."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        issue = sub.add_parser("issue", help="issue a directive")
        issue.add_argument("title")
        issue.add_argument("--area", required=True)
        issue.add_argument("--due", required=True)
        issue.add_argument("--task-force", help="the owning task force's id")
        issue.add_argument("--body", default="")
        listing = sub.add_parser("list", help="the directives")
        listing.add_argument("--state", choices=DirectiveState.values)
        for verb in ("acknowledge", "verify"):
            sub.add_parser(verb).add_argument("id")
        done = sub.add_parser("done", help="report a directive done, with its evidence")
        done.add_argument("id")
        done.add_argument("evidence")
        sub.add_parser("escalate", help="escalate overdue directives now")

    def handle(self, *args, **options) -> None:
        verbs = {
            "issue": self._issue,
            "list": self._list,
            "acknowledge": self._acknowledge,
            "done": self._done,
            "verify": self._verify,
            "escalate": self._escalate,
        }
        try:
            verbs[options["verb"]](options)
        except ValidationError as error:
            raise refused(error) from None

    def _issue(self, options) -> None:
        task_force = one(TaskForce, options["task_force"]) if options["task_force"] else None
        directive = actions.do_issue_directive(
            acting_user=cli_actor(),
            title=options["title"],
            body=options["body"],
            area=area(options["area"]),
            due_at=parse_time(options["due"]),
            task_force=task_force,
        )
        self.stdout.write(f"directive {directive.pk}: due {local(directive.due_at)}")

    def _list(self, options) -> None:
        directives = Directive.objects.select_related("area", "task_force").order_by("due_at")
        if options["state"]:
            directives = directives.filter(state=options["state"])
        now = timezone.now()
        for d in directives:
            late = " OVERDUE" if d.is_overdue(now) else ""
            self.stdout.write(
                f"{d.pk}\t{d.get_state_display()}{late}\tdue {local(d.due_at)}\t"
                f"{d.owner_label()}\t{d.area.name}\t{d.title}"
            )

    def _acknowledge(self, options) -> None:
        d = actions.do_acknowledge_directive(one(Directive, options["id"]), acting_user=cli_actor())
        self.stdout.write(f"directive {d.pk}: {d.get_state_display()}")

    def _done(self, options) -> None:
        d = actions.do_report_directive_done(
            one(Directive, options["id"]), acting_user=cli_actor(), evidence=options["evidence"]
        )
        self.stdout.write(f"directive {d.pk}: {d.get_state_display()}")

    def _verify(self, options) -> None:
        d = actions.do_verify_directive(one(Directive, options["id"]), acting_user=cli_actor())
        self.stdout.write(f"directive {d.pk}: {d.get_state_display()}")

    def _escalate(self, options) -> None:
        count = actions.do_escalate_overdue_directives(acting_user=cli_actor(), now=timezone.now())
        self.stdout.write(f"escalated {count} directive(s)")
