"""Scanning (采样扫码): people's codes into tubes, the sampling point's hot path.

A sampler scans a tube's barcode (the tube opens on its first scan at a site)
and then each person's code: the QR payload ``zhanyi:person:<id>`` of their
health code, their identity number, or the index's person number. A full tube
closes. Scans are checked one by one: a refused scan (unknown code, a person
already sampled in the round, a person already in the tube, a full tube) says
why and the others are kept.

A scan request costs a fixed, small number of statements whatever the number
of codes: one to lock or open the tube, one that resolves every code to its
person together with what is needed to judge the scan (already sampled in the
round, already in the tube, a scheduled test due), one insert of the accepted
samples, one update of the tube and the audit record. ``do_scan`` takes them
from ``statements``: ``OrmStatements`` here (the ORM: the view, the phone page,
the command line), or the scan lane's hand-written ones
(``zhanyi.testing.fastpath.scan``), which answer alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Q, Subquery, Value
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import audit
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.people.models import Person
from zhanyi.testing.models import (
    Purpose,
    Sample,
    SamplingSite,
    SamplingTeam,
    TestingRound,
    Tube,
    TubeStatus,
)

from .common import Problem, now, refuse, require_operations, testing_rule
from .sampling import _BARCODE, _attach_handoffs, due_kinds

QR_PREFIX = "zhanyi:person:"
_IDENTITY = re.compile(r"^(\d{17}[\dXx]|\d{15})$")
_PERSON_NO = re.compile(r"^[Pp]?(\d{1,12})$")
MAX_SCANS = 50


def qr_payload(person_id: int) -> str:
    """What a person's health-code QR carries for sampling."""
    return f"{QR_PREFIX}{person_id}"


def parse_code(code: str) -> tuple[str, str] | None:
    """("id", "123") or ("identity", "350602…") or None for a code we cannot read."""
    code = (code or "").strip()
    if code.lower().startswith(QR_PREFIX):
        rest = code[len(QR_PREFIX) :]
        return ("id", rest) if rest.isdigit() else None
    if _IDENTITY.match(code):
        return ("identity", code.upper())
    m = _PERSON_NO.match(code)
    if m:
        return ("id", m.group(1))
    return None


@dataclass(frozen=True)
class ScannedPerson:
    """A live person a code resolved to, with what judging the scan needs."""

    pk: int
    #: The barcode of the tube that holds their sample of this round, if any.
    sampled_in: str | None = None
    #: Already in the tube being filled.
    in_tube: bool = False
    #: An open scheduled test or re-sampling is due for them now.
    test_due: bool = False


#: One person a lookup found: (id, identity number, merged into, judgements).
Found = tuple[int, str, int | None, ScannedPerson]


def _lookup(ids: list[int], numbers: list[str], *, round_id, tube_id, due_kinds, at) -> list[Found]:
    """Persons with these ids or identity numbers (merged ones too), with the
    scan's three judgements: one query."""
    match = Q(pk__in=ids) if ids else Q()
    if numbers:
        match = (match | Q(identity_number__in=numbers)) if ids else Q(identity_number__in=numbers)
    sampled = (
        Subquery(
            Sample.objects.filter(
                round_id=round_id, purpose=Purpose.ROUND, person_id=OuterRef("pk")
            ).values("tube__barcode")[:1]
        )
        if round_id is not None
        else Value(None, output_field=CharField())
    )
    in_tube = (
        Exists(Sample.objects.filter(tube_id=tube_id, person_id=OuterRef("pk")))
        if tube_id is not None
        else Value(False)
    )
    due = Exists(
        Handoff.objects.filter(
            Q(not_before__isnull=True) | Q(not_before__lte=at),
            person_id=OuterRef("pk"),
            kind__in=due_kinds,
            status=HandoffStatus.OPEN,
            to_task_force=TaskForceKind.TESTING,
        )
    )
    found = (
        Person.objects.filter(match)
        .annotate(sampled=sampled, in_tube=in_tube, due=due)
        .values_list("pk", "identity_number", "merged_into_id", "sampled", "in_tube", "due")
    )
    return [
        (pk, identity or "", merged, ScannedPerson(pk, sampled_in, bool(inside), bool(is_due)))
        for pk, identity, merged, sampled_in, inside, is_due in found
    ]


