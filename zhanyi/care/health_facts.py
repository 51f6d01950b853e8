"""What hospital care tells the health-code rules: a discharged case is under
health monitoring (出院后隔离管理和健康状况监测, ``[discharge] monitoring_days``)
from the discharge to ``monitoring_until``, a ``home_health_monitoring``
quarantine fact; the rules decide the colour (yellow in the 8th edition)."""

from __future__ import annotations

import datetime as dt

from zhanyi.engine.codes.facts import QuarantineFact
from zhanyi.people.health_facts import for_persons, provider

from .models import Admission


@provider("care")
def facts(person_ids: list[int], now: dt.datetime) -> dict[int, dict[str, list]]:
    out: dict[int, dict[str, list]] = {}
    discharged = Admission.objects.filter(discharged_at__isnull=False, discharged_at__lte=now)
    rows = for_persons(discharged, person_ids).values_list(
        "pk", "person_id", "discharged_at", "monitoring_until"
    )
    for pk, person_id, start, end in rows:
        fact = QuarantineFact("home_health_monitoring", start, end, f"care.admission:{pk}")
        out.setdefault(person_id, {"quarantines": []})["quarantines"].append(fact)
    return out
