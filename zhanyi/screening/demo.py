"""The screening part of the demo replay: push lists from Putian, Xiamen and Quanzhou.

Called by the demo after the city is loaded::

    from zhanyi.screening.demo import replay_push_lists
    summary = replay_push_lists(acting_user=commander, seed=seed)

It draws one faulty push list from the loaded person index with the engine's
generator (``zhanyi.engine.synth.pushlist``), at the article's scale for the
city's size (163,000 records for 5.05 million people), splits it by origin
city and imports each part through the product's own intake, as its sender
would send it: Putian as xlsx, Xiamen as GBK csv, Quanzhou as UTF-8 csv. Then
the five-to-one teams work the tasks as the article tells (found within two
hours): people found in the index are found in the city (close contacts to
centralised quarantine, secondary contacts to home quarantine, companions and
arrivals to health monitoring, each with a test), people the index did not
know are not in the city. A few are closed late and a very few are still not
found on 30 September, for supervision to chase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from zhanyi.core.audit import cli_actor
from zhanyi.engine.synth.pushlist import generate_push_list, write_push_list
from zhanyi.people import linkage
from zhanyi.people.models import Person
from zhanyi.screening import bridge
from zhanyi.screening.actions import do_import_push_list, do_record_outcomes, do_save_source
from zhanyi.screening.actions.linking import external_id_for
from zhanyi.screening.models import Decision, PushRecord, PushSource, ScreeningTask

#: The article: 163,000 records screened in a city of 5.05 million.
RECORDS_PER_PERSON = 163_000 / 5_050_000
#: Origin city → (source name, format, encoding).
SENDERS = {
    "莆田市": ("莆田市协查", "xlsx", "utf-8"),
    "厦门市": ("厦门市协查", "csv", "gbk"),
    "泉州市": ("泉州市协查", "csv", "utf-8"),
}
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
#: When each city's list arrived (Putian's outbreak was announced on 10 September,
#: Xiamen's and Quanzhou's cases on 12–13 September).
RECEIVED_AT = {
    "莆田市": dt.datetime(2021, 9, 10, 20, 0, tzinfo=SHANGHAI),
    "厦门市": dt.datetime(2021, 9, 13, 8, 0, tzinfo=SHANGHAI),
    "泉州市": dt.datetime(2021, 9, 13, 14, 0, tzinfo=SHANGHAI),
}
#: The teams close most tasks this long after the list arrived (inside the
#: 2-hour rule), a few this long (late: the supervision ledger's closed-late).
WORKED_AFTER = dt.timedelta(minutes=95)
WORKED_LATE = dt.timedelta(hours=3, minutes=30)
#: Shares of the tasks closed late and still open on 30 September.
LATE_SHARE = 0.02
OPEN_SHARE = 0.01
MEASURES = {
    "close_contact": ScreeningTask.Measure.CENTRALISED_QUARANTINE,
    "secondary_contact": ScreeningTask.Measure.HOME_QUARANTINE,
    "companion": ScreeningTask.Measure.HEALTH_MONITORING,
    "risk_area_arrival": ScreeningTask.Measure.HEALTH_MONITORING,
}


def demo_records(persons: int) -> int:
    return max(30, round(persons * RECORDS_PER_PERSON))


def replay_push_lists(
    *,
    acting_user,
    seed: int = 20210910,
    records: int | None = None,
    say: Callable[[str], None] = print,
) -> dict:
    """Push lists from the three cities, imported and mostly worked; returns a summary.

    ``acting_user`` closes the tasks (a commander of the city); the lists are
    received by the command line's actor. ``records`` defaults to the article's
    scale for the loaded city. ``OPEN_SHARE`` of the tasks stay open,
    ``LATE_SHARE`` are closed late, the rest within the two hours.
    """
    index = pl.read_parquet(linkage.person_index_path())
    # Draw from the city's own people, not from persons earlier lists created,
    # so that the same seed gives the same lists (and a replay adds nothing).
    # (Not "a negative external id": a city loaded from its population register
    # gives its people negative ids too, and they are the city's own.)
    created = [external_id_for(f) for f in PushRecord.objects.values_list("fingerprint", flat=True)]
    pushed_before = [
        pk
        for i in range(0, len(created), 2000)
        for pk in Person.objects.filter(external_id__in=created[i : i + 2000]).values_list(
            "id", flat=True
        )
    ]
    index = index.filter(~pl.col("person_id").is_in(pushed_before))
    n = records or demo_records(index.height)
    say(f"Generating push lists: {n:,} records from Putian, Xiamen and Quanzhou…")
    pushed, _truth = generate_push_list(index, linkage.areas_frame(), n, seed=seed)
    directory = bridge.snapshot_dir() / "demo"
    directory.mkdir(parents=True, exist_ok=True)
    lists = []
    for origin, (name, fmt, encoding) in SENDERS.items():
        part = pushed.filter(pl.col("origin") == origin)
        if part.is_empty():
            continue
        source = PushSource.objects.filter(name=name).first() or do_save_source(
            acting_user=cli_actor(), name=name, origin_city=origin
        )
        path = write_push_list(part, directory / f"{name}-{seed}.{fmt}", fmt, encoding)
        push_list = do_import_push_list(
            source,
            path,
            filename=Path(path).name,
            acting_user=cli_actor(),
            received_at=RECEIVED_AT[origin],
        )
        say(
            f"  {name}: {push_list.rows_read:,} rows, {push_list.rows_stored:,} stored, "
            f"{push_list.rows_invalid:,} with errors, {push_list.rows_repeated:,} repeated"
        )
        lists.append(push_list)
    closed = _work_tasks(acting_user, seed)
    say(f"  five-to-one teams closed {closed:,} tasks")
    return {
        "records": sum(p.rows_read for p in lists),
        "stored": sum(p.rows_stored for p in lists),
        "invalid": sum(p.rows_invalid for p in lists),
        "lists": [p.pk for p in lists],
        "tasks": ScreeningTask.objects.count(),
        "closed": closed,
    }


def _work_tasks(acting_user, seed: int) -> int:
    rng = np.random.default_rng(seed + 1)
    tasks = list(
        ScreeningTask.objects.filter(status=ScreeningTask.Status.OPEN)
        .select_related("area")
        .order_by("id")
    )
    not_known = set(
        ScreeningTask.objects.filter(records__decision=Decision.NEW).values_list("id", flat=True)
    )
    origins = dict(
        ScreeningTask.objects.filter(records__isnull=False).values_list("id", "records__origin")
    )
    outcomes = []
    for task in tasks:
        draw = rng.random()
        if draw < OPEN_SHARE:
            continue
        after = WORKED_LATE if draw < OPEN_SHARE + LATE_SHARE else WORKED_AFTER
        if task.pk in not_known:
            values = {
                "outcome": ScreeningTask.Outcome.NOT_IN_CITY,
                "current_location": origins.get(task.pk) or "外地",
            }
        else:
            values = {
                "outcome": ScreeningTask.Outcome.FOUND_IN_CITY,
                "found_where": task.area.name,
                "measure": MEASURES[task.category],
                "test_arranged": True,
            }
        outcomes.append((task, values, after))
    # Each list's tasks are closed by its teams after it arrived, not today.
    by_time: dict[dt.datetime, list] = {}
    for task, values, after in outcomes:
        by_time.setdefault(task.received_at + after, []).append((task, values))
    return sum(
        do_record_outcomes(group, acting_user=acting_user, at=at)
        for at, group in sorted(by_time.items())
    )
