"""``zhanyi synth``: generate the synthetic city (合成城市) as Parquet files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.engine.synth import SynthConfig, generate
from zhanyi.engine.synth.config import DEFAULT_END_DATE, DEFAULT_SEED


def _scale(value: str) -> str | int:
    value = value.strip().replace("_", "").replace(",", "")
    return int(value) if value.isdigit() else value


class Command(BaseCommand):
    help = (
        "Generate the synthetic Zhangzhou: areas, places, households, people and "
        "14 days of phone stays on the 800 m grid, as Parquet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            default="small",
            type=_scale,
            help="small (about 20,000 people), medium (200,000), full "
            "(5.05 million) or a number of people",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--days", type=int, default=14, help="days of stays")
        parser.add_argument(
            "--end-date",
            type=dt.date.fromisoformat,
            default=DEFAULT_END_DATE,
            help="last local day of the stays (default 2021-09-16)",
        )
        parser.add_argument(
            "--out", type=Path, default=None, help="output folder (default: $ZHANYI_DATA_DIR/city)"
        )
        parser.add_argument("--no-stays", action="store_true", help="skip the stays")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes for the stays (default: one per CPU when large)",
        )

    def handle(self, *args, **options) -> None:
        try:
            cfg = SynthConfig.for_scale(
                options["scale"],
                seed=options["seed"],
                days=options["days"],
                end_date=options["end_date"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        out = options["out"] or Path(settings.DATA_DIR) / "city"
        self.stdout.write(
            f"Generating {cfg.people:,} people (scale {cfg.scale}, seed {cfg.seed}) into {out}"
        )
        m = generate(
            cfg, out, progress=True, stays=not options["no_stays"], workers=options["workers"]
        )
        areas = m["areas"]
        w = m["window"]
        lines = [
            f"people       {m['people']:>14,}",
            f"households   {m['households']:>14,}",
            f"places       {m['places']:>14,}  "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(m["places_by_kind"].items())),
            f"areas        {sum(areas.values()):>14,}  "
            + ", ".join(f"{k} {v:,}" for k, v in areas.items()),
            f"school round {m['school_round']:>14,}  (students and staff)",
            f"sealed zone  {m['sealed_compound']['residents']:>14,}  "
            f"({m['sealed_compound']['community']} {m['sealed_compound']['name']})",
        ]
        if m["stays"] is not None:
            per = m["stays"] / m["people"] / w["days"]
            lines.append(
                f"stays        {m['stays']:>14,}  ({per:.1f} a person a day, "
                f"{w['start']} to {w['end']})"
            )
        t = m["timings"]
        lines.append(
            f"took         {t['total_s']:>13.1f}s  (people and households "
            f"{t['households_total_s']:.1f}s, stays {t.get('stays_s', 0):.1f}s)"
        )
        self.stdout.write("\n".join(lines))
        self.stdout.write(self.style.SUCCESS(f"Wrote {out}"))
