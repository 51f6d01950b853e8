"""Figures of the tracing task force (流调): cases, contacts, overdue investigations."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import aggregate_in, area_filter, figure, for_areas, tally
from zhanyi.places.models import Area

from .models import Case, Contact, ContactKind, SourceKind


@tally("tracing.cases", _("Cases"), _("cases"), order=40, link="tracing:home", area="area")
def cases():
    return Case.objects.all()


@figure(
    "tracing.close_contacts",
    _("Close contacts"),
    _("people"),
    order=41,
    link="tracing:contacts?kind=close",
)
def close_contacts(area: Area | None) -> int:
    return (
        Contact.objects.filter(
            kind=ContactKind.CLOSE, case__voided_at=None, **area_filter(area, "area__path")
        )
        .values("person_id")
        .distinct()
        .count()
    )


@for_areas("tracing.close_contacts")
def close_contacts_in(areas) -> list[int]:
    rows = Contact.objects.filter(kind=ContactKind.CLOSE, case__voided_at=None)
    return _people_in(rows, "area", areas)


@figure(
    "tracing.secondary_contacts",
    _("Secondary contacts"),
    _("people"),
    order=42,
    link="tracing:contacts?kind=secondary",
)
def secondary_contacts(area: Area | None) -> int:
    return (
        Contact.objects.filter(
            kind=ContactKind.SECONDARY, case__voided_at=None, **area_filter(area, "area__path")
        )
        .exclude(
            person_id__in=Contact.objects.filter(
                kind=ContactKind.CLOSE, case__voided_at=None
            ).values("person_id")
        )
        .values("person_id")
        .distinct()
        .count()
    )


@for_areas("tracing.secondary_contacts")
def secondary_contacts_in(areas) -> list[int]:
    rows = Contact.objects.filter(kind=ContactKind.SECONDARY, case__voided_at=None).exclude(
        person_id__in=Contact.objects.filter(kind=ContactKind.CLOSE, case__voided_at=None).values(
            "person_id"
        )
    )
    return _people_in(rows, "area", areas)


@tally(
    "tracing.overdue_investigations",
    _("Overdue investigations"),
    _("cases"),
    order=43,
    link="tracing:home?overdue=1",
    area="area",
)
def overdue_investigations():
    return Case.objects.filter(investigated_at=None, investigation_due_at__lt=timezone.now())


# Source tracing (溯源): how many cases have a known source.


@tally("tracing.known_source", _("Cases with a known source"), _("cases"), order=46, area="area")
def known_source():
    """A source recorded and not "unknown": another case or an imported origin."""
    return Case.objects.filter(infection_source__isnull=False).exclude(
        infection_source__kind=SourceKind.UNKNOWN
    )


@tally(
    "tracing.linked_to_index",
    _("Cases linked to an index case"),
    _("cases"),
    order=47,
    area="area",
)
def linked_to_index():
    """Cases whose source is another case: each chain leads back to its index case."""
    return Case.objects.filter(infection_source__kind=SourceKind.CASE)


@tally("tracing.unexplained", _("Cases of unexplained source"), _("cases"), order=48, area="area")
def unexplained():
    """No source recorded yet, or recorded as unknown (the cases to keep tracing)."""
    return Case.objects.filter(
        Q(infection_source__isnull=True) | Q(infection_source__kind=SourceKind.UNKNOWN)
    )


def _people_in(rows, area_field: str, areas) -> list[int]:
    """The distinct persons of ``rows`` in each of ``areas`` (``metrics.aggregate_in``)."""
    counts = aggregate_in(rows, area_field, areas, n=Count("person_id", distinct=True))
    return [c["n"] for c in counts]
