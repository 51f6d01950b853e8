"""The person picker: a person chosen by name, identity number or phone
(``zhanyi.core.pickers``), among the persons the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhanyi.core.pickers import RESULTS_SHOWN, PickerField, picker_query, render_results

from . import actions, display, queries
from .models import Person, Sex


def person_label(person: Person) -> str:
    where = person.village.name if person.village_id else ""
    return f"{person.name} · {where}" if where else person.name


def person_detail(user, person: Person) -> str:
    sex = person.get_sex_display() if person.sex != Sex.UNKNOWN else ""
    parts = [sex, display.birth_date_for(user, person.birth_date)]
    parts.append(display.phone_for(user, person.phone))
    if person.village_id and person.village.parent_id:
        parts.append(person.village.parent.name)
    return " · ".join(p for p in parts if p)


class PersonField(PickerField):
    """A person of the index the user may see, found by name or number."""

    search_url = "people:pick"
    placeholder = gettext_lazy("Name, identity number or phone…")

    def choices_for(self, user) -> QuerySet:
        return queries.persons_for(user)

    def label_of(self, obj) -> str:
        return person_label(obj)


@require_GET
def pick(request: HttpRequest) -> HttpResponse:
    """The persons a picker offers for the words typed (and the search audited
    as any other search of the index)."""
    queries.require_person_access(request.user)
    q = picker_query(request)
    if not q or queries.number_too_short(q):
        message = _("Type at least 4 digits of a number.") if q else ""
        return render_results(request, [], q=q, empty_message=message)
    matches = queries.search_persons(request.user, q).order_by("name", "pk")
    found = list(matches[: RESULTS_SHOWN + 1])
    actions.record_person_search(
        acting_user=request.user,
        q=q,
        results=len(found),
        request=request,
        via="picker",
        ids=[p.pk for p in found[:RESULTS_SHOWN]],
    )
    rows = [(p.pk, person_label(p), person_detail(request.user, p)) for p in found]
    return render_results(
        request, rows, q=q, empty_message=_("No person found in your jurisdiction.")
    )
