"""Push sources and their saved column mappings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit
from zhanyi.core.audit import SystemActor
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
    """Create a push source or change its column mapping (field → the header its files use)."""
    if not isinstance(acting_user, SystemActor) and not has_capability(
        acting_user, "edit_operations"
    ):
        raise PermissionDenied("requires the 'edit_operations' capability")
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
    if source is None:
        source = PushSource(kind=PushSource.Kind.PUSH)
    source.name = name
    source.origin_city = origin_city.strip()[:100]
    source.column_mapping = mapping
    source.save()
    audit.record(
        actor=acting_user,
        action="screening.source.create" if creating else "screening.source.change",
        obj=source,
        detail={"origin_city": source.origin_city, "column_mapping": mapping},
        request=request,
    )
    return source
