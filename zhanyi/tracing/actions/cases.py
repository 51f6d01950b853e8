"""Creating and changing cases (病例): by hand, or from a positive single-tube result."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core.actors import actor_name
from zhanyi.engine.protocol import DEFAULT_PROTOCOL
from zhanyi.handoffs import receivers
from zhanyi.handoffs.models import HandoffKind
from zhanyi.people.models import Person
from zhanyi.tracing.models import Case, CaseClassification, CaseStatus, Contact, ContactKind

from .assignment import assign_new_case
from .common import audit_case, aware, protocol, recompute_codes, require
from .contacts import cancel_for_cases, hand_off_upgraded


class DuplicateCase(ValidationError):
    """The person has a live case already (``case``): one person, one case."""

    def __init__(self, case: Case) -> None:
        super().__init__(
            {
                "person": _(
                    "This person has a case already (#%(id)s, reported %(reported)s): "
                    "a second positive result belongs to the same case."
                )
                % {
                    "id": case.pk,
                    "reported": timezone.localtime(case.reported_at).strftime("%Y-%m-%d %H:%M"),
                }
            }
        )
        self.case = case


def _check_dates(
    *,
    sampled_at: dt.datetime,
    reported_at: dt.datetime,
    onset_date: dt.date | None,
    isolated_at: dt.datetime | None,
) -> None:
    errors: dict[str, str] = {}
    if reported_at < sampled_at:
        errors["reported_at"] = _("The result cannot be reported before the sample was taken.")
    if onset_date is not None and onset_date > timezone.localdate(reported_at):
        errors["onset_date"] = _("Symptom onset cannot be after the result was reported.")
    if isolated_at is not None and isolated_at < sampled_at - dt.timedelta(days=30):
        errors["isolated_at"] = _("Isolation is more than 30 days before the sample.")
    if errors:
        raise ValidationError(errors)


def _upgrade_secondary_contacts(case: Case, *, acting_user, now: dt.datetime) -> list[int]:
    """Secondary contacts reached through the new case's person become close
    contacts (次密接转密接), if the case's protocol says so. Returns their person ids."""
    upgraded = Contact.objects.select_for_update().filter(
        via_id=case.person_id, kind=ContactKind.SECONDARY, released_at=None
    )
    rows = [c for c in upgraded if protocol(c.protocol).contacts.upgrade_secondary]
    for contact in rows:
        contact.kind = ContactKind.CLOSE
        contact.upgraded_at = now
    Contact.objects.bulk_update(rows, ["kind", "upgraded_at"])
    if rows:
        hand_off_upgraded(rows, acting_user=acting_user, label=f"tracing.case:{case.pk} upgrade")
        audit_case(
            "case.upgrade_secondary",
            acting_user=acting_user,
            case=case,
            detail={"upgraded": len(rows), "contacts": [c.pk for c in rows][:1000]},
        )
    return [c.person_id for c in rows]


