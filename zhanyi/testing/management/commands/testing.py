"""``zhanyi testing …``: nucleic-acid testing (核酸检测) from the command line.

- ``round create NAME --kind K --area CODE [--area CODE …] --from T --to T
  [--pool-size K] [--min-age N --max-age N]``: a round and its target population.
- ``round list``: the rounds, newest first.
- ``schedule create NAME --area CODE --every DAYS --from T --to T`` and
  ``schedule run ID --until T``: standing schedules and their rounds.
- ``site create NAME --area CODE`` and ``lab create CODE NAME --area CODE``.
- ``results import FILE --lab CODE``: a lab's CSV file
  (``barcode,result,tested_at[,reported_at]``). Good rows are stored; each
  broken row is printed with its line, field and reason; exit status 1 when
  any row was refused.
- ``samples import FILE --round ID``: a sampling point's offline shift
  (``barcode,site,sampled_at,person[,closed_at]``, one swab per line; CSV in
  UTF-8, GBK or GB18030, or xlsx). Good tubes are stored; each refused tube
  or line is printed; exit status 1 when any was refused.
- ``coverage ROUND [--level county|township|village] [--json]``: tested,
  not yet tested and exempt per area, with the re-test count.
- ``pool-size --prevalence P [--cap K] [--population N] [--simulate N]``:
  Dorfman's recommendation, with a seeded simulation when asked.

Times without an offset are local (Asia/Shanghai). The command acts as
``cli:<user>`` in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.core.audit import cli_actor
from zhanyi.engine.pooling import recommend_pool_size, simulate_dorfman
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area
from zhanyi.testing import actions, queries
from zhanyi.testing.models import Lab, RoundKind, TestingRound


def _time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"not a date and time: {text!r} (2021-09-12 08:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def _area(code: str) -> Area:
    try:
        return Area.objects.get(code=code)
    except Area.DoesNotExist:
        raise CommandError(f"no area with code {code!r}") from None


def _problems(error: actions.InputError) -> CommandError:
    lines = []
    for p in error.problems:
        where = f"row {p.row}: " if p.row is not None else ""
        lines.append(f"{where}{p.field}: {p.message}" + (f" ({p.value})" if p.value else ""))
    return CommandError("\n".join(lines))


def _refused(refused: str, what: str, stored: int) -> CommandError:
    """The command's failure after a file with refused parts: whether the rest landed."""
    rest = f"the other {what} were stored" if stored else "nothing was stored"
    return CommandError(f"{refused} refused; {rest}")


