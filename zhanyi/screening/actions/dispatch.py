"""Dispatch (派单): each pushed person becomes one task for a village's five-to-one team.

The address on the record is resolved to a village by the engine's gazetteer
over the area tree. A record with no village found goes to the manual queue of
the township (or county, or the city) that the address did name. A person
already in the index with a village falls back to that village. The task is
due ``[screening] find_within_hours`` (2 h) after the list was received. A
person pushed again while their task is open joins that task: one person, one
task, counted once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zhanyi.core import audit
from zhanyi.core.db.bulk import Inserter
from zhanyi.people import linkage
from zhanyi.people.actions.health_codes import do_recompute_codes
from zhanyi.people.models import Person
from zhanyi.places.models import LEVEL_DEPTH, Area, AreaLevel
from zhanyi.screening.models import PushCategory, ScreeningTask, TaskEvent

from .common import actor_name, find_within

#: Most urgent first: a task pushed for several reasons shows the first.
SEVERITY: list[str] = [
    PushCategory.CLOSE_CONTACT,
    PushCategory.SECONDARY_CONTACT,
    PushCategory.COMPANION,
    PushCategory.RISK_AREA_ARRIVAL,
]


@dataclass(frozen=True)
class Resolution:
    village_code: str | None = None
    village_id: int | None = None
    area_id: int | None = None  # the village, or the manual queue's area
    confidence: float | None = None


def _areas() -> tuple[dict[str, int], int | None]:
    codes = dict(Area.objects.exclude(level=AreaLevel.GRID).values_list("code", "id"))
    root = Area.objects.filter(parent=None).order_by("path").values_list("id", flat=True).first()
    return codes, root


def resolve_addresses(addresses: Iterable[str | None]) -> dict[str | None, Resolution]:
    """Each distinct address → its village, or the area of its manual queue."""
    # The linkage engine loads Splink (seconds): only when addresses are resolved.
    from zhanyi.engine.linkage.address import Gazetteer

    distinct = sorted({a for a in addresses if a})
    codes, root = _areas()
    out: dict[str | None, Resolution] = {
        None: Resolution(area_id=root),
        "": Resolution(area_id=root),
    }
    if not distinct:
        return out
    resolved = Gazetteer(linkage.areas_frame(), linkage.places_frame()).resolve(distinct)
    for row in resolved.iter_rows(named=True):
        village = codes.get(row["village_code"] or "")
        area = (
            village
            or codes.get(row["township_code"] or "")
            or codes.get(row["county_code"] or "")
            or root
        )
        out[row["address"]] = Resolution(
            village_code=row["village_code"] if village else None,
            village_id=village,
            area_id=area,
            confidence=row["confidence"],
        )
    for address in distinct:
        out.setdefault(address, Resolution(area_id=root))
    return out


def _severest(categories: Iterable[str]) -> str:
    return min(categories, key=SEVERITY.index)


@dataclass(slots=True)
class DispatchItem:
    """What dispatch needs of a record with a person; ``task_id`` is set by ``dispatch``."""

    person_id: int
    village_id: int | None
    resolved_area_id: int | None
    category: str
    received_at: dt.datetime
    row_number: int
    task_id: int | None = None


def _TASK_INSERT() -> Inserter:
    return Inserter(
        ScreeningTask,
        [
            "person",
            "area",
            "manual",
            "category",
            "status",
            "received_at",
            "due_at",
            "outcome",
            "found_where",
            "measure",
            "test_arranged",
            "current_location",
            "notes",
            "closed_by_name",
        ],
    )


def dispatch(items: list[DispatchItem], *, acting_user) -> dict[str, int]:
    """Give every item a task: the person's open task, or a new one.

    Sets ``item.task_id``; creates tasks and their first step. Returns counts
    of tasks created and records joined to open tasks.
    """
    by_person: dict[int, list[DispatchItem]] = defaultdict(list)
    for item in items:
        by_person[item.person_id].append(item)
    if not by_person:
        return {"tasks_created": 0, "tasks_joined": 0}
    open_tasks, home = _open_tasks_and_villages(list(by_person))
    window = find_within()
    now = timezone.now()
    by = actor_name(acting_user)
    new_tasks: list[tuple[ScreeningTask, list[DispatchItem]]] = []
    events: list[TaskEvent] = []
    joined = 0
    for person_id, group in by_person.items():
        task_id = open_tasks.get(person_id)
        if task_id is None:
            new_tasks.append((_new_task(person_id, group, home.get(person_id), window), group))
            continue
        for item in group:
            item.task_id = task_id
        events.append(
            TaskEvent(
                task_id=task_id,
                kind=TaskEvent.Kind.MERGED,
                at=now,
                by_name=by,
                detail={"rows": [i.row_number for i in group], "category": group[0].category},
            )
        )
        joined += len(group)
    _insert_tasks([t for t, _group in new_tasks])
    for task, group in new_tasks:
        for item in group:
            item.task_id = task.pk
        events.append(
            TaskEvent(
                task_id=task.pk,
                kind=TaskEvent.Kind.DISPATCHED,
                at=now,
                by_name=by,
                detail={"area": task.area_id, "manual": task.manual},
            )
        )
    _insert_events(events)
    return {"tasks_created": len(new_tasks), "tasks_joined": joined}


def _open_tasks_and_villages(person_ids: list[int]) -> tuple[dict[int, int], dict[int, int | None]]:
    """Each person's open task (if any) and home village, read 2,000 persons at a time."""
    open_tasks: dict[int, int] = {}
    home: dict[int, int | None] = {}
    for i in range(0, len(person_ids), 2000):
        chunk = person_ids[i : i + 2000]
        open_tasks.update(
            ScreeningTask.objects.filter(
                person_id__in=chunk, status=ScreeningTask.Status.OPEN
            ).values_list("person_id", "id")
        )
        home.update(Person.objects.filter(pk__in=chunk).values_list("id", "village_id"))
    return open_tasks, home


