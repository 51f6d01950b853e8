"""The source of a case's infection (溯源): another case with the exposure that
links them, an imported origin, or unknown; a source that closes a cycle is refused."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core.actors import actor_name
from zhanyi.core.lengths import too_long
from zhanyi.tracing.models import (
    IMPORTED_KINDS,
    Case,
    Exposure,
    InfectionSource,
    SourceKind,
)

from .common import audit_case, require


def chain_above(case: Case) -> list[int]:
    """The case ids from ``case`` up its recorded sources (``case`` first), stopping
    at a case with no case as its source (or at a repeat)."""
    chain = [case.pk]
    sources = dict(
        InfectionSource.objects.filter(kind=SourceKind.CASE).values_list(
            "case_id", "source_case_id"
        )
    )
    current = sources.get(case.pk)
    while current is not None and current not in chain:
        chain.append(current)
        current = sources.get(current)
    if current is not None:
        chain.append(current)
    return chain


def linking_exposure(case: Case, source: Case) -> Exposure | None:
    """The latest exposure between the two cases' persons, whoever recorded it."""
    a, b = case.person_id, source.person_id
    return (
        Exposure.objects.filter(Q(person_a_id=a, person_b_id=b) | Q(person_a_id=b, person_b_id=a))
        .order_by("-exposed_at", "-id")
        .first()
    )


def _check_case_source(case: Case, source: Case | None, exposure: Exposure | None) -> dict:
    if source is None:
        return {"source_case": _("Name the case this one was infected by.")}
    if source.pk == case.pk:
        return {"source_case": _("A case cannot be its own source.")}
    chain = chain_above(source)
    if case.pk in chain:
        path = " ← ".join(f"#{pk}" for pk in [case.pk, *chain[: chain.index(case.pk) + 1]])
        return {
            "source_case": _(
                "Case #%(source)s as the source of #%(case)s closes a cycle: %(chain)s."
                " Correct the earlier source first."
            )
            % {"source": source.pk, "case": case.pk, "chain": path}
        }
    if exposure is None:
        return {
            "exposure": _(
                "No exposure links case #%(case)s and case #%(source)s: record the exposure"
                " that links them first."
            )
            % {"case": case.pk, "source": source.pk}
        }
    if {exposure.person_a_id, exposure.person_b_id} != {case.person_id, source.person_id}:
        return {"exposure": _("This exposure is not between the two cases' persons.")}
    return {}


@transaction.atomic
def do_record_source(
    case: Case,
    *,
    acting_user,
    kind: str,
    source_case: Case | None = None,
    exposure: Exposure | None = None,
    origin: str = "",
    evidence: str = "",
    request=None,
) -> InfectionSource:
    """Record (or change) the probable source of ``case``'s infection."""
    case = Case.objects.select_for_update().select_related("area", "person").get(pk=case.pk)
    require(acting_user, "edit_person", case.area)
    origin, evidence = " ".join(origin.split()), evidence.strip()
    errors: dict[str, Any] = {}
    if kind not in SourceKind.values:
        errors["kind"] = _("Unknown kind of source: %(kind)s.") % {"kind": kind}
    elif kind == SourceKind.CASE:
        if source_case is not None and exposure is None:
            exposure = linking_exposure(case, source_case)
        errors.update(_check_case_source(case, source_case, exposure))
    elif kind in IMPORTED_KINDS and not origin:
        errors["origin"] = _(
            "Say where it came from: the risk area travelled from, or the cold-chain item."
        )
    if kind != SourceKind.UNKNOWN and not evidence:
        errors["evidence"] = _("Give the evidence for this source.")
    if long := too_long(InfectionSource, "origin", origin):
        errors["origin"] = long
    if errors:
        raise ValidationError(errors)
    is_case = kind == SourceKind.CASE
    source, _created = InfectionSource.objects.update_or_create(
        case=case,
        defaults={
            "kind": kind,
            "source_case": source_case if is_case else None,
            "exposure": exposure if is_case else None,
            "origin": "" if is_case else origin,
            "evidence": evidence,
            "decided_at": timezone.now(),
            "decided_by_name": actor_name(acting_user),
        },
    )
    audit_case(
        "case.source",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={
            "kind": kind,
            "source_case": source.source_case_id,
            "exposure": source.exposure_id,
            "origin": source.origin,
        },
    )
    return source
