"""Sampling (采), delivery (送) and lab receipt: sites, tubes, scans, batches.

A sampler scans a tube's barcode (the tube opens on its first scan at a site)
and then each person's code: the QR payload ``zhanyi:person:<id>`` of their
health code, their identity number, or the index's person number. A full tube
closes. Scans are checked one by one: a refused scan (unknown code, a person
already sampled in the round, a full tube) says why and the others are kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from zhanyi.accounts import audit
from zhanyi.command.actions.handoffs import do_close_handoff
from zhanyi.command.models import Handoff, HandoffKind, HandoffStatus, TaskForceKind
from zhanyi.people.models import Person
from zhanyi.places.models import Area, Place
from zhanyi.testing.models import (
    DeliveryBatch,
    Lab,
    Purpose,
    Sample,
    SamplingSite,
    SamplingTeam,
    TestingRound,
    Tube,
    TubeStatus,
)

from .common import (
    InputError,
    Problem,
    actor_name,
    now,
    refuse,
    require_operations,
    testing_rule,
)

QR_PREFIX = "zhanyi:person:"
_IDENTITY = re.compile(r"^(\d{17}[\dXx]|\d{15})$")
_PERSON_NO = re.compile(r"^[Pp]?(\d{1,12})$")
MAX_SCANS = 50
_BARCODE = re.compile(r"^[A-Za-z0-9\-]{4,64}$")


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


def resolve_codes(codes: Sequence[str]) -> dict[str, Person]:
    """Live persons for the readable codes, by stripped code; unknown codes are left out.

    Keys are stripped as ``do_scan`` looks them up: a scanner that ends each
    code with a newline or space still finds the person.
    """
    parsed = {(c or "").strip(): parse_code(c) for c in codes}
    ids = {int(v) for k, v in filter(None, parsed.values()) if k == "id"}
    numbers = {v for k, v in filter(None, parsed.values()) if k == "identity"}
    found = Person.objects.filter(Q(pk__in=ids) | Q(identity_number__in=numbers)).only(
        "id", "village_id", "merged_into_id", "identity_number"
    )
    by_id: dict[int, Person] = {}
    by_number: dict[str, Person] = {}
    for p in found:
        by_id[p.pk] = p
        if p.identity_number and p.merged_into_id is None:
            by_number[p.identity_number] = p
    out: dict[str, Person] = {}
    for code, parsed_code in parsed.items():
        if parsed_code is None:
            continue
        kind, value = parsed_code
        person = by_id.get(int(value)) if kind == "id" else by_number.get(value)
        if person is not None and person.merged_into_id is not None:
            person = by_id.get(person.merged_into_id) or Person.objects.get(
                pk=person.merged_into_id
            )
        if person is not None:
            out[code] = person
    return out


# -- sites, teams, labs -----------------------------------------------------------------


@transaction.atomic
def do_create_site(
    *, acting_user, name: str, area: Area, place: Place | None = None, teams: Sequence[str] = ()
) -> SamplingSite:
    require_operations(acting_user, area)
    if not name.strip():
        refuse("name", "required", _("A sampling site needs a name."))
    site = SamplingSite.objects.create(name=name.strip()[:100], area=area, place=place)
    for team in teams:
        SamplingTeam.objects.create(site=site, name=team[:100])
    audit.record(actor=acting_user, action="testing.site_create", obj=site, area=area)
    return site


@transaction.atomic
def do_create_lab(*, acting_user, code: str, name: str, area: Area, daily_capacity: int = 0) -> Lab:
    require_operations(acting_user, area)
    code = code.strip()
    if not code or not name.strip():
        refuse("code", "required", _("A laboratory needs a code and a name."))
    if Lab.objects.filter(code=code).exists():
        refuse("code", "duplicate", _("A laboratory with this code exists."), code)
    lab = Lab.objects.create(
        code=code[:32], name=name.strip()[:100], area=area, daily_capacity=daily_capacity
    )
    audit.record(actor=acting_user, action="testing.lab_create", obj=lab, area=area)
    return lab


# -- scanning ---------------------------------------------------------------------------


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


def _open_tube(barcode, *, site, round_, pool_size, team, purpose, at) -> Tube:
    if not _BARCODE.match(barcode):
        refuse(
            "tube",
            "invalid",
            _("A barcode is 4 to 64 letters, digits or hyphens."),
            barcode,
        )
    rule = testing_rule(round_.protocol if round_ else "edition-8")
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
    try:
        with transaction.atomic():
            return Tube.objects.create(
                barcode=barcode,
                round=round_,
                site=site,
                area_id=site.area_id,
                team=team,
                pool_size=pool_size,
                purpose=purpose,
                opened_at=at,
            )
    except IntegrityError:
        # Opened by a concurrent request with the same barcode: use that one.
        return Tube.objects.select_for_update().get(barcode=barcode)


@transaction.atomic
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
) -> ScanResult:
    """Scan people's codes into a tube; open the tube on its first scan at ``site``."""
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
    tube = Tube.objects.select_for_update().filter(barcode=barcode).first()
    opened = False
    if tube is None:
        if site is None:
            refuse("tube", "unknown", _("Unknown tube barcode %(b)s.") % {"b": barcode}, barcode)
        require_operations(acting_user, site.area)
        tube = _open_tube(
            barcode,
            site=site,
            round_=round,
            pool_size=pool_size,
            team=team,
            purpose=purpose,
            at=at,
        )
        opened = True
    else:
        require_operations(acting_user, tube.area)
        if site is not None and tube.site_id != site.pk:
            refuse("tube", "other_site", _("This tube was opened at another site."), barcode)
        if round is not None and tube.round_id != round.pk:
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
    persons = resolve_codes(codes)
    in_tube: set[int] = set()
    if not opened:
        in_tube = set(Sample.objects.filter(tube=tube).values_list("person_id", flat=True))
    already: dict[int, str] = {}
    if tube.round_id and tube.purpose == Purpose.ROUND:
        ids = [p.pk for p in persons.values()]
        already = dict(
            Sample.objects.filter(
                round_id=tube.round_id, purpose=Purpose.ROUND, person_id__in=ids
            ).values_list("person_id", "tube__barcode")
        )
    room = tube.pool_size - tube.samples_count
    new: list[Sample] = []
    for index, code in enumerate(codes):
        code = (code or "").strip()
        person = persons.get(code)
        if person is None:
            message = (
                _("Unknown code: no person in the index has it.")
                if parse_code(code)
                else _(
                    "Unreadable code: not a health-code QR, an identity number or a person number."
                )
            )
            result.refused.append(Problem(index, "codes", "unknown", message, code))
            continue
        if person.pk in in_tube:
            result.refused.append(
                Problem(index, "codes", "duplicate", _("Already scanned into this tube."), code)
            )
            continue
        if person.pk in already:
            result.refused.append(
                Problem(
                    index,
                    "codes",
                    "already_sampled",
                    _("Already sampled in this round (tube %(b)s).") % {"b": already[person.pk]},
                    code,
                )
            )
            continue
        if room <= 0:
            result.refused.append(
                Problem(
                    index,
                    "codes",
                    "tube_full",
                    _("The tube is full (%(k)s swabs); scan the rest into a new tube.")
                    % {"k": tube.pool_size},
                    code,
                )
            )
            continue
        room -= 1
        in_tube.add(person.pk)
        new.append(
            Sample(
                tube=tube,
                person_id=person.pk,
                round_id=tube.round_id,
                purpose=tube.purpose,
                sampled_at=at,
            )
        )
        result.accepted.append({"index": index, "person_id": person.pk})
    if new:
        _attach_handoffs(new, tube, at, acting_user)
        Sample.objects.bulk_create(new)
        tube.samples_count += len(new)
        fields = ["samples_count"]
        if tube.sampled_at is None:
            tube.sampled_at = at
            fields.append("sampled_at")
        if tube.samples_count >= tube.pool_size:
            tube.status = TubeStatus.CLOSED
            tube.closed_at = at
            fields += ["status", "closed_at"]
            result.closed = True
        tube.save(update_fields=fields)
    audit.record(
        actor=acting_user,
        action="testing.scan",
        obj=tube,
        detail={
            "accepted": [a["person_id"] for a in result.accepted],
            "refused": len(result.refused),
            "closed": result.closed,
        },
        request=request,
        area=site.area if site is not None and site.pk == tube.site_id else tube.area,
    )
    return result


