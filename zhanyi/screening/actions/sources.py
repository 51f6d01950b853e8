"""Push sources and their saved column mappings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, jurisdiction
from zhanyi.core.audit import SystemActor
from zhanyi.core.lengths import too_long
from zhanyi.screening.models import PushSource
from zhanyi.screening.validation import FIELDS


@transaction.atomic
def do_save_source(
    *,
    acting_user,
    name: str,
    origin_city: str = "",
    column_mapping: dict[str, str] | None = None,
    source: PushSource | None = None,
    request=None,
) -> PushSource:
    """Create a push source or change its column mapping (field → the header its files use).

    A source serves the whole city, so only a user whose jurisdiction is the whole
    city changes one (a county could rename another county's source); anyone who
    may upload creates one.
    """
    system = isinstance(acting_user, SystemActor)
    if not system and not has_capability(acting_user, "edit_operations"):
        raise PermissionDenied("requires the 'edit_operations' capability")
    if source is not None and not system and not _city_wide(acting_user):
        raise PermissionDenied(
            _("A push source serves the whole city: only the city's staff change it.")
        )
    name = " ".join(name.split())
    mapping = {k: " ".join(str(v).split()) for k, v in (column_mapping or {}).items() if v}
    unknown = sorted(set(mapping) - set(FIELDS))
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Name the source.")]
    elif (
        PushSource.objects.filter(name=name)
        .exclude(pk__in=[source.pk] if source is not None else [])
        .exists()
    ):
        errors["name"] = [_("A source of this name exists already.")]
    if long := too_long(PushSource, "origin_city", origin_city.strip()):
        errors["origin_city"] = long
    if unknown:
        errors["column_mapping"] = [
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}
        ]
    headers = list(mapping.values())
    if len(set(headers)) != len(headers):
        errors["column_mapping"] = [_("Two fields are mapped to the same column.")]
    if errors:
        raise ValidationError(errors)
    creating = source is None
    before = (
        {}
        if source is None
        else {
            "name": source.name,
            "origin_city": source.origin_city,
            "column_mapping": source.column_mapping,
        }
    )
    if source is None:
        source = PushSource(kind=PushSource.Kind.PUSH)
    source.name = name
    source.origin_city = origin_city.strip()
    source.column_mapping = mapping
    source.save()
    audit.record(
        actor=acting_user,
        action="screening.source.create" if creating else "screening.source.change",
        obj=source,
        detail={
            "origin_city": source.origin_city,
            "column_mapping": mapping,
            **({"before": before} if before else {}),
        },
        request=request,
    )
    return source


def _city_wide(user) -> bool:
    """Whether the user's jurisdiction is the whole city (the root of the area tree)."""
    path = jurisdiction.root_path(user)
    return path is not None and (path == "" or user.jurisdiction.parent_id is None)