def resolve_codes(
    codes: Sequence[str],
    *,
    round_id: int | None = None,
    tube_id: int | None = None,
    due_kinds: Sequence[str] = (HandoffKind.TEST,),
    at: dt.datetime | None = None,
    lookup=_lookup,
) -> dict[str, ScannedPerson]:
    """Live persons for the readable codes, by stripped code; unknown codes are
    left out. One query for all the codes (two when a code names a merged
    person: the survivor is looked up).

    Keys are stripped as ``do_scan`` looks them up: a scanner that ends each
    code with a newline or space still finds the person. ``round_id``,
    ``tube_id`` and ``due_kinds`` fill in the judgements of ``ScannedPerson``.
    ``lookup``: the query (``_lookup``, or the scan lane's prepared one).
    """
    at = at or now()
    parsed = {(c or "").strip(): parse_code(c) for c in codes}
    ids = sorted({int(v) for k, v in filter(None, parsed.values()) if k == "id"})
    numbers = sorted({v for k, v in filter(None, parsed.values()) if k == "identity"})
    if not ids and not numbers:
        return {}
    judged = {"round_id": round_id, "tube_id": tube_id, "due_kinds": list(due_kinds), "at": at}
    found = lookup(ids, numbers, **judged)
    live = {pk: person for pk, _identity, merged, person in found if merged is None}
    by_number = {
        identity: live[pk] for pk, identity, merged, _p in found if identity and pk in live
    }
    merged_of = {pk: merged for pk, _identity, merged, _person in found if merged is not None}
    survivors = sorted(set(merged_of.values()) - set(live))
    if survivors:
        for pk, _identity, merged, person in lookup(survivors, [], **judged):
            if merged is None:
                live[pk] = person
    out: dict[str, ScannedPerson] = {}
    for code, parsed_code in parsed.items():
        if parsed_code is None:
            continue
        kind, value = parsed_code
        if kind == "id":
            pk = int(value)
            person = live.get(merged_of.get(pk, pk))
        else:
            person = by_number.get(value)
        if person is not None:
            out[code] = person
    return out


@dataclass
class ScanResult:
    tube: Tube
    accepted: list[dict] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    closed: bool = False
    opened: bool = False

    def as_dict(self) -> dict:
        return {
            "tube": self.tube.barcode,
            "pool_size": self.tube.pool_size,
            "samples": self.tube.samples_count,
            "status": self.tube.status,
            "opened": self.opened,
            "closed": self.closed,
            "accepted": self.accepted,
            "refused": [p.as_dict() for p in self.refused],
        }


def new_tube(barcode, *, site, round_, pool_size, team, purpose, at) -> Tube:
    """The tube to open at ``site``, not yet written; refused as the rules say."""
    if not _BARCODE.match(barcode):
        refuse(
            "tube",
            "invalid",
            _("A barcode is 4 to 64 letters, digits or hyphens."),
            barcode,
        )
    rule = testing_rule(round_.protocol) if round_ else testing_rule()
    if pool_size is None:
        pool_size = round_.pool_size if round_ else (1 if purpose != Purpose.ROUND else None)
    if pool_size is None:
        refuse("pool_size", "required", _("A new tube needs a pool size or a round."))
    if pool_size not in rule.pool_sizes:
        refuse(
            "pool_size",
            "invalid",
            _("Pool size %(k)s is not allowed; allowed: %(sizes)s.")
            % {"k": pool_size, "sizes": ", ".join(map(str, rule.pool_sizes))},
            str(pool_size),
        )
    if purpose != Purpose.ROUND and pool_size != 1:
        refuse("pool_size", "invalid", _("Re-sampling and scheduled tests use single tubes."))
    if purpose == Purpose.ROUND and round_ is None:
        refuse("round", "required", _("A round tube needs its round."))
    if round_ is not None and not (round_.starts_at <= at < round_.ends_at):
        refuse("round", "closed", _("The round is not open at this time."), round_.name)
    return Tube(
        barcode=barcode,
        round=round_,
        site=site,
        area_id=site.area_id,
        team=team,
        pool_size=pool_size,
        purpose=purpose,
        opened_at=at,
    )