def _attach_handoffs(samples: list[Sample], tube: Tube, at: dt.datetime, acting_user) -> None:
    """Link each sample to the open test or re-sampling hand-off it fulfils, and close it.

    A scheduled test (tracing's protocol days) counts when sampled inside its
    window, in any tube; a re-sampling only in a single tube.
    """
    ids = [s.person_id for s in samples]
    kinds = [HandoffKind.TEST]
    if tube.pool_size == 1:
        kinds.append(HandoffKind.RESAMPLE)
    open_ = Handoff.objects.filter(
        person_id__in=ids,
        kind__in=kinds,
        status=HandoffStatus.OPEN,
        to_task_force=TaskForceKind.TESTING,
    ).filter(Q(not_before__isnull=True) | Q(not_before__lte=at))
    if not open_.exists():
        return
    by_person: dict[int, Handoff] = {}
    for h in open_.order_by("due_at"):
        by_person.setdefault(h.person_id, h)
    for s in samples:
        h = by_person.get(s.person_id)
        if h is None:
            continue
        s.handoff = h
        if h.kind == HandoffKind.RESAMPLE and tube.parent_id is None:
            # The single tube resolves the positive pool named by the hand-off.
            tube.parent_id = int(h.origin.rsplit(":", 1)[1])
            tube.save(update_fields=["parent"])
        do_close_handoff(
            h,
            acting_user=acting_user,
            outcome=_("Sampled in tube %(b)s") % {"b": tube.barcode},
        )


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