def _new_task(
    person_id: int, group: list[DispatchItem], home_village: int | None, window: dt.timedelta
) -> ScreeningTask:
    """The task a person without an open task gets (not yet written): in the
    records' village, else the person's home village, else the manual queue's
    area; the severest category; due ``window`` after the first record."""
    village = next((i.village_id for i in group if i.village_id), None) or home_village
    received = min(i.received_at for i in group)
    area_id = village or group[0].resolved_area_id
    assert area_id is not None  # a record's address resolves to an area, the city at least
    return ScreeningTask(
        person_id=person_id,
        area_id=area_id,
        manual=village is None,
        category=_severest(i.category for i in group),
        received_at=received,
        due_at=received + window,
    )


def _insert_tasks(tasks: list[ScreeningTask]) -> None:
    """Write the new tasks 5,000 at a time and set each one's pk."""
    task_rows = [
        (
            t.person_id,
            t.area_id,
            t.manual,
            t.category,
            ScreeningTask.Status.OPEN,
            t.received_at,
            t.due_at,
            "",
            "",
            "",
            False,
            "",
            "",
            "",
        )
        for t in tasks
    ]
    for start in range(0, len(task_rows), 5000):
        _TASK_INSERT().run(task_rows[start : start + 5000])
    # One open task per person (a constraint): the new tasks' ids by person.
    created: dict[int, int] = {}
    new_persons = [t.person_id for t in tasks]
    for i in range(0, len(new_persons), 2000):
        created.update(
            ScreeningTask.objects.filter(
                person_id__in=new_persons[i : i + 2000], status=ScreeningTask.Status.OPEN
            ).values_list("person_id", "id")
        )
    for task in tasks:
        task.pk = created[task.person_id]


def _insert_events(events: list[TaskEvent]) -> None:
    """Write the tasks' events 5,000 at a time."""
    event_insert = Inserter(TaskEvent, ["task", "kind", "at", "by_name", "detail"])
    for start in range(0, len(events), 5000):
        event_insert.run(
            [(e.task_id, e.kind, e.at, e.by_name, e.detail) for e in events[start : start + 5000]]
        )


def recompute_codes(person_ids: Iterable[int], *, reason: str, acting_user) -> int:
    """Ask the person index to recompute these persons' health codes after a fact changed."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    return do_recompute_codes(ids, reason=reason, acting_user=acting_user)


# ---------------------------------------------------------------- escalation


@transaction.atomic
def do_escalate_overdue(*, acting_user, now: dt.datetime | None = None) -> int:
    """Escalate open tasks past their deadline to the township (超时上报); return how many."""
    now = now or timezone.now()
    overdue = ScreeningTask.objects.select_for_update().filter(
        status=ScreeningTask.Status.OPEN, due_at__lt=now, escalated_at=None
    )
    tasks = list(overdue.select_related("area"))
    if not tasks:
        return 0
    by = actor_name(acting_user)
    townships = _townships({t.area for t in tasks})
    for task in tasks:
        task.escalated_at = now
        task.escalated_to_id = townships.get(task.area_id, task.area_id)
    ScreeningTask.objects.bulk_update(tasks, ["escalated_at", "escalated_to"], batch_size=1000)
    TaskEvent.objects.bulk_create(
        [
            TaskEvent(
                task=t,
                kind=TaskEvent.Kind.ESCALATED,
                at=now,
                by_name=by,
                detail={"to": t.escalated_to_id, "due_at": t.due_at.isoformat()},
            )
            for t in tasks
        ]
    )
    audit.record(
        actor=acting_user,
        action="screening.task.escalate",
        object_type="screening.screeningtask",
        detail={"escalated": len(tasks), "ids": [t.pk for t in tasks][:1000]},
    )
    return len(tasks)


def _townships(areas: set[Area]) -> dict[int, int]:
    """Area id → the id of the township above it (itself when it is one or above)."""
    depth = LEVEL_DEPTH[AreaLevel.TOWNSHIP]
    wanted: dict[int, str] = {}
    for area in areas:
        codes = [c for c in area.path.strip("/").split("/") if c]
        if LEVEL_DEPTH.get(area.level, 0) > depth and len(codes) > depth:
            wanted[area.pk] = codes[depth]
    ids = dict(
        Area.objects.filter(code__in=set(wanted.values()), level=AreaLevel.TOWNSHIP).values_list(
            "code", "id"
        )
    )
    return {area.pk: ids.get(wanted.get(area.pk, ""), area.pk) for area in areas}
