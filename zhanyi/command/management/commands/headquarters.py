"""``zhanyi headquarters …``: setting up headquarters (指挥部) from the command line.

- ``list``: the headquarters with their task forces, leads and members.
- ``create NAME --area CODE [--parent ID|CODE] [--kinds k1,k2]`` (default: the ten
  task forces; the parent by its id or its area's code)
- ``task-force HQ_ID KIND``: add a task force.
- ``lead HQ_ID KIND TEXT``: the task force's lead.
- ``member HQ_ID KIND USERNAME`` (``--remove``): a user joins (leaves) the task force.
- ``twin COUNTY_CODE TWIN_CODE``: twin two counties (结对).

The command acts as ``cli:<user>`` in the audit trail.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.accounts.models import Headquarters, TaskForce, TaskForceKind, User
from zhanyi.command import actions
from zhanyi.core.audit import cli_actor

from .supervision import area, one, refused


def _task_force(hq_id: str, kind: str) -> TaskForce:
    hq = one(Headquarters, hq_id)
    task_force = hq.task_forces.filter(kind=kind).first()
    if task_force is None:
        raise CommandError(f"{hq.name} has no {kind} task force")
    return task_force


def _headquarters(text: str) -> Headquarters:
    """A headquarters by its id, or by its area's code (12 digits or short)."""
    text = text.strip()
    if len(text) >= 6:
        found = Headquarters.objects.filter(area=area(text)).first()
        if found is None:
            raise CommandError(f"no headquarters is set up for the area {text!r}")
        return found
    return one(Headquarters, text)


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user named {username!r}")
    return user


class Command(BaseCommand):
    help = "Headquarters: create, list, task forces, leads, members, twinned counties."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("list", help="the headquarters and their task forces")
        create = sub.add_parser("create", help="set up a headquarters")
        create.add_argument("name")
        create.add_argument("--area", required=True)
        create.add_argument("--parent", help="the headquarters above: its id, or its area's code")
        create.add_argument("--kinds", help="comma-separated task forces (default: all ten)")
        tf = sub.add_parser("task-force", help="add a task force")
        tf.add_argument("hq")
        tf.add_argument("kind", choices=TaskForceKind.values)
        lead = sub.add_parser("lead", help="a task force's lead")
        lead.add_argument("hq")
        lead.add_argument("kind", choices=TaskForceKind.values)
        lead.add_argument("text")
        member = sub.add_parser("member", help="a user joins a task force")
        member.add_argument("hq")
        member.add_argument("kind", choices=TaskForceKind.values)
        member.add_argument("username")
        member.add_argument("--remove", action="store_true")
        twin = sub.add_parser("twin", help="twin two counties")
        twin.add_argument("county")
        twin.add_argument("twin")

    def handle(self, *args, **options) -> None:
        verbs = {
            "list": self._list,
            "create": self._create,
            "task-force": self._add_task_force,
            "lead": self._lead,
            "member": self._member,
            "twin": self._twin,
        }
        try:
            verbs[options["verb"]](options)
        except ValidationError as error:
            raise refused(error) from None

    def _list(self, options) -> None:
        for hq in Headquarters.objects.select_related("area").order_by("area__path"):
            self.stdout.write(f"{hq.pk}\t{hq.name}\t{hq.area.name}")
            for tf in hq.task_forces.prefetch_related("members"):
                members = ", ".join(u.username for u in tf.members.all())
                self.stdout.write(f"\t{tf.kind}\t{tf.lead or '-'}\t{members}")

    def _create(self, options) -> None:
        kinds = [k.strip() for k in options["kinds"].split(",")] if options["kinds"] else None
        hq = actions.do_set_up_headquarters(
            acting_user=cli_actor(),
            name=options["name"],
            area=area(options["area"]),
            parent=_headquarters(options["parent"]) if options["parent"] else None,
            kinds=kinds,
        )
        self.stdout.write(f"headquarters {hq.pk}: {hq.name} ({hq.task_forces.count()} task forces)")

    def _add_task_force(self, options) -> None:
        tf = actions.do_add_task_force(
            one(Headquarters, options["hq"]), acting_user=cli_actor(), kind=options["kind"]
        )
        self.stdout.write(f"task force {tf.pk}: {tf}")

    def _lead(self, options) -> None:
        tf = actions.do_set_task_force_lead(
            _task_force(options["hq"], options["kind"]),
            acting_user=cli_actor(),
            lead=options["text"],
        )
        self.stdout.write(f"{tf}: {tf.lead}")

    def _member(self, options) -> None:
        tf = _task_force(options["hq"], options["kind"])
        user = actions.do_set_member(
            _user(options["username"]),
            acting_user=cli_actor(),
            task_force=None if options["remove"] else tf,
        )
        self.stdout.write(f"{user.username}: {user.task_force or '-'}")

    def _twin(self, options) -> None:
        twinning = actions.do_twin_counties(
            area(options["county"]), area(options["twin"]), acting_user=cli_actor()
        )
        self.stdout.write(f"{twinning.county.name} → {twinning.twin.name}")