# -- delivery and receipt -----------------------------------------------------------------


@transaction.atomic
def do_deliver(
    *,
    acting_user,
    site: SamplingSite,
    lab: Lab,
    barcodes: Sequence[str],
    code: str = "",
    delivered_at: dt.datetime | None = None,
    request=None,
) -> DeliveryBatch:
    """Send tubes to a lab in one batch. All or nothing: a batch is one box."""
    require_operations(acting_user, site.area)
    at = delivered_at or now()
    barcodes = [b.strip() for b in barcodes if b and b.strip()]
    if not barcodes:
        refuse("barcodes", "required", _("A delivery needs at least one tube."))
    tubes = {t.barcode: t for t in Tube.objects.select_for_update().filter(barcode__in=barcodes)}
    problems = []
    seen = set()
    for i, b in enumerate(barcodes):
        t = tubes.get(b)
        if b in seen:
            problems.append(Problem(i, "barcodes", "duplicate", _("Listed twice."), b))
        elif t is None:
            problems.append(Problem(i, "barcodes", "unknown", _("Unknown tube barcode."), b))
        elif t.site_id != site.pk:
            problems.append(Problem(i, "barcodes", "other_site", _("Opened at another site."), b))
        elif t.batch_id is not None:
            problems.append(Problem(i, "barcodes", "delivered", _("Delivered already."), b))
        elif t.samples_count == 0:
            problems.append(Problem(i, "barcodes", "empty", _("The tube holds no sample."), b))
        seen.add(b)
    if problems:
        raise InputError(problems)
    code = code.strip() or f"{site.pk}-{lab.code}-{at:%Y%m%d%H%M%S%f}"
    if DeliveryBatch.objects.filter(code=code).exists():
        refuse("code", "duplicate", _("A batch with this code exists."), code)
    batch = DeliveryBatch.objects.create(
        code=code[:64], site=site, lab=lab, delivered_at=at, created_by_name=actor_name(acting_user)
    )
    ids = [t.pk for t in tubes.values()]
    # An open tube that is sent is closed as it leaves the site.
    Tube.objects.filter(pk__in=ids).update(
        batch=batch,
        delivered_at=at,
        status=TubeStatus.DELIVERED,
        closed_at=Coalesce("closed_at", Value(at)),
    )
    audit.record(
        actor=acting_user,
        action="testing.deliver",
        obj=batch,
        detail={"lab": lab.code, "tubes": len(ids)},
        request=request,
        area=site.area,
    )
    return batch


@transaction.atomic
def do_receive_batch(
    batch: DeliveryBatch, *, acting_user, received_at: dt.datetime | None = None, request=None
) -> DeliveryBatch:
    """The lab signs for a batch (接收)."""
    batch = (
        DeliveryBatch.objects.select_for_update(of=("self",))
        .select_related("site__area")
        .get(pk=batch.pk)
    )
    require_operations(acting_user, batch.site.area)
    if batch.received_at is not None:
        refuse("batch", "received", _("The batch was received already."), batch.code)
    at = received_at or now()
    if at < batch.delivered_at:
        refuse("received_at", "invalid", _("Received before it was delivered."))
    batch.received_at = at
    batch.save(update_fields=["received_at"])
    batch.tubes.filter(status=TubeStatus.DELIVERED).update(
        received_at=at, status=TubeStatus.RECEIVED
    )
    audit.record(
        actor=acting_user,
        action="testing.receive",
        obj=batch,
        request=request,
        area=batch.site.area,
    )
    return batch
