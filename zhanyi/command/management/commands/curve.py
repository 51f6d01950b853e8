"""``zhanyi curve [--area CODE] [--by onset|report] [--si-mean D --si-sd D] [--json]``:
the epidemic curve of an area (default the city) and its Rt (Cori et al. 2013,
as EpiEstim), doubling time and seven-day projection."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.command import curve as epicurve
from zhanyi.places.models import Area, AreaLevel


class Command(BaseCommand):
    help = "The epidemic curve and the reproduction number Rt of an area."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", help="area code (default: the city)")
        parser.add_argument("--by", choices=sorted(epicurve.BY), default="onset")
        parser.add_argument("--si-mean", type=float, default=epicurve.SERIAL_INTERVAL_MEAN)
        parser.add_argument("--si-sd", type=float, default=epicurve.SERIAL_INTERVAL_SD)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        try:
            if options["area"]:
                area = Area.objects.get(code=options["area"])
            else:
                area = Area.objects.filter(level=AreaLevel.CITY).order_by("path").first()
        except Area.DoesNotExist:
            raise CommandError(f"no area with code {options['area']!r}") from None
        if area is None:
            raise CommandError("no areas have been loaded")
        try:
            curve = epicurve.epidemic_curve(
                area, by=options["by"], si_mean=options["si_mean"], si_sd=options["si_sd"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if options["json"]:
            self.stdout.write(json.dumps(curve.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(f"{area.name}: cases by {options['by']} date")
        for i, day in enumerate(curve.days):
            rt = curve.rt[i]
            band = f"  Rt {rt:.2f} [{curve.rt_low[i]:.2f}, {curve.rt_high[i]:.2f}]" if rt else ""
            self.stdout.write(f"{day}  {curve.total[i]:>5}{band}")
        self.stdout.write(f"doubling time (days): {curve.doubling_days}")
        self.stdout.write(f"projection, next {len(curve.projection)} days: {curve.projection}")