class OrmStatements:
    """The scan's reads and writes through the ORM: the ordinary path."""

    lookup = staticmethod(_lookup)

    @staticmethod
    def lock_tube(barcode: str) -> Tube | None:
        """The tube with ``barcode``, locked for this transaction, its area loaded."""
        return (
            Tube.objects.select_for_update(of=("self",))
            .select_related("area")
            .filter(barcode=barcode)
            .first()
        )

    @staticmethod
    def insert_tube(tube: Tube) -> bool:
        """Write a new tube: False (nothing written) when its barcode is taken."""
        try:
            with transaction.atomic():
                tube.save(force_insert=True)
        except IntegrityError:
            if Tube.objects.filter(barcode=tube.barcode).exists():
                return False
            raise
        return True

    @staticmethod
    def write(
        tube: Tube, at: dt.datetime, persons: list[int], handoffs: list, changes: dict, record: dict
    ) -> None:
        """The scan's new samples (a person and the hand-off it fulfils, each),
        the tube's ``changes`` and its audit record."""
        Sample.objects.bulk_create(
            Sample(
                tube=tube,
                person_id=person,
                round_id=tube.round_id,
                purpose=tube.purpose,
                sampled_at=at,
                handoff_id=handoff,
            )
            for person, handoff in zip(persons, handoffs, strict=True)
        )
        if changes:
            tube.save(update_fields=list(changes))
        audit.record(**record)

    @staticmethod
    def whole_new_tube(**scan) -> ScanResult | None:
        """No shortcut for a whole new tube: the usual order answers it."""
        return None


def _open_tube(barcode, statements, **opening) -> tuple[Tube, bool]:
    """The new tube and True; or, opened by a concurrent request, that tube and False."""
    tube = new_tube(barcode, **opening)
    if statements.insert_tube(tube):
        return tube, True
    # Opened by a concurrent request with the same barcode: that one, locked.
    return statements.lock_tube(barcode), False


def do_scan(
    *,
    acting_user,
    barcode: str,
    codes: Sequence[str],
    site: SamplingSite | None = None,
    round: TestingRound | None = None,
    pool_size: int | None = None,
    team: SamplingTeam | None = None,
    purpose: str = Purpose.ROUND,
    sampled_at: dt.datetime | None = None,
    request=None,
    statements=OrmStatements,
) -> ScanResult:
    """Scan people's codes into a tube; open the tube on its first scan at ``site``.

    Nothing is written unless all of it is: the tube, its samples and the
    audit record land together or not at all. ``statements``: how the scan
    reads and writes (``OrmStatements``, or the scan lane's).
    """
    at = sampled_at or now()
    barcode = (barcode or "").strip()
    if not barcode:
        refuse("tube", "required", _("Scan the tube's barcode first."))
    if len(codes) > MAX_SCANS:
        refuse(
            "codes",
            "too_many",
            _("At most %(n)s scans in one request.") % {"n": MAX_SCANS},
        )
    if purpose not in Purpose.values:
        refuse("purpose", "invalid", _("Unknown purpose."), purpose)
    scan = {
        "acting_user": acting_user,
        "barcode": barcode,
        "codes": codes,
        "site": site,
        "round_": round,
        "pool_size": pool_size,
        "team": team,
        "purpose": purpose,
        "at": at,
        "request": request,
    }
    result = statements.whole_new_tube(**scan)
    if result is None:
        result = _scan(statements=statements, **scan)
    return result


def judge(
    codes: Sequence[str], persons: dict[str, ScannedPerson], tube: Tube, result: ScanResult
) -> tuple[list[int], bool]:
    """Accept or refuse each code (into ``result``): the accepted persons in
    scan order, and whether any of them has a scheduled test due."""
    room = tube.pool_size - tube.samples_count
    new: list[int] = []
    in_tube: set[int] = set()
    due = False
    for index, code in enumerate(codes):
        code = (code or "").strip()
        person = persons.get(code)
        problem = None
        if person is None:
            message = (
                _("Unknown code: no person in the index has it.")
                if parse_code(code)
                else _(
                    "Unreadable code: not a health-code QR, an identity number or a person number."
                )
            )
            problem = ("unknown", message)
        elif person.in_tube or person.pk in in_tube:
            problem = ("duplicate", _("Already scanned into this tube."))
        elif person.sampled_in:
            problem = (
                "already_sampled",
                _("Already sampled in this round (tube %(b)s).") % {"b": person.sampled_in},
            )
        elif room <= 0:
            problem = (
                "tube_full",
                _("The tube is full (%(k)s swabs); scan the rest into a new tube.")
                % {"k": tube.pool_size},
            )
        if problem:
            result.refused.append(Problem(index, "codes", *problem, code))
            continue
        assert person is not None  # an unknown code is refused above
        room -= 1
        in_tube.add(person.pk)
        due = due or person.test_due
        new.append(person.pk)
        result.accepted.append({"index": index, "person_id": person.pk})
    return new, due


