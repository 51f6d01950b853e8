"""Pickers: choosing a person, a place or an area by typing its name.

One widget for every "which one?" on a form: a search box that asks the app's
search page (HTMX) for matches as the user types, and the chosen ones kept as
hidden inputs under the field's name, shown by their labels. Without a script
the typed text itself is sent (``<name>__q``) and the field resolves it (a
person's number, an area's code or unique name), so a form always works.

The apps above give the fields (``people.pickers.PersonField``,
``places.pickers.AreaField``, ``places.pickers.PlaceField``): each names its
search page, the objects the user may choose (scoped to their jurisdiction)
and how a typed word is resolved. A choice outside them is a form error, with
the input kept, never a 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

QUERY_SUFFIX = "__q"


class PickerWidget(forms.Widget):
    template_name = "core/_picker.html"

    def __init__(self, *, search_url: str, multiple: bool = False, attrs=None) -> None:
        super().__init__(attrs)
        self.search_url = search_url
        self.multiple = multiple
        self.field: PickerField | None = None

    def value_from_datadict(self, data, files, name) -> Any:
        if hasattr(data, "getlist"):
            chosen = [v for v in data.getlist(name) if str(v).strip()]
        else:
            chosen = [data[name]] if data.get(name) not in (None, "") else []
        typed = (data.get(name + QUERY_SUFFIX) or "").strip()
        if self.multiple:
            return {"chosen": chosen, "typed": typed}
        return {"chosen": chosen[-1:], "typed": typed}

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and name + QUERY_SUFFIX not in data

    def _key_of(self, value: Any) -> str:
        if isinstance(value, Model):
            return str(getattr(value, self.field.key if self.field else "pk"))
        return str(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen: list[tuple[str, str]] = []
        typed = ""
        if isinstance(value, dict):
            typed = value.get("typed", "")
            ids = [str(v) for v in value.get("chosen", [])]
        elif isinstance(value, (list, tuple, QuerySet)):
            ids = [self._key_of(v) for v in value]
        elif value in (None, ""):
            ids = []
        else:
            ids = [self._key_of(value)]
        if self.field is not None and ids:
            chosen = self.field.labels(ids)
            if len(chosen) < len(ids) and not typed:
                # A number the user may not choose: keep it in the box, unlabelled.
                known = {pk for pk, _label in chosen}
                typed = " ".join(i for i in ids if i not in known)
        params = getattr(self.field, "search_params", "")
        context["widget"].update(
            {
                "search_url": reverse(self.search_url) + (f"?{params}" if params else ""),
                "multiple": self.multiple,
                "chosen": chosen,
                "typed": typed,
                "query_name": name + QUERY_SUFFIX,
                "placeholder": getattr(self.field, "placeholder", ""),
            }
        )
        return context


class PickerField(forms.Field):
    """A field choosing one object (or several, ``multiple=True``) among
    ``queryset``, which the form sets for its user (``for_user``)."""

    search_url = ""
    #: what the hidden inputs carry: the primary key, or another unique field (an area's code)
    key = "pk"
    placeholder = _("Type a name…")
    default_error_messages = {
        "unknown": _(
            "“%(value)s” is unknown or outside your jurisdiction; search by name and pick one."
        ),
        "ambiguous": _("Several match “%(value)s”; search and pick the one you mean."),
    }

    def __init__(self, *, multiple: bool = False, **kwargs: Any) -> None:
        self.multiple = multiple
        kwargs.setdefault("widget", PickerWidget(search_url=self.search_url, multiple=multiple))
        super().__init__(**kwargs)
        self.widget.field = self
        self.queryset: QuerySet | None = None

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.field = result
        return result

    def for_user(self, user) -> None:
        self.queryset = self.choices_for(user)

    def choices_for(self, user) -> QuerySet:  # pragma: no cover - every field names its own
        raise NotImplementedError

    def label_of(self, obj: Model) -> str:
        return str(obj)

    def resolve_typed(self, queryset: QuerySet, word: str) -> list[Model]:
        """What a word typed without picking stands for (at most two, to tell
        one from several)."""
        word = word.lstrip("#")
        return list(queryset.filter(pk=word)[:1]) if word.isdigit() else []

    def _key_ok(self, value: Any) -> bool:
        return self.key != "pk" or str(value).isdigit()

    def labels(self, ids: Iterable[str]) -> list[tuple[str, str]]:
        ids = [str(i) for i in ids if self._key_ok(i)]
        if self.queryset is None or not ids:
            return []
        rows = self.queryset.filter(**{f"{self.key}__in": ids})
        found = {str(getattr(o, self.key)): o for o in rows}
        return [(i, self.label_of(found[i])) for i in ids if i in found]

    def _words(self, typed: str) -> list[str]:
        if not self.multiple:
            return [typed] if typed else []
        return [w for w in typed.replace(",", " ").replace("，", " ").split() if w]

    def to_python(self, value: Any) -> Any:
        if value in (None, "") or value == []:
            return [] if self.multiple else None
        if not isinstance(value, dict):
            value = {"chosen": value if isinstance(value, (list, tuple)) else [value], "typed": ""}
        if self.queryset is None:
            raise RuntimeError(f"{type(self).__name__}: the form did not call for_user()")
        objects: list[Model] = []
        for pk in value.get("chosen", []):
            obj = self.queryset.filter(**{self.key: pk}).first() if self._key_ok(pk) else None
            if obj is None:
                raise forms.ValidationError(
                    self.error_messages["unknown"], code="unknown", params={"value": pk}
                )
            objects.append(obj)
        if not objects or self.multiple:
            for word in self._words(value.get("typed", "")):
                matches = self.resolve_typed(self.queryset, word)
                if not matches:
                    raise forms.ValidationError(
                        self.error_messages["unknown"], code="unknown", params={"value": word}
                    )
                if len(matches) > 1:
                    raise forms.ValidationError(
                        self.error_messages["ambiguous"], code="ambiguous", params={"value": word}
                    )
                objects.append(matches[0])
        if self.multiple:
            return list(dict.fromkeys(objects))
        return objects[0] if objects else None

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class UserFormMixin:
    """A form whose pickers offer what its user may choose: ``Form(data, user=…)``."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, PickerField) and user is not None:
                field.for_user(user)


RESULTS_SHOWN = 10


def picker_query(request) -> str:
    """The words typed into a picker's search box (``<name>__q``, or ``q``)."""
    for key, value in request.GET.items():
        if key == "q" or key.endswith(QUERY_SUFFIX):
            return value.strip()[:100]
    return ""


def render_results(request, rows: list[tuple[Any, str, str]], *, q: str, empty_message: str):
    """The matches a picker offers: ``(pk, label, detail)``, the first few."""
    return render(
        request,
        "core/_picker_results.html",
        {
            "results": rows[:RESULTS_SHOWN],
            "more": len(rows) > RESULTS_SHOWN,
            "q": q,
            "empty_message": empty_message,
        },
    )
