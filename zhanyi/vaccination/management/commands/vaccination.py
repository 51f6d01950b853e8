"""``zhanyi vaccination …``: vaccines, sites, doses and coverage (疫苗接种) from the command line.

- ``vaccine add CODE NAME [--maker M] [--alias A …]``: a vaccine; CODE has a course in the protocol.
- ``site add NAME --area CODE [--kind fixed|temporary|mobile|door_to_door]``.
- ``record PERSON VACCINE DOSE --site ID [--batch B]``: a dose given now.
- ``import FILE [--create-unknown] [--json]``: an export of the immunisation system.
- ``coverage [--area CODE] [--json]``: coverage by area and age band against the targets.
- ``recount``: the coverage tallies counted again from the doses and the person index, with
  today's ages (the periodic job ``vaccination.recount`` does it once a day).

The command acts as ``cli:<user>`` in the audit trail; a refusal is one line and exit status 1.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.core.audit import cli_actor
from zhanyi.people.models import Person
from zhanyi.places.models import Area
from zhanyi.vaccination import actions, queries
from zhanyi.vaccination.models import Site, Vaccine


def _get(model, what: str, **lookup):
    try:
        return model.objects.get(**lookup)
    except model.DoesNotExist:
        raise CommandError(f"no {what} {next(iter(lookup.values()))!r}") from None


class Command(BaseCommand):
    help = "Vaccination: vaccines, sites, doses, imports and coverage."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)
        vaccine = sub.add_parser("vaccine").add_subparsers(dest="verb", required=True)
        add = vaccine.add_parser("add")
        add.add_argument("code")
        add.add_argument("name")
        add.add_argument("--maker", default="")
        add.add_argument("--alias", action="append", default=[])
        site = sub.add_parser("site").add_subparsers(dest="verb", required=True)
        add = site.add_parser("add")
        add.add_argument("name")
        add.add_argument("--area", required=True)
        add.add_argument("--kind", default="fixed")
        add.add_argument("--address", default="")
        rec = sub.add_parser("record")
        rec.add_argument("person", type=int)
        rec.add_argument("vaccine")
        rec.add_argument("dose", type=int)
        rec.add_argument("--site", type=int, required=True)
        rec.add_argument("--batch", default="")
        imp = sub.add_parser("import")
        imp.add_argument("file", type=Path)
        imp.add_argument("--create-unknown", action="store_true")
        imp.add_argument("--json", action="store_true")
        cov = sub.add_parser("coverage")
        cov.add_argument("--area", default="")
        cov.add_argument("--json", action="store_true")
        sub.add_parser("recount")

    def handle(self, *args, **o) -> None:
        handlers = {
            "vaccine": self._vaccine,
            "site": self._site,
            "record": self._record,
            "import": self._import,
            "coverage": self._coverage,
            "recount": self._recount,
        }
        try:
            handlers[o["topic"]](o)
        except ValidationError as error:
            raise CommandError("; ".join(str(m) for m in error.messages)) from None

    def _vaccine(self, o) -> None:
        v = actions.do_add_vaccine(
            acting_user=cli_actor(),
            code=o["code"],
            name=o["name"],
            maker=o["maker"],
            aliases=o["alias"],
        )
        self.stdout.write(f"vaccine {v.code}: {v.name}")

    def _site(self, o) -> None:
        site = actions.do_create_site(
            acting_user=cli_actor(),
            name=o["name"],
            area=_get(Area, "area", code=o["area"]),
            kind=o["kind"],
            address=o["address"],
        )
        self.stdout.write(f"site {site.pk} {site.name} ({site.get_kind_display()})")

    def _record(self, o) -> None:
        dose = actions.do_record_dose(
            acting_user=cli_actor(),
            person=_get(Person, "person", pk=o["person"]),
            vaccine=_get(Vaccine, "vaccine", code=o["vaccine"]),
            dose_number=o["dose"],
            site=_get(Site, "site", pk=o["site"]),
            batch=o["batch"],
        )
        self.stdout.write(f"dose {dose.dose_number} of {dose.vaccine.code} for {dose.person_id}")

    def _import(self, o) -> None:
        path: Path = o["file"]
        if not path.exists():
            raise CommandError(f"no file {path}")
        with path.open("rb") as fh:
            run = actions.do_import_doses(
                fh,
                acting_user=cli_actor(),
                filename=path.name,
                create_unknown=o["create_unknown"],
            )
        figures = {
            "rows": run.rows,
            "stored": run.stored,
            "duplicates": run.duplicates,
            "unknown_persons": run.unknown_persons,
            "created_persons": run.created_persons,
            "refused": run.refused,
            "seconds": run.seconds,
        }
        if o["json"]:
            self.stdout.write(json.dumps(figures | {"problems": run.problems[:100]}))
            return
        self.stdout.write(" ".join(f"{k} {v}" for k, v in figures.items()))
        for p in run.problems[:50]:
            self.stdout.write(f"line {p['line']}\t{p['column']}\t{p['reason']}")

    def _recount(self, _o) -> None:
        row = actions.do_recount_coverage(acting_user=cli_actor())
        self.stdout.write(f"coverage counted with ages on {row.day}")

    def _coverage(self, o) -> None:
        area = _get(Area, "area", code=o["area"]) if o["area"] else None
        cov = queries.coverage(area)
        rows = [("area", a.code, a.name, c) for a, c in cov.by_area]
        rows += [("age", str(b.low), b.label, c) for b, c in cov.by_band]
        rows.append(("total", area.code if area else "", "", cov.total))
        if o["json"]:
            out = [
                {
                    "by": by,
                    "key": key,
                    "name": name,
                    "people": c.people,
                    "first_dose": c.first_dose,
                    "full_course": c.full_course,
                    "first_dose_pct": c.first_pct,
                    "full_course_pct": c.full_pct,
                }
                for by, key, name, c in rows
            ]
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self.stdout.write(
            f"targets: first dose {cov.first_target}%, full course {cov.full_target}%; "
            + (f"ages on {cov.day}" if cov.day else "nothing counted yet")
        )
        for by, key, name, c in rows:
            self.stdout.write(
                f"{by}\t{key}\t{name}\tpeople {c.people}\tfirst {c.first_dose} ({c.first_pct}%)"
                f"\tfull {c.full_course} ({c.full_pct}%)"
            )