def fill(tube: Tube, count: int, at: dt.datetime, result: ScanResult) -> dict:
    """Count ``count`` new samples into ``tube`` (closed when full): the changed fields."""
    tube.samples_count += count
    changes: dict[str, object] = {"samples_count": tube.samples_count}
    if tube.sampled_at is None:
        tube.sampled_at = changes["sampled_at"] = at
    if tube.samples_count >= tube.pool_size:
        tube.status = changes["status"] = TubeStatus.CLOSED
        tube.closed_at = changes["closed_at"] = at
        result.closed = True
    return changes


def scan_record(acting_user, tube, result, site, request) -> dict:
    """The scan's audit record, as ``audit.record``'s arguments."""
    return {
        "actor": acting_user,
        "action": "testing.scan",
        "obj": tube,
        "detail": {
            "accepted": [a["person_id"] for a in result.accepted],
            "refused": len(result.refused),
            "closed": result.closed,
        },
        "request": request,
        "area": site.area if site is not None and site.pk == tube.site_id else tube.area,
    }


@transaction.atomic
def _scan(
    *, statements, acting_user, barcode, codes, site, round_, pool_size, team, purpose, at, request
) -> ScanResult:
    """The usual order: lock the tube (or open it), judge the codes, write."""
    tube = statements.lock_tube(barcode)
    opened = False
    if tube is None:
        if site is None:
            refuse("tube", "unknown", _("Unknown tube barcode %(b)s.") % {"b": barcode}, barcode)
        require_operations(acting_user, site.area)
        tube, opened = _open_tube(
            barcode,
            statements,
            site=site,
            round_=round_,
            pool_size=pool_size,
            team=team,
            purpose=purpose,
            at=at,
        )
    if not opened:
        require_operations(acting_user, tube.area)
        if site is not None and tube.site_id != site.pk:
            refuse("tube", "other_site", _("This tube was opened at another site."), barcode)
        if round_ is not None and tube.round_id != round_.pk:
            refuse("tube", "other_round", _("This tube belongs to another round."), barcode)
    result = ScanResult(tube=tube, opened=opened)
    if tube.status != TubeStatus.OPEN:
        refuse(
            "tube",
            "closed",
            _("Tube %(b)s is closed (%(status)s); open a new tube.")
            % {"b": barcode, "status": tube.get_status_display()},
            barcode,
        )
    persons = resolve_codes(
        codes,
        round_id=tube.round_id if tube.purpose == Purpose.ROUND else None,
        tube_id=None if opened else tube.pk,
        due_kinds=due_kinds(tube.pool_size),
        at=at,
        lookup=statements.lookup,
    )
    new, due = judge(codes, persons, tube, result)
    handoffs: list[int | None] = [None] * len(new)
    if due:
        # Rare (a contact's scheduled test): the hand-off work uses samples.
        samples = [
            Sample(tube=tube, person_id=pk, round_id=tube.round_id, purpose=tube.purpose)
            for pk in new
        ]
        _attach_handoffs(samples, tube, at, acting_user)
        handoffs = [s.handoff_id for s in samples]
    changes = fill(tube, len(new), at, result) if new else {}
    record = scan_record(acting_user, tube, result, site, request)
    statements.write(tube, at, new, handoffs, changes, record)
    return result


@transaction.atomic
def do_close_tube(tube: Tube, *, acting_user, request=None) -> Tube:
    """Close a tube before it is full (the last people of a queue)."""
    tube = Tube.objects.select_for_update().get(pk=tube.pk)
    require_operations(acting_user, tube.area)
    if tube.status != TubeStatus.OPEN:
        refuse("tube", "closed", _("The tube is closed already."), tube.barcode)
    if tube.samples_count == 0:
        refuse("tube", "empty", _("An empty tube cannot be closed; it is not sent."), tube.barcode)
    tube.status = TubeStatus.CLOSED
    tube.closed_at = now()
    tube.save(update_fields=["status", "closed_at"])
    audit.record(
        actor=acting_user, action="testing.tube_close", obj=tube, request=request, area=tube.area
    )
    return tube
