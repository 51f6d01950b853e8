"""``zhanyi codes show|refresh|recompute``: health codes (健康码) from the command line.

- ``show ID``: the person's code and why (colour, rule, reason, until, the
  facts behind it, the recent history), as text or ``--json``. The read is
  audited like any other.
- ``refresh``: what the clock changes (expired overrides, codes past their
  ``until`` or review time); suitable for a scheduler (cron, systemd timer),
  or enqueue it as a task with ``--enqueue``.
- ``recompute --all`` or ``recompute ID …``: decide codes again from the facts.
"""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from zhanyi.core.audit import cli_actor
from zhanyi.people import actions, queries
from zhanyi.people.actions.health_codes import all_person_ids, record_code_view
from zhanyi.people.models import Person


class Command(BaseCommand):
    help = "Health codes: show one person's code and why, refresh, recompute."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="a person's code and why")
        show.add_argument("person_id", type=int)
        show.add_argument("--json", action="store_true", help="print JSON")
        refresh = sub.add_parser("refresh", help="apply what the clock changed")
        refresh.add_argument(
            "--enqueue", action="store_true", help="enqueue as a background task instead"
        )
        recompute = sub.add_parser("recompute", help="decide codes again from the facts")
        recompute.add_argument("person_ids", type=int, nargs="*")
        recompute.add_argument("--all", action="store_true", help="every person")
        recompute.add_argument("--reason", default="", help="what changed (kept in the history)")

    def handle(self, *args, **options) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _show(self, options) -> None:
        try:
            person = Person.objects.select_related("village").get(pk=options["person_id"])
        except Person.DoesNotExist:
            raise CommandError(f"no person with id {options['person_id']}") from None
        record_code_view(acting_user=cli_actor(), person=person, via="cli")
        answer = queries.explain_code(person)
        history = queries.code_history(person, limit=20)
        if options["json"]:
            answer["history"] = [
                {
                    "changed_at": c.changed_at,
                    "previous_colour": c.previous_colour,
                    "colour": c.colour,
                    "rule": c.rule,
                    "reason": c.reason,
                    "until": c.until,
                    "trigger": c.trigger,
                }
                for c in history
            ]
            self.stdout.write(json.dumps(answer, cls=DjangoJSONEncoder, ensure_ascii=False))
            return
        until = answer["until"].isoformat() if answer["until"] else "-"
        self.stdout.write(f"person {person.pk}: {answer['colour'].upper()}  rule {answer['rule']}")
        self.stdout.write(f"  reason: {answer['reason']}")
        self.stdout.write(f"  until:  {until}  (decided by {answer['decided_by']})")
        now = answer["rules_now"]
        self.stdout.write(f"  rules as of now: {now['colour']} {now['rule']}: {now['reason']}")
        for name, items in answer["facts"].items():
            for item in items:
                self.stdout.write(f"  fact {name}: {json.dumps(item, cls=DjangoJSONEncoder)}")
        for c in history:
            self.stdout.write(
                f"  {c.changed_at:%Y-%m-%d %H:%M} {c.previous_colour} -> {c.colour} "
                f"{c.rule}: {c.reason} [{c.trigger}]"
            )

    def _refresh(self, options) -> None:
        if options["enqueue"]:
            from zhanyi.people.jobs import refresh_codes

            result = refresh_codes.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        started = time.perf_counter()
        result = actions.do_refresh_codes(acting_user=cli_actor())
        self.stdout.write(
            json.dumps(
                {
                    "expired_overrides": result.expired_overrides,
                    "reviewed": result.reviewed,
                    "changed": result.changed,
                    "seconds": round(time.perf_counter() - started, 3),
                }
            )
        )

    def _recompute(self, options) -> None:
        if options["all"] == bool(options["person_ids"]):
            raise CommandError("give person ids or --all (not both)")
        ids = all_person_ids() if options["all"] else options["person_ids"]
        reason = options["reason"] or ("recompute --all" if options["all"] else "recompute")
        started = time.perf_counter()
        try:
            changed = actions.do_recompute_codes(ids, reason=reason, acting_user=cli_actor())
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            json.dumps(
                {
                    "persons": len(ids),
                    "changed": changed,
                    "seconds": round(time.perf_counter() - started, 3),
                }
            )
        )