class Command(BaseCommand):
    help = "Nucleic-acid testing: rounds, sites, labs, lab results, coverage, pool size."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)

        rnd = sub.add_parser("round", help="create or list rounds")
        rsub = rnd.add_subparsers(dest="verb", required=True)
        create = rsub.add_parser("create", help="a round and its target population")
        create.add_argument("name")
        create.add_argument("--kind", choices=RoundKind.values, default="whole_population")
        create.add_argument("--area", action="append", required=True, help="area code (repeat)")
        create.add_argument("--from", dest="starts_at", required=True)
        create.add_argument("--to", dest="ends_at", required=True)
        create.add_argument("--pool-size", type=int)
        create.add_argument("--min-age", type=int)
        create.add_argument("--max-age", type=int)
        rsub.add_parser("list", help="the rounds, newest first")

        sch = sub.add_parser("schedule", help="standing schedules (常态化检测)")
        schsub = sch.add_subparsers(dest="verb", required=True)
        sc = schsub.add_parser("create", help="the same scope every N days")
        sc.add_argument("name")
        sc.add_argument("--kind", choices=RoundKind.values, default="key_groups")
        sc.add_argument("--area", action="append", required=True, help="area code (repeat)")
        sc.add_argument("--every", type=int, required=True, help="days between rounds")
        sc.add_argument("--from", dest="starts_at", required=True)
        sc.add_argument("--to", dest="ends_at", required=True)
        sc.add_argument("--pool-size", type=int)
        sr = schsub.add_parser("run", help="create the schedule's rounds up to a time")
        sr.add_argument("schedule", type=int)
        sr.add_argument("--until", required=True)

        site = sub.add_parser("site", help="sampling sites")
        ssub = site.add_subparsers(dest="verb", required=True)
        screate = ssub.add_parser("create")
        screate.add_argument("name")
        screate.add_argument("--area", required=True)

        lab = sub.add_parser("lab", help="laboratories")
        lsub = lab.add_subparsers(dest="verb", required=True)
        lcreate = lsub.add_parser("create")
        lcreate.add_argument("code")
        lcreate.add_argument("name")
        lcreate.add_argument("--area", required=True)

        res = sub.add_parser("results", help="lab results")
        resub = res.add_subparsers(dest="verb", required=True)
        imp = resub.add_parser("import", help="a lab's CSV file")
        imp.add_argument("file", type=Path)
        imp.add_argument("--lab", required=True)

        smp = sub.add_parser("samples", help="offline sample uploads")
        smpsub = smp.add_subparsers(dest="verb", required=True)
        simp = smpsub.add_parser("import", help="a sampling point's offline file")
        simp.add_argument("file", type=Path)
        simp.add_argument("--round", type=int, required=True)

        cov = sub.add_parser("coverage", help="a round's coverage by area")
        cov.add_argument("round", type=int)
        cov.add_argument("--level", choices=["county", "township", "village"])
        cov.add_argument("--json", action="store_true")

        pool = sub.add_parser("pool-size", help="Dorfman's pool size for a prevalence")
        pool.add_argument("--prevalence", type=float, required=True)
        pool.add_argument("--cap", type=int)
        pool.add_argument("--population", type=int, default=1)
        pool.add_argument("--simulate", type=int, default=0, help="people to simulate")
        pool.add_argument("--seed", type=int, default=2021)

    def handle(self, *args, **o) -> None:
        handler = getattr(self, f"_{o['topic'].replace('-', '_')}")
        handler(o)

    # -- round ---------------------------------------------------------------------------

    def _round(self, o) -> None:
        if o["verb"] == "list":
            for r in TestingRound.objects.select_related("area")[:100]:
                self.stdout.write(
                    f"{r.pk}\t{r.name}\t{r.kind}\t{r.area.name}\t{r.pool_size}-in-1\t"
                    f"{r.starts_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} → "
                    f"{r.ends_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}\t{r.targets.count()}"
                )
            return
        try:
            r = actions.do_create_round(
                acting_user=cli_actor(),
                name=o["name"],
                kind=o["kind"],
                scope_areas=[_area(c) for c in o["area"]],
                starts_at=_time(o["starts_at"]),
                ends_at=_time(o["ends_at"]),
                pool_size=o["pool_size"],
                min_age=o["min_age"],
                max_age=o["max_age"],
            )
        except actions.InputError as e:
            raise _problems(e) from None
        self.stdout.write(
            f"round {r.pk} created: {r.name}, {r.targets.count():,} people, {r.pool_size}-in-1"
        )

    def _schedule(self, o) -> None:
        from zhanyi.testing.models import Schedule

        try:
            if o["verb"] == "create":
                sched = actions.do_create_schedule(
                    acting_user=cli_actor(),
                    name=o["name"],
                    kind=o["kind"],
                    scope_areas=[_area(c) for c in o["area"]],
                    every_days=o["every"],
                    starts_at=_time(o["starts_at"]),
                    ends_at=_time(o["ends_at"]),
                    pool_size=o["pool_size"],
                )
                self.stdout.write(f"schedule {sched.pk} created: {sched.name}")
                return
            try:
                sched = Schedule.objects.get(pk=o["schedule"])
            except Schedule.DoesNotExist:
                raise CommandError(f"no schedule {o['schedule']}") from None
            made = actions.do_run_schedule(sched, until=_time(o["until"]), acting_user=cli_actor())
        except actions.InputError as e:
            raise _problems(e) from None
        for r in made:
            self.stdout.write(f"round {r.pk} created: {r.name}, {r.targets.count():,} people")
        if not made:
            self.stdout.write("no new rounds")

    def _site(self, o) -> None:
        try:
            s = actions.do_create_site(
                acting_user=cli_actor(), name=o["name"], area=_area(o["area"])
            )
        except actions.InputError as e:
            raise _problems(e) from None
        self.stdout.write(f"site {s.pk} created: {s.name}")

    def _lab(self, o) -> None:
        try:
            lab = actions.do_create_lab(
                acting_user=cli_actor(), code=o["code"], name=o["name"], area=_area(o["area"])
            )
        except actions.InputError as e:
            raise _problems(e) from None
        self.stdout.write(f"lab {lab.code} created: {lab.name}")

    # -- results ---------------------------------------------------------------------------

    def _results(self, o) -> None:
        path: Path = o["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            lab = Lab.objects.get(code=o["lab"])
        except Lab.DoesNotExist:
            raise CommandError(f"no laboratory with code {o['lab']!r}") from None
        with path.open("rb") as fh:
            rows, problems = actions.parse_results_csv(fh)
        imp = actions.do_record_results(
            acting_user=cli_actor(),
            lab=lab,
            rows=rows,
            via="cli",
            filename=path.name,
            parse_problems=problems,
        )
        self.stdout.write(
            f"{path.name}: {imp.rows:,} rows, {imp.stored:,} stored, {imp.unchanged:,} unchanged, "
            f"{imp.refused:,} refused, {imp.positives:,} positive"
        )
        for p in imp.problems:
            where = f"line {p['row']}" if "row" in p else "file"
            value = f" ({p['value']})" if p.get("value") else ""
            self.stderr.write(f"  {where}, {p['field']}: {p['message']}{value}")
        if imp.refused:
            raise _refused(f"{imp.refused:,} row(s)", "rows", imp.stored)

    # -- samples ---------------------------------------------------------------------------

    def _samples(self, o) -> None:
        path: Path = o["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            r = TestingRound.objects.select_related("area").get(pk=o["round"])
        except TestingRound.DoesNotExist:
            raise CommandError(f"no round {o['round']}") from None
        with path.open("rb") as fh:
            swabs, problems = actions.read_sample_file(fh, path.name)
        imp = actions.do_upload_samples(
            acting_user=cli_actor(), round=r, swabs=swabs, parse_problems=problems
        )
        self.stdout.write(
            f"{path.name}: {imp.tubes:,} tubes, {imp.samples:,} samples stored "
            f"({imp.scheduled_tests:,} scheduled tests), {len(imp.refused):,} refused"
        )
        for p in imp.refused:
            where = f"line {p.row}" if p.row is not None else "file"
            value = f" ({p.value})" if p.value else ""
            self.stderr.write(f"  {where}, {p.field}: {p.message}{value}")
        if imp.refused:
            raise _refused(f"{len(imp.refused):,}", "tubes", imp.tubes)

    # -- coverage ---------------------------------------------------------------------------

    def _coverage(self, o) -> None:
        try:
            r = TestingRound.objects.select_related("area").get(pk=o["round"])
        except TestingRound.DoesNotExist:
            raise CommandError(f"no round {o['round']}") from None
        total, rows = queries.coverage_for_operator(r, level=o["level"])
        retests = queries.retest_list_for_operator(r).count()
        if o["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "round": r.pk,
                        "total": total.as_dict(),
                        "areas": [x.as_dict() for x in rows],
                        "retests": retests,
                    },
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(f"{r.name}: {r.get_kind_display()}, {r.pool_size}-in-1")
        header = f"{'area':<24}{'targets':>10}{'exempt':>8}{'sampled':>10}{'tested':>10}"
        self.stdout.write(header + f"{'positive':>10}{'due':>10}{'coverage':>10}")
        for x in [*rows, total]:
            name = "total" if x is total else x.area.name
            self.stdout.write(
                f"{name:<24}{x.targets:>10,}{x.exempt:>8,}{x.sampled:>10,}{x.tested:>10,}"
                f"{x.positive:>10,}{x.due:>10,}{x.coverage:>10.1%}"
            )
        self.stdout.write(f"to re-sample one by one: {retests}")

    # -- pool size ----------------------------------------------------------------------------

    def _pool_size(self, o) -> None:
        rule = actions.common.testing_rule()
        try:
            rec = recommend_pool_size(
                o["prevalence"],
                sizes=rule.pool_sizes,
                cap=o["cap"] or rule.max_pool_size,
                population=o["population"],
            )
        except ValueError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"prevalence {rec.prevalence:g}: recommended {rec.best.pool_size}-in-1 (cap {rec.cap})"
        )
        self.stdout.write(f"{'k':>4}{'tests/person':>14}{'people/test':>13}{'tests':>14}")
        for opt in rec.options:
            mark = " ←" if opt is rec.best else ""
            self.stdout.write(
                f"{opt.pool_size:>4}{opt.tests_per_person:>14.4f}{opt.people_per_test:>13.2f}"
                f"{opt.expected_tests:>14,.0f}{mark}"
            )
        if o["simulate"]:
            sim = simulate_dorfman(
                o["simulate"], rec.prevalence, rec.best.pool_size, seed=o["seed"]
            )
            self.stdout.write(
                f"simulation of {sim.people:,} people (seed {o['seed']}): "
                f"{sim.tests_per_person:.4f} tests/person, {sim.positive_pools:,} positive pools, "
                f"{sim.found:,}/{sim.infected:,} infected found"
            )
