"""Creating and changing persons, and linking source records to them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhanyi.core.actors import actor_user
from zhanyi.people import queries
from zhanyi.people.models import IdentityType, Person, PersonChange, Sex, SourceRecord
from zhanyi.people.validation import PERSON_FIELDS, PersonInput
from zhanyi.places.models import Area

from .common import audit_person, check_place, json_safe, require_person, shown

Source = SourceRecord.Source
EDITABLE_FIELDS = (*PERSON_FIELDS, "village", "household")


class DuplicatePersonError(Exception):
    """The person may be in the index already.

    ``candidates`` are the matches the user may see, each with its reasons
    (``document``, ``name_birth_date``, ``name_phone``). ``blocking`` means the
    same document is held by a live person: ``force`` cannot create a second one.
    Matches outside the user's jurisdiction are not told, not even counted
    (issue 14, finding 14): see ``_check_duplicates``.
    """

    def __init__(self, candidates: list[tuple[Person, list[str]]], blocking: bool) -> None:
        self.candidates = candidates
        self.blocking = blocking
        super().__init__(
            f"{len(candidates)} possible duplicate(s)"
            + (" with the same document" if blocking else "")
        )


def _document_taken() -> ValidationError:
    # The same words whether the holder is hidden or won a race: nothing says where.
    return ValidationError(
        {"identity_number": _("A person with this identity number is already in the index.")}
    )


def _check_duplicates(
    acting_user,
    clean: PersonInput,
    *,
    force: bool,
    exclude_pk: int | None = None,
    request=None,
) -> None:
    """Offer the matches the user may see; say nothing of the others.

    A match outside the user's jurisdiction used to be counted in the answer
    ("1 matching person is outside your jurisdiction"), which told whether a
    number, or a name with a birth date, is in another county's index. Now it
    is not mentioned; it is audited (``person.match_outside``, on the matched
    person, so that person's county sees who entered whom). A hidden holder of
    the same document still stops a second live record (one per document is a
    database rule): the refusal reads as the one for a record made at the same
    moment, names no count and no place, and is audited.
    """
    found = queries.duplicate_candidates(
        identity_number=clean.identity_number,
        name=clean.name,
        birth_date=clean.birth_date,
        phone=clean.phone,
        exclude_pk=exclude_pk,
    )
    if not found:
        return
    visible: list[tuple[Person, list[str]]] = []
    hidden: list[tuple[Person, list[str]]] = []
    for person, reasons in found.values():
        seen = queries.can_see_person(acting_user, person)
        (visible if seen else hidden).append((person, reasons))
    for person, reasons in hidden:
        # Called outside the create's transaction: the record stays when it is refused.
        audit_person(
            "person.match_outside",
            acting_user=acting_user,
            person=person,
            request=request,
            detail={"reasons": reasons},
        )

    def blocks(person: Person, reasons: list[str]) -> bool:
        return "document" in reasons and person.identity_type == clean.identity_type

    if any(blocks(p, r) for p, r in hidden):
        raise _document_taken()
    blocking = any(blocks(p, r) for p, r in visible)
    if not visible or (force and not blocking):
        return
    raise DuplicatePersonError(visible, blocking)


def do_create_person(
    *,
    acting_user,
    data: Mapping[str, Any],
    source: str = Source.MANUAL,
    source_ref: str = "",
    request=None,
    force: bool = False,
) -> Person:
    """Create a person from ``data`` (field names of ``Person``; ``village`` an
    ``Area``, ``household`` a ``Household``), keeping ``data`` as the first
    source record.

    Raises ``ValidationError`` (by field) for bad data and
    ``DuplicatePersonError`` when the person may exist already; ``force``
    creates anyway unless the same document is held by a live person. The way
    out of a duplicate is ``do_add_source_record`` on the existing person.
    """
    queries.require_person_access(acting_user, "edit_person")
    try:
        clean = PersonInput.clean(data)
    except ValidationError as error:
        # Say everything at once: a village outside the jurisdiction too.
        village = data.get("village")
        if "village" not in error.error_dict and (village is None or isinstance(village, Area)):
            try:
                check_place(acting_user, village)
            except ValidationError as place_error:
                error.error_dict.update(place_error.error_dict)
        raise error from None
    check_place(acting_user, clean.village)
    if clean.household is not None:
        check_place(acting_user, clean.household.village)
    _check_duplicates(acting_user, clean, force=force, request=request)
    with transaction.atomic():
        return _create_checked(acting_user, clean, data, source, source_ref, request, force)


def _create_checked(
    acting_user,
    clean: PersonInput,
    data: Mapping[str, Any],
    source: str,
    source_ref: str,
    request,
    force: bool,
) -> Person:
    person = Person(**clean.field_values())
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # A concurrent create of the same document won the race.
        raise _document_taken() from None
    record = SourceRecord.objects.create(
        person=person,
        source=source,
        source_ref=source_ref,
        payload=json_safe(dict(data)),
        received_by=actor_user(acting_user),
    )
    PersonChange.objects.create(
        person=person,
        kind=PersonChange.Kind.CREATED,
        source_record=record,
        changes={
            f: [None, shown(f, v)] for f, v in clean.field_values().items() if v not in (None, "")
        },
        changed_by=actor_user(acting_user),
        changed_by_name=acting_user.get_username(),
    )
    audit_person(
        "person.create",
        acting_user=acting_user,
        person=person,
        request=request,
        detail={
            "source": source,
            "source_ref": source_ref,
            "forced": force,
            "source_record": record.pk,
        },
    )
    return person


@transaction.atomic
def do_add_source_record(
    *,
    acting_user,
    person: Person,
    source: str,
    payload: Mapping[str, Any],
    source_ref: str = "",
    request=None,
) -> SourceRecord:
    """Link one more record about ``person`` as it arrived (a pushed list row,
    a lab report, a form filled for someone already in the index). The person's
    own fields are not changed: that is ``do_update_person``'s job."""
    require_person(acting_user, person, "edit_person")
    if person.merged_into_id is not None:
        raise ValidationError(
            _("This person was merged into another; add the record to the surviving person.")
        )
    if source not in Source.values:
        raise ValidationError({"source": _("The source %(value)s is unknown.") % {"value": source}})
    record = SourceRecord.objects.create(
        person=person,
        source=source,
        source_ref=source_ref,
        payload=json_safe(dict(payload)),
        received_by=actor_user(acting_user),
    )
    audit_person(
        "person.source_add",
        acting_user=acting_user,
        person=person,
        request=request,
        detail={"source": source, "source_ref": source_ref, "source_record": record.pk},
    )
    return record


# ---------------------------------------------------------------- update


@transaction.atomic
def do_update_person(
    *,
    acting_user,
    person: Person,
    changes: Mapping[str, Any],
    reason: str,
    request=None,
) -> Person:
    """Change some of a person's fields, keeping old → new in the history.

    ``changes`` holds only the fields to change (same forms as for create).
    The result is checked as a whole: a new birth date must still agree with
    the identity number. Returns the person unchanged, with no history entry,
    when nothing differs.
    """
    require_person(acting_user, person, "edit_person")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in unknown})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the person's data changes.")})
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("village", "household")
        .get(pk=person.pk)
    )
    if person.merged_into_id is not None:
        raise ValidationError(_("A merged person cannot be changed; change the survivor."))
    current = {f: getattr(person, f) for f in EDITABLE_FIELDS}
    proposed = current | dict(changes)
    if "identity_number" in changes and proposed["identity_type"] == IdentityType.RESIDENT_ID:
        # A new resident number brings its own birth date and sex unless they are given too.
        if "birth_date" not in changes:
            proposed["birth_date"] = None
        if "sex" not in changes:
            proposed["sex"] = Sex.UNKNOWN
    clean = PersonInput.clean(proposed)
    new_values = clean.field_values()
    # Only the fields asked for, and what follows from them (a new number gives
    # a birth date and sex, a household its village): older records that
    # today's rules would fill differently are not rewritten behind the user's back.
    considered = set(changes)
    if considered & {"identity_number", "identity_type"}:
        considered |= {"birth_date", "sex", "nationality"}
    if "household" in considered:
        considered.add("village")
    diff = {
        f: (current[f], new_values[f])
        for f in EDITABLE_FIELDS
        if f in considered and current[f] != new_values[f]
    }
    if not diff:
        return person
    if "village" in diff:
        check_place(acting_user, clean.village)
    if "household" in diff and clean.household is not None:
        check_place(acting_user, clean.household.village)
    if "identity_number" in diff or "identity_type" in diff:
        taken = queries.duplicate_candidates(
            identity_number=clean.identity_number, exclude_pk=person.pk
        )
        if any(p.identity_type == clean.identity_type for p, _r in taken.values()):
            raise ValidationError(
                {
                    "identity_number": _(
                        "Another person in the index holds this document; merge the two instead."
                    )
                }
            )
    for f, (_old, new) in diff.items():
        setattr(person, f, new)
    person.save(update_fields=[*diff, "updated_at"])
    change = PersonChange.objects.create(
        person=person,
        kind=PersonChange.Kind.UPDATED,
        reason=reason,
        changes={f: [shown(f, old), shown(f, new)] for f, (old, new) in diff.items()},
        changed_by=actor_user(acting_user),
        changed_by_name=acting_user.get_username(),
    )
    # The audit record says which fields changed; the values stay in the
    # person's history, where the same masking rules apply.
    audit_person(
        "person.update",
        acting_user=acting_user,
        person=person,
        request=request,
        detail={"fields": sorted(diff), "reason": reason, "change": change.pk},
    )
    return person
