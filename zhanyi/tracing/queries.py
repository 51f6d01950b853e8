"""Reads of the tracing app, with the access check: capability and jurisdiction.

A case is seen by users whose jurisdiction holds its area (the case's
village); a contact by users whose jurisdiction holds the contact's village.
A tracer looking at a case sees the contacts in their jurisdiction and a count
of the others, who belong to another county's teams.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.core.masking import mask_name
from zhanyi.teams.models import TRACING_KINDS, Team

from .models import IMPORTED_KINDS, Case, Contact, ContactKind, InfectionSource, SourceKind

GRAPH_LIMIT = 1500


def _user_of(request_or_user: Any):
    return getattr(request_or_user, "user", request_or_user)


def require_tracing_access(user, capability: str = "view_person") -> None:
    if not has_capability(user, capability) or jurisdiction.root_path(user) is None:
        raise PermissionDenied(f"requires {capability} and a jurisdiction")


def cases_for(user) -> QuerySet[Case]:
    require_tracing_access(user)
    return jurisdiction.scope(
        Case.objects.select_related("person", "area", "area__parent", "team"), user, "area__path"
    ).annotate(
        close_count=Count("contacts", filter=Q(contacts__kind=ContactKind.CLOSE)),
        secondary_count=Count("contacts", filter=Q(contacts__kind=ContactKind.SECONDARY)),
    )


def filter_cases(qs: QuerySet[Case], *, status: str = "", overdue: bool = False) -> QuerySet[Case]:
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(investigated_at=None, investigation_due_at__lt=timezone.now())
    return qs.order_by("-reported_at", "-id")


def get_case_for_user(request_or_user, case_id: int, *, capability: str = "view_person") -> Case:
    """The case if the user may see it: 403 without the capability, 404 when it
    does not exist or lies outside the jurisdiction."""
    user = _user_of(request_or_user)
    require_tracing_access(user, capability)
    try:
        case = Case.objects.select_related("person", "area", "area__parent").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("no such case") from None
    if not jurisdiction.can_see_area(user, case.area):
        raise Http404("no such case")
    return case


def get_contact_for_user(request_or_user, contact_id: int, *, capability: str) -> Contact:
    user = _user_of(request_or_user)
    require_tracing_access(user, capability)
    try:
        contact = Contact.objects.select_related("case", "person", "area").get(pk=contact_id)
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404("no such contact") from None
    if not jurisdiction.can_see_area(user, contact.area):
        raise Http404("no such contact")
    return contact


def tracing_teams_for(user) -> QuerySet[Team]:
    """The active tracing teams (流调队) of the user's jurisdiction."""
    return jurisdiction.scope(
        Team.objects.filter(kind__in=TRACING_KINDS, active=True).select_related("area"),
        user,
        "area__path",
    )


def can_see_case(user, case: Case) -> bool:
    return jurisdiction.can_see_area(user, case.area)


def contacts_for(user) -> QuerySet[Contact]:
    require_tracing_access(user)
    return jurisdiction.scope(
        Contact.objects.select_related("person", "area", "case"), user, "area__path"
    )


def case_contacts(case: Case, user) -> tuple[QuerySet[Contact], int]:
    """The case's contacts the user may see, and how many others there are."""
    all_ = Contact.objects.filter(case=case)
    visible = jurisdiction.scope(all_, user, "area__path").select_related("person", "area", "via")
    return visible.order_by("kind", "depth", "id"), all_.count() - visible.count()


@dataclass
class PersonContacts:
    """One person on a list of contacts: the contact to act on (the strongest
    kind, then the latest exposure) and the person's other contacts on the list
    (of other cases), each with the case it belongs to."""

    contact: Contact
    others: list[Contact]

    @property
    def all(self) -> list[Contact]:
        return [self.contact, *self.others]


KIND_RANK = models.Case(
    models.When(kind=ContactKind.CLOSE, then=0),
    models.When(kind=ContactKind.SECONDARY, then=1),
    default=2,
)


def contacts_by_person(
    contacts: QuerySet[Contact], user, page_number, per_page: int
) -> tuple[Page, list[PersonContacts]]:
    """``contacts`` one row per person, paginated: a person who is a contact of
    three cases of one family is one row naming the three cases. Each contact
    says whether ``user`` may open its case (``case_visible``): a case in
    another county is named by its area only."""
    keys = contacts.annotate(rank=KIND_RANK).order_by("rank", "-last_exposure_at", "id")
    of_person: dict[int, list[int]] = {}
    for pk, person_id in keys.values_list("pk", "person_id").iterator():
        of_person.setdefault(person_id, []).append(pk)
    page = Paginator(list(of_person), per_page).get_page(page_number)
    wanted = [pk for person_id in page.object_list for pk in of_person[person_id]]
    found = Contact.objects.filter(pk__in=wanted).select_related(
        "person", "area", "via", "case__person", "case__area"
    )
    by_pk = {c.pk: c for c in found}
    for contact in by_pk.values():
        contact.case_visible = can_see_case(user, contact.case)
    rows = []
    for person_id in page.object_list:
        first, *rest = of_person[person_id]
        rows.append(PersonContacts(by_pk[first], [by_pk[pk] for pk in rest]))
    return page, rows


