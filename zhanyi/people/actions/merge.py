"""Merging two records of one person (两人合并), and undoing it (撤销合并)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import require_capability
from zhanyi.people.models import Person, PersonChange, PersonMerge

from .common import audit_person, require_person


class MergeError(ValidationError):
    """A merge or an undo that cannot be done; the message says why."""


# The people app's own bookkeeping stays with the person it is about.
_KEPT_ON_MERGE = {
    (PersonChange, "person"),
    (PersonMerge, "survivor"),
    (PersonMerge, "merged"),
}


def person_links() -> list[models.ForeignObject]:
    """Every foreign key (and one-to-one) that points at ``Person``, in any app.

    ``Person._meta.related_objects`` leaves out relations declared with
    ``related_name="+"`` and the auto-created tables behind many-to-many
    fields, so this asks for hidden relations too: a later app's
    ``Case.person`` or ``Tube.persons`` moves without this module knowing it.
    """
    links: list[models.ForeignObject] = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if not isinstance(rel, models.ForeignObjectRel) or not (
            rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)
        ):
            continue
        fk = rel.field
        if (rel.related_model, fk.name) in _KEPT_ON_MERGE:
            continue
        links.append(fk)
    return sorted(links, key=lambda fk: (fk.model._meta.label, fk.name))


def _link_key(fk: models.ForeignObject) -> str:
    return f"{fk.model._meta.label_lower}.{fk.name}"


def _pk_json(value: Any) -> Any:
    return value if isinstance(value, int) else str(value)


def _chunks(values: list, size: int = 500):
    for i in range(0, len(values), size):
        yield values[i : i + size]


@transaction.atomic
def do_merge_persons(
    *,
    acting_user,
    survivor: Person,
    merged: Person,
    reason: str,
    request=None,
) -> PersonMerge:
    """Merge ``merged`` into ``survivor`` (两人合并): one real person, two records.

    Every row of every model that points at ``merged`` (source records, and
    later apps' cases, tasks, tests…) is moved to ``survivor``; ``moved``
    records exactly which rows of which model and field moved, so that
    ``do_undo_merge`` can move exactly those back. The merged person stays in
    the table, pointing at the survivor, and drops out of every list. The
    survivor's own fields are not changed.
    """
    require_person(acting_user, survivor, "merge_person")
    require_person(acting_user, merged, "merge_person")
    reason = (reason or "").strip()
    if not reason:
        raise MergeError({"reason": _("Say why these two records are one person.")})
    if survivor.pk == merged.pk:
        raise MergeError(_("A person cannot be merged with itself."))
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update(of=("self",))
        .select_related("village")
        .filter(pk__in=[survivor.pk, merged.pk])
    }
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    for p in (survivor, merged):
        if p.merged_into_id is not None:
            raise MergeError(
                _("%(name)s (#%(id)s) was merged already; merge the survivor.")
                % {"name": p.name, "id": p.pk}
            )
    moved: dict[str, list] = {}
    for fk in person_links():
        rows = fk.model._base_manager.filter(**{fk.attname: merged.pk})
        pks = sorted(_pk_json(pk) for pk in rows.values_list("pk", flat=True))
        if not pks:
            continue
        try:
            with transaction.atomic():
                for chunk in _chunks(pks):
                    fk.model._base_manager.filter(pk__in=chunk).update(**{fk.attname: survivor.pk})
        except IntegrityError:
            # A one-to-one link both persons have, or a unique (person, …) pair.
            raise MergeError(
                _(
                    "The two persons cannot be merged: both have a %(record)s, which a person can"
                    " have only once. Resolve that record first."
                )
                % {"record": fk.model._meta.verbose_name}
            ) from None
        moved[_link_key(fk)] = pks
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    merge = PersonMerge.objects.create(
        survivor=survivor,
        merged=merged,
        moved=moved,
        reason=reason,
        merged_by=acting_user,
    )
    audit_person(
        "person.merge",
        acting_user=acting_user,
        person=survivor,
        request=request,
        detail={
            "merge": merge.pk,
            "merged": merged.pk,
            "reason": reason,
            "moved": {k: len(v) for k, v in moved.items()},
        },
    )
    return merge


@transaction.atomic
def do_undo_merge(*, acting_user, merge: PersonMerge, request=None) -> PersonMerge:
    """Undo a merge (撤销合并): move back exactly the rows it moved and revive
    the merged person.

    Refused when the merge was undone already, or when the survivor has since
    been merged into someone else (the rows moved on with it: undo that later
    merge first). Rows that another hand has moved off the survivor since are
    left where they are and listed in the audit record.
    """
    require_capability(acting_user, "merge_person")
    merge = PersonMerge.objects.select_for_update(of=("self",)).get(pk=merge.pk)
    locked = Person.objects.select_for_update(of=("self",)).select_related("village")
    survivor = locked.get(pk=merge.survivor_id)
    merged = locked.get(pk=merge.merged_id)
    require_person(acting_user, survivor, "merge_person")
    require_person(acting_user, merged, "merge_person")
    if merge.undone_at is not None:
        raise MergeError(_("This merge was undone already."))
    if survivor.merged_into_id is not None:
        raise MergeError(
            _("%(name)s (#%(id)s) has since been merged into #%(into)s; undo that merge first.")
            % {"name": survivor.name, "id": survivor.pk, "into": survivor.merged_into_id}
        )
    if merged.merged_into_id != survivor.pk:
        raise MergeError(_("The merged person no longer points at the survivor."))
    links = {_link_key(fk): fk for fk in person_links()}
    returned: dict[str, int] = {}
    left: dict[str, list] = {}
    for key, pks in merge.moved.items():
        fk = links.get(key)
        if fk is None:  # the model or field is gone from the code
            left[key] = pks
            continue
        count = 0
        for chunk in _chunks(pks):
            count += fk.model._base_manager.filter(
                pk__in=chunk, **{fk.attname: survivor.pk}
            ).update(**{fk.attname: merged.pk})
        returned[key] = count
        if count != len(pks):
            still = {
                _pk_json(pk)
                for pk in fk.model._base_manager.filter(
                    pk__in=pks, **{fk.attname: merged.pk}
                ).values_list("pk", flat=True)
            }
            left[key] = [pk for pk in pks if pk not in still]
    merged.merged_into = None
    try:
        with transaction.atomic():
            merged.save(update_fields=["merged_into", "updated_at"])
    except IntegrityError:
        raise MergeError(
            _(
                "%(name)s (#%(id)s) cannot come back: another live person now holds the same"
                " document. Change that person's document first."
            )
            % {"name": merged.name, "id": merged.pk}
        ) from None
    merge.undone_by = acting_user
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    audit_person(
        "person.merge_undo",
        acting_user=acting_user,
        person=survivor,
        request=request,
        detail={"merge": merge.pk, "merged": merged.pk, "returned": returned, "not_returned": left},
    )
    return merge
