"""Reads of the person index (人员库), always through the user's jurisdiction.

Deny by default. A user needs the ``view_person`` capability *and* a
jurisdiction; then they see the live persons whose village lies in it.
A person with no village yet (an arrival from a pushed list whose address has
not been resolved) belongs to no county, so only users whose jurisdiction is
the whole city (the root of the area tree) and superusers see them: otherwise
nobody would be responsible for finding them a village.

Objects outside the jurisdiction answer 404, not 403, so that a user cannot
learn who is in another county's index by trying numbers.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.core.models import AuditEvent
from zhanyi.engine.codes import decide
from zhanyi.engine.phones import PhoneNumberError, normalize_phone, search_digits
from zhanyi.places import counts as place_counts

from .models import Person, PersonChange, PersonMerge, RegisterLoad, RegisterReview

PERSON_OBJECT_TYPE = Person._meta.label_lower  # "people.person", as audit.record writes it
VIEW_ACTIONS = ("person.view", "person.api_view", "person.admin_view")
MIN_NUMBER_DIGITS = 4
MASKED_PHONE_TAIL = 4  # the digits of a phone that its mask shows at the end
_NUMBER_TOKEN = re.compile(r"^\+?[\d()\-]*\d[\d()\-]*[Xx]?$")


def _user_of(request_or_user: Any):
    return getattr(request_or_user, "user", request_or_user)


def sees_unplaced(user) -> bool:
    """Whether the user sees persons with no village: superusers and users of the root area."""
    path = jurisdiction.root_path(user)
    if path is None:
        return False
    return path == "" or user.jurisdiction.parent_id is None


def scope_persons(queryset: QuerySet[Person], user) -> QuerySet[Person]:
    """Rows of ``queryset`` in the user's jurisdiction (see the module's docstring)."""
    path = jurisdiction.root_path(user)
    if path is None:
        return queryset.none()
    if path == "":
        return queryset
    visible = Q(village__path__startswith=path)
    if sees_unplaced(user):
        visible |= Q(village__isnull=True)
    return queryset.filter(visible)


def can_see_person(user, person: Person) -> bool:
    if person.village_id is None:
        return sees_unplaced(user)
    return jurisdiction.can_see_area(user, person.village)


def require_person_access(user, capability: str = "view_person") -> None:
    """Deny users without the capability or without any jurisdiction."""
    if not has_capability(user, capability) or jurisdiction.root_path(user) is None:
        raise PermissionDenied(f"requires {capability} and a jurisdiction")


def persons_for(user) -> QuerySet[Person]:
    """Live (not merged) persons the user may see, with what lists show."""
    require_person_access(user)
    return scope_persons(
        Person.objects.filter(merged_into=None).select_related("village", "village__parent"),
        user,
    )


def _number_token(token: str) -> bool:
    return bool(_NUMBER_TOKEN.match(token))


def _tokens(q: str) -> list[str]:
    """Words of ``q``, with neighbouring numbers joined: ``138 1234 5678`` is one phone."""
    tokens: list[str] = []
    for word in q.split():
        if tokens and _number_token(word) and _number_token(tokens[-1]):
            tokens[-1] += word
        else:
            tokens.append(word)
    return tokens


def number_too_short(q: str) -> bool:
    """Whether ``q`` has a number with fewer than 4 digits (searching for "13"
    would list half the city; the last four digits are the usual minimum)."""
    return any(
        _number_token(t) and len(search_digits(t)) + t.upper().endswith("X") < MIN_NUMBER_DIGITS
        for t in _tokens(q)
    )


def search_persons(user, q: str) -> QuerySet[Person]:
    """Live persons in the user's jurisdiction matching every word of ``q``.

    A number matches the end of an identity number (a full number, or its
    last 4 or more characters, X included) or a phone (full, typed in any
    form, or its last 4+ digits); any other word matches part of the name.

    A user who sees numbers masked finds by a tail only what the mask shows
    (a phone's last 4), otherwise only by the whole number: a search that
    answered longer tails would let them read a masked number character by
    character (docs/security.md, "Masking").
    """
    qs = persons_for(user)
    sees_identity = has_capability(user, "view_identity")
    sees_phone = sees_identity or has_capability(user, "view_phone")
    q = (q or "").strip()
    if not q:
        return qs
    if number_too_short(q):
        return qs.none()
    for token in _tokens(q):
        if _number_token(token):
            digits = search_digits(token)
            tail = digits + ("X" if token.upper().endswith("X") else "")
            # ``tail``, not ``endswith``: indexed on PostgreSQL (people/tails.py).
            match = Q(identity_number__tail=tail) if sees_identity else Q(identity_number=tail)
            if sees_phone or len(digits) <= MASKED_PHONE_TAIL:
                match |= Q(phone__tail=digits)
            with contextlib.suppress(PhoneNumberError):  # not a whole phone: suffixes only
                match |= Q(phone=normalize_phone(token))
            qs = qs.filter(match)
        else:
            qs = qs.filter(name__icontains=token)
    return qs


def get_person_for_user(
    request_or_user: HttpRequest | Any, person_id: int, *, capability: str = "view_person"
) -> Person:
    """The person, if the user may see it: 403 without the capability or a
    jurisdiction, 404 when it does not exist or lies outside the jurisdiction.

    Merged persons are returned too (their page shows where they went and
    offers the undo); callers that change a person refuse merged ones.
    """
    user = _user_of(request_or_user)
    require_person_access(user, capability)
    try:
        person = Person.objects.select_related(
            "village", "village__parent", "household", "household__village", "merged_into"
        ).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("no such person") from None
    if not can_see_person(user, person):
        raise Http404("no such person")
    return person


def get_merge_for_user(request_or_user: HttpRequest | Any, merge_id: int) -> PersonMerge:
    """A merge whose two persons the user may both see (404 otherwise)."""
    user = _user_of(request_or_user)
    require_person_access(user, "merge_person")
    try:
        merge = PersonMerge.objects.select_related(
            "survivor__village", "merged__village", "merged_by", "undone_by"
        ).get(pk=merge_id)
    except (PersonMerge.DoesNotExist, ValueError, TypeError):
        raise Http404("no such merge") from None
    if not (can_see_person(user, merge.survivor) and can_see_person(user, merge.merged)):
        raise Http404("no such merge")
    return merge


def duplicate_candidates(
    *,
    identity_number: str = "",
    name: str = "",
    birth_date=None,
    phone: str = "",
    exclude_pk: int | None = None,
) -> dict[int, tuple[Person, list[str]]]:
    """Live persons who may be the same person, with why: ``document`` (same
    number), ``name_birth_date`` or ``name_phone``. Not scoped: a duplicate in
    another county is still a duplicate (callers decide what to reveal)."""
    match = Q(pk__in=[])
    if identity_number:
        match |= Q(identity_number=identity_number)
    if name and birth_date:
        match |= Q(name=name, birth_date=birth_date)
    if name and phone:
        match |= Q(name=name, phone=phone)
    found: dict[int, tuple[Person, list[str]]] = {}
    qs = Person.objects.filter(match, merged_into=None).select_related("village")
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    for person in qs[:20]:
        reasons = []
        if identity_number and person.identity_number == identity_number:
            reasons.append("document")
        if name and birth_date and person.name == name and person.birth_date == birth_date:
            reasons.append("name_birth_date")
        if name and phone and person.name == name and person.phone == phone:
            reasons.append("name_phone")
        found[person.pk] = (person, reasons)
    return found


@dataclass
class HistoryEntry:
    at: Any
    kind: str  # created, updated, merged_in, merged_away, merge_undone
    actor: str
    reason: str = ""
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    merge: PersonMerge | None = None
    other: Person | None = None


def person_history(person: Person) -> list[HistoryEntry]:
    """Changes and merges of the person, newest first (views are separate)."""
    entries = [
        HistoryEntry(
            at=c.changed_at,
            kind=c.kind,
            actor=c.changed_by_name,
            reason=c.reason,
            changes=[(f, old_new[0], old_new[1]) for f, old_new in c.changes.items()],
        )
        for c in PersonChange.objects.filter(person=person)
    ]
    merges = PersonMerge.objects.filter(Q(survivor=person) | Q(merged=person)).select_related(
        "survivor", "merged", "merged_by", "undone_by"
    )
    for m in merges:
        won = m.survivor_id == person.pk
        entries.append(
            HistoryEntry(
                at=m.merged_at,
                kind="merged_in" if won else "merged_away",
                actor=m.merged_by.get_username(),
                reason=m.reason,
                merge=m,
                other=m.merged if won else m.survivor,
            )
        )
        if m.undone_at is not None:
            entries.append(
                HistoryEntry(
                    at=m.undone_at,
                    kind="merge_undone",
                    actor=m.undone_by.get_username() if m.undone_by else "",
                    merge=m,
                    other=m.merged if won else m.survivor,
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def person_views(person: Person, limit: int = 50) -> tuple[list[AuditEvent], int]:
    """Who read the person's record (page or API), newest first, and how often in all."""
    events = AuditEvent.objects.filter(
        object_type=PERSON_OBJECT_TYPE, object_id=str(person.pk), action__in=VIEW_ACTIONS
    )
    return list(events.order_by("-at", "-id")[:limit]), events.count()


def household_members(person: Person, user) -> list[Person]:
    """The other live members of the person's household that the user may see."""
    if person.household_id is None:
        return []
    return list(
        scope_persons(
            Person.objects.filter(household_id=person.household_id, merged_into=None)
            .exclude(pk=person.pk)
            .select_related("village"),
            user,
        ).order_by("birth_date", "id")
    )


# ---------------------------------------------------------------- health codes (健康码)


def current_code(person: Person):
    """The person's ``HealthCode`` row, or None: never anything but green."""
    from .models import HealthCode

    return HealthCode.objects.filter(person=person).select_related("override").first()


def code_history(person: Person, limit: int = 50):
    """The person's code changes, newest first."""
    from .models import HealthCodeChange

    return list(
        HealthCodeChange.objects.filter(person=person)
        .select_related("override")
        .order_by("-changed_at", "-id")[:limit]
    )


def overrides_of(person: Person):
    """Every override asked for the person, newest first."""
    from .models import HealthCodeOverride

    return list(
        HealthCodeOverride.objects.filter(person=person).select_related(
            "requested_by", "decided_by"
        )
    )


def pending_overrides_for(user) -> QuerySet:
    """Overrides awaiting approval for persons in the user's jurisdiction."""
    from .models import HealthCodeOverride

    require_person_access(user, "approve")
    visible = scope_persons(Person.objects.all(), user)
    return (
        HealthCodeOverride.objects.filter(
            status=HealthCodeOverride.Status.PENDING, person__in=visible
        )
        .select_related("person", "person__village", "requested_by")
        .order_by("expires_at", "id")
    )


def get_override_for_user(request_or_user: HttpRequest | Any, override_id: int):
    """An override whose person the user may see with ``approve`` (404 otherwise)."""
    from .models import HealthCodeOverride

    user = _user_of(request_or_user)
    require_person_access(user, "approve")
    try:
        override = HealthCodeOverride.objects.select_related(
            "person", "person__village", "requested_by", "decided_by"
        ).get(pk=override_id)
    except (HealthCodeOverride.DoesNotExist, ValueError, TypeError):
        raise Http404("no such override") from None
    if not can_see_person(user, override.person):
        raise Http404("no such override")
    return override


def explain_code(person: Person, now=None) -> dict:
    """What the person's code is and why: the stored code, the facts behind it
    (from every contributor, as of ``now``) and what the rules decide from them."""
    import dataclasses

    from django.utils import timezone

    from .actions.health_codes import code_rules
    from .health_facts import gather

    now = now or timezone.now()
    code = current_code(person)
    facts = gather([person.pk], now)[person.pk]
    rules = code_rules(c.protocol for c in facts.contacts)
    decision = decide(facts, rules, now)
    stored = {
        "colour": code.colour if code else "green",
        "rule": code.rule if code else "none",
        "reason": code.reason if code else "no fact has ever called for a colour",
        "until": code.until if code else None,
        "decided_by": code.decided_by if code else "rule",
        "override": code.override_id if code else None,
        "changed_at": code.changed_at if code else None,
    }
    return {
        "person": person.pk,
        **stored,
        "rules_now": dataclasses.asdict(decision),
        "facts": {
            name: [dataclasses.asdict(f) for f in getattr(facts, name)]
            for name in facts.LIST_FIELDS
        },
        "as_of": now,
    }


def coded_persons_for(user, colour: str = "") -> QuerySet[Person]:
    """Live persons in the user's jurisdiction whose code is red or yellow (or
    the one ``colour`` asked for), most severe and newest change first."""
    qs = persons_for(user).filter(health_code__colour__in=("red", "yellow"))
    if colour:
        qs = qs.filter(health_code__colour=colour)
    return qs.select_related("health_code").order_by(
        "health_code__colour", "-health_code__changed_at", "id"
    )


@place_counts.per_village("persons")
def persons_per_village(path: str):
    """The area pages' persons: the person index's (not merged) persons of
    each village below ``path``, one grouped query."""
    return (
        Person.objects.filter(merged_into=None, village__path__startswith=path)
        .values_list("village__path")
        .order_by()
        .annotate(n=Count("id"))
    )


# The population register ----------------------------------------------------


def register_loads_for(user) -> QuerySet[RegisterLoad]:
    """The register loads a user may see: data staff of the whole city see
    every load, data staff of a county or below the loads they made."""
    if not (has_capability(user, "edit_person") and has_capability(user, "view_identity")):
        return RegisterLoad.objects.none()
    path = jurisdiction.root_path(user)
    if path is None:
        return RegisterLoad.objects.none()
    loads = RegisterLoad.objects.select_related("mapping", "repeat_of")
    city_wide = path == "" or user.jurisdiction.parent_id is None
    return loads if city_wide else loads.filter(received_by=user)


def get_register_load_for_user(user, load_id: int) -> RegisterLoad:
    try:
        return register_loads_for(user).get(pk=load_id)
    except RegisterLoad.DoesNotExist:
        raise Http404("no such register load") from None


def register_reviews_for(user, load: RegisterLoad) -> QuerySet[RegisterReview]:
    """The load's rows to review within the user's jurisdiction (by their village)."""
    reviews = load.reviews.filter(status=RegisterReview.Status.PENDING).select_related("village")
    path = jurisdiction.root_path(user)
    if path == "":
        return reviews
    return jurisdiction.scope(reviews, user, "village__path")


def get_register_review_for_user(user, load: RegisterLoad, review_id: int) -> RegisterReview:
    """One row of the load, decided or not, if its village is in the user's
    jurisdiction (404 otherwise)."""
    reviews = load.reviews.select_related("village")
    if jurisdiction.root_path(user) != "":
        reviews = jurisdiction.scope(reviews, user, "village__path")
    try:
        return reviews.get(pk=review_id)
    except RegisterReview.DoesNotExist:
        raise Http404("no such row to review") from None
