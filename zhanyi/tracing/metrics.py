"""Figures of the tracing task force (流调): cases, contacts, overdue investigations."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure
from zhanyi.places.models import Area

from .models import Case, Contact, ContactKind, SourceKind


@figure("tracing.cases", _("Cases"), _("cases"), order=40, link="tracing:home")
def cases(area: Area | None) -> int:
    return Case.objects.filter(**area_filter(area, "area__path")).count()


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


@figure(
    "tracing.overdue_investigations",
    _("Overdue investigations"),
    _("cases"),
    order=43,
    link="tracing:home?overdue=1",
)
def overdue_investigations(area: Area | None) -> int:
    return Case.objects.filter(
        investigated_at=None,
        investigation_due_at__lt=timezone.now(),
        **area_filter(area, "area__path"),
    ).count()


# Source tracing (溯源): how many cases have a known source.


def _cases(area: Area | None):
    return Case.objects.filter(**area_filter(area, "area__path"))


@figure("tracing.known_source", _("Cases with a known source"), _("cases"), order=46)
def known_source(area: Area | None) -> int:
    """A source recorded and not "unknown": another case or an imported origin."""
    return (
        _cases(area)
        .filter(infection_source__isnull=False)
        .exclude(infection_source__kind=SourceKind.UNKNOWN)
        .count()
    )


@figure("tracing.linked_to_index", _("Cases linked to an index case"), _("cases"), order=47)
def linked_to_index(area: Area | None) -> int:
    """Cases whose source is another case: each chain leads back to its index case."""
    return _cases(area).filter(infection_source__kind=SourceKind.CASE).count()


@figure("tracing.unexplained", _("Cases of unexplained source"), _("cases"), order=48)
def unexplained(area: Area | None) -> int:
    """No source recorded yet, or recorded as unknown (the cases to keep tracing)."""
    return (
        _cases(area)
        .filter(Q(infection_source__isnull=True) | Q(infection_source__kind=SourceKind.UNKNOWN))
        .count()
    )
