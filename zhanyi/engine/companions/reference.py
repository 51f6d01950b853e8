"""A brute-force companion search in plain Python, the yardstick for the engines.

It re-implements, independently and as plainly as possible, what ingest and
the query do together (validation, cutting at local midnight, merging per
person, cell and day, then the rule in ``query``'s docstring), with loops over
every stay. It is for tests on small data only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from zhanyi.engine.companions.store import DAY_S, LOCAL_OFFSET_S
from zhanyi.engine.protocol import CompanionRule


@dataclass(frozen=True, order=True)
class Companion:
    case_person_id: int
    companion_person_id: int
    cell_id: int
    overlap_s: int
    periods: tuple[tuple[int, int], ...]
    case_dwell_s: int
    companion_dwell_s: int


def _day(t: int) -> int:
    return (t + LOCAL_OFFSET_S) // DAY_S


def _lo(day: int) -> int:
    return day * DAY_S - LOCAL_OFFSET_S


def valid_stays(rows: Iterable[tuple], rule: CompanionRule, n_cells: int) -> set[tuple]:
    """The stays ingest keeps, from ``(src_day, person, cell, start_s, end_s)`` rows."""
    kept = set()
    for src_day, person, cell, start, end in rows:
        if None in (person, cell, start, end):
            continue
        if not 0 <= cell < n_cells or end <= start:
            continue
        if not _lo(src_day) <= start < _lo(src_day + 1):
            continue
        kept.add((person, cell, start, end))
    return kept


def day_pieces(stays: Iterable[tuple], gap_s: int) -> dict[tuple[int, int, int], list]:
    """(person, cell, day) → merged ``[start, end)`` pieces within that local day."""
    raw: dict[tuple[int, int, int], list] = defaultdict(list)
    for person, cell, start, end in stays:
        for day in range(_day(start), _day(end - 1) + 1):
            raw[(person, cell, day)].append([max(start, _lo(day)), min(end, _lo(day + 1))])
    merged = {}
    for key, pieces in raw.items():
        pieces.sort()
        out = [pieces[0][:]]
        for s, e in pieces[1:]:
            if s <= out[-1][1] + gap_s:
                out[-1][1] = max(out[-1][1], e)
            else:
                out.append([s, e])
        merged[key] = out
    return merged


def _coalesce(periods: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for s, e in sorted(periods):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return tuple((s, e) for s, e in out)


def reference_companions(
    rows: Iterable[tuple],
    cases: Iterable[tuple[int, int, int]],
    rule: CompanionRule,
    n_cells: int,
) -> list[Companion]:
    """Companions of ``cases`` (``(person, window_start_s, window_end_s)``), sorted."""
    pieces = day_pieces(valid_stays(rows, rule, n_cells), rule.merge_gap_minutes * 60)
    by_cell: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for (person, cell, day), spans in pieces.items():
        for s, e in spans:
            by_cell[cell][person].append((day, s, e))
    found = []
    for case, ws, we in cases:
        lb_last = _day(we - 1)
        lb_first = lb_last - rule.lookback_days + 1
        # [companion] overlap_within: the whole lookback, or the case's window in it.
        ws = _lo(lb_first) if rule.overlap_within == "lookback" else max(ws, _lo(lb_first))

        def dwell(spans: list, first: int = lb_first, last: int = lb_last) -> int:
            return sum(e - s for day, s, e in spans if first <= day <= last)

        for cell, people in by_cell.items():
            mine = [
                (max(s, ws), min(e, we)) for _, s, e in people.get(case, []) if s < we and e > ws
            ]
            if not mine:
                continue
            case_dwell = dwell(people[case])
            for other, spans in people.items():
                if other == case:
                    continue
                overlaps = []
                for cs, ce in mine:
                    for _, s, e in spans:
                        lo, hi = max(cs, s), min(ce, e)
                        if lo < hi:
                            overlaps.append((lo, hi))
                total = sum(hi - lo for lo, hi in overlaps)
                if total <= rule.min_overlap_s:
                    continue
                other_dwell = dwell(spans)
                if case_dwell >= rule.dwell_s or other_dwell >= rule.dwell_s:
                    found.append(
                        Companion(
                            case, other, cell, total, _coalesce(overlaps), case_dwell, other_dwell
                        )
                    )
    return sorted(found)
