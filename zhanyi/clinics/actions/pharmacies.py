"""Pharmacies and their reports of buyers of fever or cough medicine (药店购药
登记). A report is accepted as the counter writes it: a name with notes or
spaces, a phone in any form, an identity number that may be wrong. The buyer
is found in the person index by a valid identity number, else by name and
phone, else recorded as a new person; what could not be used is kept as a
warning on the report. A name alone is refused (nobody could be followed up).

Each report is followed up by a hand-off: a test (``test``, to testing,
within ``[clinics] buyer_test_hours``) or a visit of the village team
(``control``, to community control, within ``buyer_visit_hours``), for the
buyer's village (else the pharmacy's area). The report's state is its
hand-off's, overdue past its due time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.clinics.models import BuyerReport, FollowUp, LinkedBy, Medicine, Pharmacy
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import can_see_area
from zhanyi.core.masking import mask_identity_number, mask_name
from zhanyi.engine.identity import IdentityNumberError, parse_resident_id
from zhanyi.engine.linkage.normalise import clean_names, to_simplified
from zhanyi.engine.phones import PhoneNumberError, parse_phone
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import Handoff, HandoffKind
from zhanyi.handoffs.schedule import ScheduledTest
from zhanyi.people.actions import DuplicatePersonError, do_create_person, do_import_persons
from zhanyi.people.models import Person, SourceRecord
from zhanyi.people.validation import phone_message
from zhanyi.places.models import Area, AreaLevel

from .common import local, protocol, require, single_line

#: The stage testing's schedule shows for a buyer's test.
BUYER_STAGE = "pharmacy_buyer"


@transaction.atomic
def do_create_pharmacy(
    *, acting_user, name: str, area: Area, address: str = "", request=None
) -> Pharmacy:
    require(acting_user, "edit_operations", area)
    name = single_line(name)
    if not name:
        raise ValidationError({"name": _("Name the pharmacy.")})
    if Pharmacy.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("A pharmacy named %(name)s exists already.") % {"name": name}}
        )
    pharmacy = Pharmacy.objects.create(name=name, area=area, address=single_line(address)[:255])
    audit.record(
        actor=acting_user,
        action="clinics.pharmacy.create",
        obj=pharmacy,
        area=area,
        detail={"name": name, "area": area.code},
        request=request,
    )
    return pharmacy


@dataclass(frozen=True)
class Buyer:
    """A buyer as the pharmacy wrote them."""

    name: str
    phone: str = ""
    identity_number: str = ""


@dataclass
class _Linked:
    person: Person
    how: str
    warnings: list[str]


def clean_name(raw: str) -> str:
    """The name without the counter's notes (``张三(其子)``), spaces inside a
    Chinese name, or traditional characters (the linkage engine's rules)."""
    name = clean_names(pl.Series([single_line(raw)]))[0] or ""
    if name and not name.isascii():
        name = (to_simplified(pl.Series([name]))[0] or name).replace(" ", "").replace("·", "")
    return name


def _valid_number(raw: str, warnings: list[str]) -> str:
    if not raw.strip():
        return ""
    try:
        return parse_resident_id(raw).number
    except IdentityNumberError:
        warnings.append(
            _("The identity number %(number)s is not valid; the buyer was found without it.")
            % {"number": mask_identity_number(raw.strip())}
        )
        return ""


def _valid_phone(raw: str, warnings: list[str]) -> str:
    if not raw.strip():
        return ""
    try:
        return parse_phone(raw).e164
    except PhoneNumberError as error:
        warnings.append(phone_message(error.code, raw.strip()))
        return ""


def _village(pharmacy: Pharmacy, acting_user) -> Area | None:
    area = pharmacy.area
    visible = isinstance(acting_user, SystemActor) or can_see_area(acting_user, area)
    return area if area.level == AreaLevel.VILLAGE and visible else None


def link_buyer(pharmacy: Pharmacy, buyer: Buyer, *, acting_user, request=None) -> _Linked:
    """The buyer's person in the index: by a valid identity number, else by
    name and phone, else a new person in the pharmacy's village."""
    warnings: list[str] = []
    name = clean_name(buyer.name)
    if not name:
        raise ValidationError({"name": _("Give the buyer's name.")})
    if name != single_line(buyer.name):
        warnings.append(
            _("The name %(given)s was read as %(name)s.")
            % {"given": mask_name(single_line(buyer.name)), "name": mask_name(name)}
        )
    number = _valid_number(buyer.identity_number, warnings)
    phone = _valid_phone(buyer.phone, warnings)
    if not number and not phone:
        raise ValidationError(
            {
                "phone": _(
                    "Give a phone number or an identity number for %(name)s: a name alone"
                    " cannot be followed up."
                )
                % {"name": mask_name(name)}
            }
        )
    if number:
        found = Person.objects.filter(identity_number=number, merged_into=None).first()
        if found is not None:
            return _Linked(found, LinkedBy.IDENTITY, warnings)
    if phone:
        same = list(
            Person.objects.filter(name=name, phone=phone, merged_into=None).order_by("pk")[:2]
        )
        if same:
            if len(same) > 1:
                warnings.append(
                    _("Several people are named %(name)s with this phone; the first was taken.")
                    % {"name": mask_name(name)}
                )
            return _Linked(same[0], LinkedBy.NAME_PHONE, warnings)
    if isinstance(acting_user, SystemActor):
        # The command line and the demo: the index's own import (no user's checks).
        return _Linked(_imported_person(pharmacy, name, number, phone), LinkedBy.NEW, warnings)
    try:
        person = do_create_person(
            acting_user=acting_user,
            data={
                "name": name,
                "identity_number": number,
                "phone": phone,
                "village": _village(pharmacy, acting_user),
            },
            source_ref=f"clinics.pharmacy:{pharmacy.pk}",
            request=request,
            force=True,
        )
    except DuplicatePersonError as duplicate:
        return _Linked(duplicate.candidates[0][0], LinkedBy.IDENTITY, warnings)
    return _Linked(person, LinkedBy.NEW, warnings)


def _imported_person(pharmacy: Pharmacy, name: str, number: str, phone: str) -> Person:
    """A new person recorded by a system actor, as screening records a pushed
    person: through the person index's import, with a negative external id
    made from what the pharmacy wrote (the same on a replay)."""
    digest = hashlib.sha1(f"clinics:{pharmacy.pk}:{name}:{number}:{phone}".encode()).hexdigest()
    external_id = -int(digest[:15], 16)
    village = pharmacy.area if pharmacy.area.level == AreaLevel.VILLAGE else None
    counts = do_import_persons(
        acting_user=audit.cli_actor(),
        households=[],
        persons=[
            {
                "person_id": external_id,
                "identity_number": number,
                "name": name,
                "sex": "unknown",
                "birth_date": None,
                "phone": phone,
                "address": "",
                "village_code": village.code if village else "",
            }
        ],
        source=SourceRecord.Source.MANUAL,
        source_ref=f"clinics.pharmacy:{pharmacy.pk}",
    )
    person = Person.objects.filter(external_id=external_id).first()
    if person is None:
        problems = "; ".join(str(p["reason"]) for p in counts.problems[:3])
        raise ValidationError(
            {"name": _("The buyer could not be recorded: %(why)s") % {"why": problems}}
        )
    return person


def _follow_up_spec(report: BuyerReport, now: dt.datetime) -> HandoffSpec:
    rule = protocol().clinics
    origin = f"clinics.report:{report.pk}"
    detail = {
        "pharmacy": report.pharmacy.name,
        "medicine": report.medicine,
        "reason": str(_("Bought fever or cough medicine")),
    }
    if report.follow_up == FollowUp.TEST:
        due_at = now + dt.timedelta(hours=rule.buyer_test_hours)
        detail.update(schedule.detail_of([ScheduledTest(BUYER_STAGE, 1, None, due_at)]))
        kind, to = HandoffKind.TEST, TaskForceKind.TESTING
    else:
        due_at = now + dt.timedelta(hours=rule.buyer_visit_hours)
        kind, to = HandoffKind.CONTROL, TaskForceKind.COMMUNITY
    return HandoffSpec(
        key=f"{origin}:{kind}",
        kind=kind,
        person_id=report.person_id,
        area_id=report.area_id,
        from_task_force=TaskForceKind.COMMUNITY,
        to_task_force=to,
        origin=origin,
        due_at=due_at,
        detail=detail,
    )


@transaction.atomic
def do_report_buyer(
    pharmacy: Pharmacy,
    buyer: Buyer,
    *,
    medicine: str,
    acting_user,
    medicine_name: str = "",
    bought_at: dt.datetime | None = None,
    follow_up: str = FollowUp.TEST,
    now: dt.datetime | None = None,
    request=None,
) -> BuyerReport:
    """A buyer of fever or cough medicine reported by ``pharmacy``: linked to
    the person index and handed on for a test or a village-team visit."""
    require(acting_user, "edit_operations", pharmacy.area)
    clock = timezone.now()
    now = now or clock
    bought_at = bought_at or now
    errors = {}
    if medicine not in Medicine.values:
        errors["medicine"] = _(
            "Say which medicine: fever, cough, antiviral or antibiotic (not %(medicine)s)."
        ) % {"medicine": medicine}
    if follow_up not in FollowUp.values:
        errors["follow_up"] = _("Follow up by a test or by a visit of the village team.")
    if bought_at > max(now, clock) + dt.timedelta(minutes=10):
        errors["bought_at"] = _("The purchase cannot be in the future (%(at)s).") % {
            "at": local(bought_at)
        }
    if len(single_line(buyer.name)) > 100 or len(single_line(medicine_name)) > 100:
        errors["name"] = _("A name has at most 100 characters.")
    if errors:
        raise ValidationError(errors)
    linked = link_buyer(pharmacy, buyer, acting_user=acting_user, request=request)
    person = linked.person
    area = person.village or pharmacy.area
    report = BuyerReport.objects.create(
        pharmacy=pharmacy,
        name=single_line(buyer.name),
        phone=single_line(buyer.phone)[:32],
        identity_number=single_line(buyer.identity_number)[:32],
        medicine=medicine,
        medicine_name=single_line(medicine_name),
        bought_at=bought_at,
        person=person,
        linked_by=linked.how,
        warnings=linked.warnings,
        area=area,
        follow_up=follow_up,
        reported_at=now,
        reported_by_name=actor_name(acting_user),
    )
    spec = _follow_up_spec(report, now)
    do_create_handoffs([spec], acting_user=acting_user, origin_label=f"pharmacy {pharmacy.name}")
    report.handoff = Handoff.objects.get(key=spec.key)
    report.save(update_fields=["handoff"])
    audit.record(
        actor=acting_user,
        action="clinics.report.create",
        obj=report,
        area=pharmacy.area,
        detail={
            "pharmacy": pharmacy.name,
            "person": person.pk,
            "linked_by": linked.how,
            "follow_up": follow_up,
            "warnings": len(linked.warnings),
        },
        request=request,
    )
    return report
