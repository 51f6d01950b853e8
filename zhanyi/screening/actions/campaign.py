"""The door-to-door campaign (家家访): every household of chosen villages visited.

A visit is recorded with the article's checklist, 一封信、三询问、一告示: a
letter delivered, three questions asked (where have you been, whom have you
met, how do you feel), a notice posted. An arrival from a risk city found at
the door is registered as a push record of the campaign's own list (source
kind ``door_to_door``) and goes through the same linkage and dispatch as a
pushed row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import polars as pl
import pyarrow as pa
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, jurisdiction
from zhanyi.core.lengths import too_long
from zhanyi.people.models import Household
from zhanyi.people.validation import china_today
from zhanyi.places.models import Area, AreaLevel
from zhanyi.screening.models import Campaign, PushCategory, PushList, PushRecord, PushSource, Visit
from zhanyi.screening.validation import clean_row, fingerprint

from .common import actor_name, actor_user
from .intake import STAGING_SCHEMA
from .linking import store_records

DOOR_TO_DOOR_SOURCE = "家家访"


def door_to_door_source() -> PushSource:
    source, _created = PushSource.objects.get_or_create(
        name=DOOR_TO_DOOR_SOURCE,
        defaults={"kind": PushSource.Kind.DOOR_TO_DOOR, "origin_city": ""},
    )
    return source


@transaction.atomic
def do_start_campaign(*, acting_user, name: str, villages: list[Area], request=None) -> Campaign:
    if not has_capability(acting_user, "edit_operations"):
        raise PermissionDenied("requires the 'edit_operations' capability")
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Name the campaign.")]
    elif long := too_long(Campaign, "name", name.strip()):
        errors["name"] = long
    if not villages:
        errors["villages"] = [_("Choose at least one village.")]
    for village in villages:
        if village.level != AreaLevel.VILLAGE:
            errors["villages"] = [_("%(area)s is not a village.") % {"area": village.name}]
        elif not jurisdiction.can_see_area(acting_user, village):
            errors["villages"] = [
                _("The village %(area)s is outside your jurisdiction.") % {"area": village.name}
            ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    source = door_to_door_source()
    key = hashlib.sha256(f"campaign|{name}|{now.isoformat()}".encode()).hexdigest()
    push_list = PushList.objects.create(
        source=source,
        filename=name.strip(),
        file_hash=key,
        file_format="visit",
        received_at=now,
        received_by=actor_user(acting_user),
        received_by_name=actor_name(acting_user),
    )
    campaign = Campaign.objects.create(
        name=name.strip(),
        started_at=now,
        created_by_name=actor_name(acting_user),
        push_list=push_list,
    )
    campaign.villages.set(villages)
    audit.record(
        actor=acting_user,
        action="screening.campaign.start",
        obj=campaign,
        detail={"villages": [v.code for v in villages]},
        request=request,
    )
    return campaign


@transaction.atomic
def do_record_visit(
    campaign: Campaign,
    household: Household,
    *,
    acting_user,
    letter_delivered: bool,
    questions_asked: bool,
    notice_posted: bool,
    nobody_home: bool = False,
    notes: str = "",
    arrivals: list[dict[str, Any]] | None = None,
    request=None,
) -> Visit:
    """Record (or update) the visit to ``household``; register arrivals found at the door.

    ``arrivals`` are rows like a push list's (name, identity_number, phone,
    origin, arrived_at, address optional: the household's by default).
    """
    if not has_capability(acting_user, "edit_person"):
        raise PermissionDenied("requires the 'edit_person' capability")
    if not jurisdiction.can_see_area(acting_user, household.village):
        raise PermissionDenied("outside your jurisdiction")
    if not campaign.villages.filter(pk=household.village_id).exists():
        raise ValidationError(_("This household is not in the campaign's villages."))
    arrivals = arrivals or []
    checked = _check_arrivals(arrivals, household, campaign.push_list.source_id)
    now = timezone.now()
    visit, _created = Visit.objects.update_or_create(
        campaign=campaign,
        household=household,
        defaults={
            "visited_at": now,
            "visited_by_name": actor_name(acting_user),
            "letter_delivered": letter_delivered,
            "questions_asked": questions_asked,
            "notice_posted": notice_posted,
            "nobody_home": nobody_home,
            "notes": notes.strip(),
        },
    )
    summary: dict[str, Any] = {}
    if checked:
        start = (
            PushRecord.objects.filter(push_list=campaign.push_list)
            .order_by("-row_number")
            .values_list("row_number", flat=True)
            .first()
            or 0
        )
        rows = []
        for i, values in enumerate(checked, start=start + 1):
            key = fingerprint(campaign.push_list.source_id, values)
            if PushRecord.objects.filter(fingerprint=key).exists():
                continue
            rows.append(
                {
                    "row_number": i,
                    "fingerprint": key,
                    **values,
                    "payload": _payload(values, household),
                }
            )
        if rows:
            summary = store_records(
                campaign.push_list,
                pl.DataFrame(pa.Table.from_pylist(rows, schema=STAGING_SCHEMA)),
                acting_user=acting_user,
            )
            PushList.objects.filter(pk=campaign.push_list_id).update(
                rows_read=campaign.push_list.rows_read + len(rows),
                rows_stored=campaign.push_list.rows_stored + len(rows),
            )
        visit.arrivals_found = visit.arrivals_found + len(rows)
        visit.save(update_fields=["arrivals_found"])
    audit.record(
        actor=acting_user,
        action="screening.campaign.visit",
        obj=visit,
        object_label=household.address,
        detail={
            "campaign": campaign.pk,
            "letter": letter_delivered,
            "questions": questions_asked,
            "notice": notice_posted,
            "nobody_home": nobody_home,
            "arrivals": len(checked),
            **summary,
        },
        request=request,
        area=household.village,
    )
    return visit


def _payload(values: dict[str, Any], household: Household) -> str:
    import json

    out = {
        k: (v.isoformat() if isinstance(v, dt.date | dt.datetime) else v) for k, v in values.items()
    }
    out["household"] = household.pk
    return json.dumps(out, ensure_ascii=False)


def _check_arrivals(
    arrivals: list[dict[str, Any]], household: Household, source_id: int
) -> list[dict[str, Any]]:
    columns = {
        "name": 0,
        "identity_number": 1,
        "phone": 2,
        "origin": 3,
        "arrived_at": 4,
        "address": 5,
        "category": 6,
    }
    today = china_today()
    out = []
    errors: dict[str, list[str]] = {}
    for n, arrival in enumerate(arrivals, start=1):
        row = [
            arrival.get("name"),
            arrival.get("identity_number"),
            arrival.get("phone"),
            arrival.get("origin"),
            arrival.get("arrived_at"),
            arrival.get("address") or household.address,
            PushCategory.RISK_AREA_ARRIVAL,
        ]
        clean = clean_row(row, columns, today)
        if not clean.values["origin"]:
            clean.errors.append(_("Pushed from: say which city the person came from."))
        # Typed at the door, where it can be corrected at once: a field that
        # cannot be read is refused, not stored with a warning.
        if clean.errors or clean.warnings:
            errors[f"arrival_{n}"] = clean.errors + clean.warnings
        else:
            out.append(clean.values)
    if errors:
        raise ValidationError(errors)
    return out