def _create(
    *,
    person: Person,
    classification: str,
    sampled_at: dt.datetime,
    reported_at: dt.datetime,
    onset_date: dt.date | None,
    isolated_at: dt.datetime | None,
    hospital: str,
    protocol_name: str,
    source: str,
    notes: str,
    acting_user,
    request,
    filed_at: dt.datetime | None = None,
) -> Case:
    if classification not in CaseClassification.values:
        raise ValidationError(
            {"classification": _("Unknown classification %(value)s.") % {"value": classification}}
        )
    aware(sampled_at, "sampled_at")
    aware(reported_at, "reported_at")
    if isolated_at is not None:
        aware(isolated_at, "isolated_at")
    if person.merged_into_id is not None:
        raise ValidationError({"person": _("This person was merged into another record.")})
    if person.village_id is None:
        raise ValidationError({"person": _("The person has no village: place them first.")})
    require(acting_user, "edit_person", person.village)
    existing = Case.objects.filter(person=person).first()
    if existing is not None:
        raise DuplicateCase(existing)
    _check_dates(
        sampled_at=sampled_at,
        reported_at=reported_at,
        onset_date=onset_date,
        isolated_at=isolated_at,
    )
    try:
        rules = protocol(protocol_name)
    except FileNotFoundError as error:
        raise ValidationError({"protocol": str(error)}) from None
    now = timezone.now()
    if filed_at is None and reported_at > now:
        # Filed now: a result reported later is a typo in reported_at, not in filed_at.
        raise ValidationError({"reported_at": _("A result cannot be reported in the future.")})
    filed_at = aware(filed_at, "filed_at") if filed_at is not None else now
    if filed_at < reported_at:
        raise ValidationError({"filed_at": _("A case cannot be reported before its result.")})
    case = Case(
        person=person,
        area_id=person.village_id,
        classification=classification,
        onset_date=onset_date,
        sampled_at=sampled_at,
        reported_at=reported_at,
        filed_at=filed_at,
        isolated_at=isolated_at,
        hospital=hospital,
        protocol=rules.info.name,
        report_due_at=reported_at + dt.timedelta(hours=rules.deadlines.case_report_hours),
        investigation_due_at=reported_at + dt.timedelta(hours=rules.deadlines.investigation_hours),
        source=source,
        notes=notes,
        created_by_name=actor_name(acting_user),
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # A submission at the same moment filed it first (one_live_case_per_person),
        # or the source was used (one_case_per_source).
        existing = Case.objects.filter(person=person).first()
        if existing is not None:
            raise DuplicateCase(existing) from None
        raise ValidationError(
            {"source": _("A case from %(source)s exists already.") % {"source": source}}
        ) from None
    assign_new_case(case, acting_user=acting_user)
    audit_case(
        "case.create",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={
            "classification": classification,
            "source": source,
            "protocol": case.protocol,
            "report_overdue": case.report_overdue,
        },
    )
    # A suspected case (疑似病例) has not tested positive: nobody is upgraded
    # through them; their own contact rows' work stops as for any case.
    upgraded = (
        []
        if case.classification == CaseClassification.SUSPECTED
        else _upgrade_secondary_contacts(case, acting_user=acting_user, now=now)
    )
    cancel_for_cases(
        list(Contact.objects.filter(person_id=person.pk).only("pk", "person_id")),
        acting_user=acting_user,
    )
    recompute_codes(
        [person.pk, *upgraded], reason=f"tracing.case:{case.pk} created", acting_user=acting_user
    )
    return case


@transaction.atomic
def do_create_case(
    *,
    acting_user,
    person: Person,
    classification: str,
    sampled_at: dt.datetime,
    reported_at: dt.datetime,
    onset_date: dt.date | None = None,
    isolated_at: dt.datetime | None = None,
    hospital: str = "",
    protocol_name: str = DEFAULT_PROTOCOL,
    notes: str = "",
    source: str = "",
    filed_at: dt.datetime | None = None,
    request=None,
) -> Case:
    """Create a case by hand. ``filed_at`` (default: now) is when it was
    reported upward, for a case entered after the fact or a replayed day.
    Raises ``ValidationError`` (by field) for bad data, ``PermissionDenied``
    outside the actor's jurisdiction."""
    return _create(
        person=person,
        classification=classification,
        sampled_at=sampled_at,
        reported_at=reported_at,
        onset_date=onset_date,
        isolated_at=isolated_at,
        hospital=hospital,
        protocol_name=protocol_name,
        source=source,
        notes=notes,
        acting_user=acting_user,
        request=request,
        filed_at=filed_at,
    )


@receivers.receives(HandoffKind.CASE_REPORT)
@transaction.atomic
def do_create_case_from_result(
    *,
    person: Person,
    sampled_at: dt.datetime,
    reported_at: dt.datetime,
    source: str,
    acting_user,
    classification: str | None = None,
    protocol_name: str = DEFAULT_PROTOCOL,
    filed_at: dt.datetime | None = None,
) -> Case:
    """A positive single-tube result becomes a case (逢阳必报、逢阳即报).

    Testing passes it on as ``case_report`` work (``zhanyi.handoffs.receivers``).

    Idempotent for the same ``source`` (``"testing.tube:ZZ0001"``): the case
    created the first time is returned. Without a ``classification`` the case
    is recorded as asymptomatic until a clinician classifies it. The person
    is isolated from the moment the result is reported.
    """
    if not source.strip():
        raise ValidationError({"source": _("A case from a result needs the result's source.")})
    existing = (
        Case.objects.filter(source=source).first()
        or Case.objects.filter(person_id=person.merged_into_id or person.pk).first()
    )
    if existing is not None:
        return existing
    return _create(
        person=person,
        classification=classification or CaseClassification.ASYMPTOMATIC,
        sampled_at=sampled_at,
        reported_at=reported_at,
        onset_date=None,
        isolated_at=reported_at,
        hospital="",
        protocol_name=protocol_name,
        source=source,
        notes="",
        acting_user=acting_user,
        request=None,
        filed_at=filed_at,
    )


CASE_FIELDS = ("classification", "onset_date", "isolated_at", "hospital", "transferred_at", "notes")


@transaction.atomic
def do_update_case(case: Case, *, acting_user, request=None, **changes) -> Case:
    """Change a case's clinical facts (classification, onset, isolation, hospital, transfer)."""
    case = Case.objects.select_for_update().select_related("person", "area").get(pk=case.pk)
    require(acting_user, "edit_person", case.area)
    unknown = sorted(set(changes) - set(CASE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, _("This field cannot be changed here.")))
    if "classification" in changes and changes["classification"] not in CaseClassification.values:
        raise ValidationError({"classification": _("Unknown classification.")})
    for name in ("isolated_at", "transferred_at"):
        if changes.get(name) is not None:
            aware(changes[name], name)
    _check_dates(
        sampled_at=case.sampled_at,
        reported_at=case.reported_at,
        onset_date=changes.get("onset_date", case.onset_date),
        isolated_at=changes.get("isolated_at", case.isolated_at),
    )
    before = {f: getattr(case, f) for f in changes}
    for name, value in changes.items():
        setattr(case, name, value)
    changed = [f for f in changes if before[f] != changes[f]]
    if not changed:
        return case
    case.save(update_fields=changed)
    audit_case(
        "case.update",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={f: [str(before[f]), str(changes[f])] for f in changed},
    )
    if "classification" in changed:
        recompute_codes(
            [case.person_id], reason=f"tracing.case:{case.pk} changed", acting_user=acting_user
        )
    return case


@transaction.atomic
def do_complete_investigation(
    case: Case, *, acting_user, at: dt.datetime | None = None, request=None
) -> Case:
    """Mark the case's investigation done (流调完成); late ones stay flagged as late."""
    case = Case.objects.select_for_update().select_related("person", "area").get(pk=case.pk)
    require(acting_user, "edit_person", case.area)
    if case.investigated_at is not None:
        raise ValidationError({"status": _("The investigation is already marked done.")})
    case.investigated_at = aware(at, "at") if at is not None else timezone.now()
    if case.investigated_at < case.reported_at:
        raise ValidationError({"at": _("An investigation cannot end before the result.")})
    if case.status == CaseStatus.INVESTIGATING:
        case.status = CaseStatus.INVESTIGATED
    case.save(update_fields=["investigated_at", "status"])
    audit_case(
        "case.investigated",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={"late": case.investigated_at > case.investigation_due_at},
    )
    return case


@transaction.atomic
def do_void_case(case: Case, *, acting_user, reason: str, request=None) -> Case:
    """Void a case filed twice or in error (作废): it leaves every list, count and
    health code; its open contacts are released and their codes recomputed.
    Needs ``approve`` (the case count is reported upward) in the case's area."""
    case = Case.all_objects.select_for_update().select_related("person", "area").get(pk=case.pk)
    require(acting_user, "approve", case.area)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the case is voided.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("The reason is longer than 500 characters.")})
    if case.voided_at is not None:
        raise ValidationError({"reason": _("The case is voided already.")})
    now = timezone.now()
    case.voided_at, case.voided_by_name, case.void_reason = now, actor_name(acting_user), reason
    case.save(update_fields=["voided_at", "voided_by_name", "void_reason"])
    released = list(
        Contact.objects.select_for_update()
        .filter(case=case, released_at=None)
        .values_list("pk", "person_id")
    )
    Contact.objects.filter(pk__in=[pk for pk, _person in released]).update(released_at=now)
    audit_case(
        "case.void",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={
            "reason": reason,
            "released_contacts": len(released),
            "contacts": [pk for pk, _person in released][:1000],
        },
    )
    recompute_codes(
        [case.person_id, *(person for _pk, person in released)],
        reason=f"tracing.case:{case.pk} voided",
        acting_user=acting_user,
    )
    return case
