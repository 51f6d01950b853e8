"""Reads of the screening app, each with its access check (capability and jurisdiction)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from zhanyi.accounts.roles import has_capability, require_capability
from zhanyi.core import jurisdiction
from zhanyi.places import queries as place_queries
from zhanyi.places.models import Area

from .actions.linking import can_review
from .models import Campaign, Decision, ImportJob, PushList, PushRecord, PushSource, ScreeningTask


def require_jurisdiction(user) -> None:
    """Figures and lists need somewhere to look: a user with no jurisdiction sees nothing."""
    require_capability(user, "view_person")
    if jurisdiction.root_path(user) is None:
        raise PermissionDenied("no jurisdiction")


def tasks_for(user) -> QuerySet[ScreeningTask]:
    """The tasks a user may see: those of areas in their jurisdiction."""
    require_capability(user, "view_person")
    return jurisdiction.scope(
        ScreeningTask.objects.select_related("person", "area", "escalated_to"), user, "area__path"
    )


def list_rows(the_list) -> QuerySet:
    """A push list's rows in file order, each with its task (the caller has
    checked the user may see the list's rows)."""
    return the_list.records.select_related("task").order_by("row_number", "pk")


def visible_tasks(user, rows) -> set[int]:
    """Which of ``rows``' tasks the user may open."""
    ids = [r.task_id for r in rows if r.task_id]
    return set(tasks_for(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


def open_tasks_for(user) -> QuerySet[ScreeningTask]:
    return tasks_for(user).filter(status=ScreeningTask.Status.OPEN).order_by("due_at", "id")


def overdue_tasks_for(user) -> QuerySet[ScreeningTask]:
    return open_tasks_for(user).filter(due_at__lt=timezone.now())


def get_task_for_user(user, task_id, capability: str = "view_person") -> ScreeningTask:
    require_capability(user, capability)
    try:
        return tasks_for(user).get(pk=int(task_id))
    except (ScreeningTask.DoesNotExist, ValueError, TypeError):
        raise Http404("no such task") from None


def review_queue_for(user) -> QuerySet[PushRecord]:
    if not can_review(user):
        raise PermissionDenied("requires the merge_person capability")
    return jurisdiction.scope(
        PushRecord.objects.filter(decision=Decision.REVIEW, reviewed_at=None).select_related(
            "push_list__source", "resolved_area"
        ),
        user,
        "resolved_area__path",
    ).order_by("received_at", "id")


def get_review_record_for_user(user, record_id) -> PushRecord:
    try:
        return review_queue_for(user).get(pk=int(record_id))
    except (PushRecord.DoesNotExist, ValueError, TypeError):
        raise Http404("no such record in the review queue") from None


def can_import(user) -> bool:
    """Lists are received by data staff: they change operations and read full
    identity numbers (a list and its error file carry them). Five-to-one team
    members work tasks; they do not receive lists."""
    return (
        has_capability(user, "edit_operations")
        and has_capability(user, "view_identity")
        and jurisdiction.root_path(user) is not None
    )


def require_import(user) -> None:
    if not can_import(user):
        raise PermissionDenied(
            "requires the 'edit_operations' and 'view_identity' capabilities and a jurisdiction"
        )


def sources() -> QuerySet[PushSource]:
    return PushSource.objects.filter(kind=PushSource.Kind.PUSH)


def lists_for(user) -> QuerySet[PushList]:
    """Push lists (their counts, not their rows) for those who import them."""
    require_import(user)
    return PushList.objects.select_related("source").exclude(file_format="visit")


def get_list_for_user(user, list_id) -> PushList:
    try:
        return lists_for(user).get(pk=int(list_id))
    except (PushList.DoesNotExist, ValueError, TypeError):
        raise Http404("no such push list") from None


def can_download_errors(user, push_list: PushList) -> bool:
    """The error file carries personal data of rows placed nowhere yet: the uploader
    may fetch it, or a user who may export at city level."""
    if not has_capability(user, "export"):
        return False
    if push_list.received_by_id == user.pk:
        return True
    root = Area.objects.filter(parent=None).first()
    return root is not None and jurisdiction.can_see_area(user, root)


#: Rows with warnings shown on a list's page; the error file has all of them.
WARNED_SHOWN = 200


def warned_records(push_list: PushList) -> list[PushRecord]:
    """The list's stored rows that had a field left out of matching, first rows first."""
    return list(
        PushRecord.objects.filter(push_list=push_list)
        .exclude(warnings=[])
        .only("row_number", "name", "warnings", "decision")
        .order_by("row_number")[:WARNED_SHOWN]
    )


def get_job_for_user(user, job_id) -> ImportJob:
    require_import(user)
    try:
        job = ImportJob.objects.select_related("push_list", "source").get(pk=int(job_id))
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("no such import") from None
    if job.created_by_id != user.pk and not user.is_superuser:
        raise Http404("no such import")
    return job


def campaigns_for(user) -> QuerySet[Campaign]:
    require_capability(user, "view_person")
    visible = place_queries.visible_areas(user)
    return Campaign.objects.filter(villages__in=visible).distinct()


def get_campaign_for_user(user, campaign_id) -> Campaign:
    try:
        return campaigns_for(user).get(pk=int(campaign_id))
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404("no such campaign") from None


def reply_tasks(user, source: PushSource) -> QuerySet[ScreeningTask]:
    """Persons of ``source``'s lists not in the city: the reply list to the origin."""
    require_capability(user, "export")
    return (
        tasks_for(user)
        .filter(outcome=ScreeningTask.Outcome.NOT_IN_CITY, records__source=source)
        .distinct()
        .order_by("closed_at", "id")
    )