def contact_counts(case: Case) -> dict[str, int]:
    """The case's contacts counted by kind (every kind, zero included)."""
    counts = dict.fromkeys(ContactKind.values, 0)
    for row in Contact.objects.filter(case=case).values("kind").annotate(n=Count("id")):
        counts[row["kind"]] = row["n"]
    return counts


def transmission_graph(
    user, case: Case | None = None, limit: int = GRAPH_LIMIT, *, masked: bool = False
) -> dict:
    """Chains of transmission as ECharts graph data: cases and contacts as
    nodes, an edge from the person each contact was reached through.

    Names are shown as on the case page and the contact lists, masked when
    ``masked`` (a graph on a wall screen); each node links to the case's page
    or the contact's person page. Only cases and contacts in the user's
    jurisdiction are drawn, at most ``limit`` nodes.
    """
    shown = mask_name if masked else str
    cases = cases_for(user) if case is None else Case.objects.filter(pk=case.pk)
    case_rows = list(cases.values_list("pk", "person_id", "person__name", "classification")[:200])
    if case is not None:  # a case's graph draws its source and those it infected too
        case_rows += list(
            jurisdiction.scope(
                Case.objects.filter(Q(infected__case=case) | Q(infection_source__source_case=case)),
                user,
                "area__path",
            ).values_list("pk", "person_id", "person__name", "classification")
        )
    generations = infection_generations()
    nodes: dict[int, dict] = {}
    for pk, pid, name, classification in case_rows:
        generation = generations.get(pk, 1)
        nodes[pid] = {
            "id": str(pid),
            "name": f"{shown(name)} · G{generation}",
            "category": 0 if classification == "confirmed" else 1,
            "symbolSize": 22,
            "generation": generation,
            "url": reverse("tracing:case", args=[pk]),
            "label": {"show": True},
        }
    contacts = jurisdiction.scope(
        Contact.objects.filter(case_id__in=[pk for pk, *_ in case_rows]), user, "area__path"
    ).order_by("depth", "id")
    kinds = {ContactKind.CLOSE: 2, ContactKind.SECONDARY: 3, ContactKind.COMPANION: 4}
    links: set[tuple[int, int]] = set()
    truncated = False
    rows = contacts.values_list("person_id", "person__name", "kind", "via_id", "case__person_id")
    for pid, name, kind, via, case_pid in rows.iterator():
        if pid not in nodes:
            if len(nodes) >= limit:
                truncated = True
                continue
            nodes[pid] = {
                "id": str(pid),
                "name": shown(name),
                "category": kinds[kind],
                "symbolSize": 12 if kind == ContactKind.CLOSE else 7,
                "url": reverse("people:detail", args=[pid]),
            }
        source = via or case_pid
        if source in nodes and source != pid:
            links.add((source, pid))
    exposure_links = [
        {"source": str(a), "target": str(b), "kind": "exposure"} for a, b in sorted(links)
    ]
    infections = infection_links(case_rows, nodes)  # adds the imported origins' nodes
    return {
        "nodes": list(nodes.values()),
        "links": exposure_links + infections,
        "truncated": truncated,
    }


def infection_generations() -> dict[int, int]:
    """Case id → its generation (代): 1 for a case with no case as its source,
    one more than its source's otherwise."""
    parent = dict(
        InfectionSource.objects.filter(kind=SourceKind.CASE).values_list(
            "case_id", "source_case_id"
        )
    )
    result: dict[int, int] = {}

    def generation(pk: int, seen: frozenset[int] = frozenset()) -> int:
        if pk in result:
            return result[pk]
        up = parent.get(pk)
        value = 1 if up is None or up in seen else generation(up, seen | {pk}) + 1
        result[pk] = value
        return value

    for pk in parent:
        generation(pk)
    return result


def infection_links(case_rows: list, nodes: dict[int, dict]) -> list[dict]:
    """Infection edges (source → case) between drawn cases, and from an imported
    origin (a node of its own) to its case; apart from the exposure edges."""
    person_of = {pk: pid for pk, pid, *_rest in case_rows}
    links: list[dict] = []
    sources = InfectionSource.objects.filter(case_id__in=list(person_of)).select_related(
        "source_case"
    )
    for source in sources:
        target = str(person_of[source.case_id])
        if source.kind == SourceKind.CASE and source.source_case_id in person_of:
            origin = str(person_of[source.source_case_id])
        elif source.kind in IMPORTED_KINDS:
            origin = f"origin:{source.pk}"
            nodes[-source.pk] = {
                "id": origin,
                "name": f"{source.get_kind_display()}: {source.origin}",
                "category": 5,
                "symbolSize": 16,
                "symbol": "diamond",
            }
        else:
            continue
        links.append(
            {
                "source": origin,
                "target": target,
                "kind": "infection",
                "label": source.get_kind_display(),
            }
        )
    return links
