"""Pages of the population register (人口登记) for data staff: load an extract,
follow its progress, see what it changed, download its error file."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from zhanyi.core import audit
from zhanyi.people import jobs, queries
from zhanyi.people.actions.register import (
    FIELDS,
    TEMPLATE_HEADERS,
    RegisterFileError,
    can_load,
    do_decide_register_review,
    error_file_path,
)
from zhanyi.people.models import RegisterKind, RegisterLoad, RegisterMapping


class LoadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Register"), choices=RegisterKind.choices)
    file = forms.FileField(label=gettext_lazy("Extract (xlsx, xls or csv)"))
    saved_mapping = forms.ModelChoiceField(
        label=gettext_lazy("Saved column mapping"),
        queryset=RegisterMapping.objects.all(),
        required=False,
    )
    mapping = forms.CharField(
        label=gettext_lazy("Columns of this file (one field=header a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_mapping(self) -> dict[str, str]:
        out = {}
        for line in self.cleaned_data["mapping"].splitlines():
            if not line.strip():
                continue
            field, sep, header = line.partition("=")
            if not sep or field.strip() not in FIELDS or not header.strip():
                raise forms.ValidationError(
                    _("Write field=header, one a line, with a field of: %(fields)s.")
                    % {"fields": ", ".join(FIELDS)}
                )
            out[field.strip()] = header.strip()
        return out


def _require_loader(request: HttpRequest) -> None:
    if not can_load(request.user):
        raise PermissionDenied(_("Loading the register needs data staff's rights."))


@require_http_methods(["GET", "POST"])
def loads(request: HttpRequest) -> HttpResponse:
    _require_loader(request)
    form = LoadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            load = jobs.start_register_load(
                form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                user=request.user,
                mapping=form.cleaned_data["mapping"],
                saved_mapping=form.cleaned_data["saved_mapping"],
            )
        except RegisterFileError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("The extract is being loaded."))
            return redirect("people:register-load", load_id=load.pk)
    return render(
        request,
        "people/register.html",
        {
            "form": form,
            "loads": queries.register_loads_for(request.user)[:50],
            "fields": [(f, FIELDS[f], TEMPLATE_HEADERS[f]) for f in FIELDS],
        },
    )


@require_http_methods(["GET", "POST"])
def load_detail(request: HttpRequest, load_id: int) -> HttpResponse:
    _require_loader(request)
    load = queries.get_register_load_for_user(request.user, load_id)
    if request.method == "POST":
        review = get_object_or_404(
            queries.register_reviews_for(request.user, load), pk=request.POST.get("review") or 0
        )
        choice = request.POST.get("person", "")
        try:
            do_decide_register_review(
                review,
                person_id=int(choice) if choice.isdecimal() else None,
                acting_user=request.user,
                request=request,
            )
        except RegisterFileError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The row is decided."))
        return redirect("people:register-load", load_id=load.pk)
    audit.record(actor=request.user, action="people.register.view", obj=load, request=request)
    running = load.status in (RegisterLoad.Status.QUEUED, RegisterLoad.Status.RUNNING)
    return render(
        request,
        "people/register_load.html",
        {
            "load": load,
            "running": running,
            "reviews": queries.register_reviews_for(request.user, load)[:200],
            "kind_labels": {"new": _("New"), "changed": _("Changed"), "moved": _("Moved")},
        },
    )


@require_GET
def load_errors(request: HttpRequest, load_id: int) -> FileResponse:
    _require_loader(request)
    load = queries.get_register_load_for_user(request.user, load_id)
    path = error_file_path(load)
    if path is None or not path.is_file():
        raise Http404("no error file")
    audit.record(actor=request.user, action="people.register.errors", obj=load, request=request)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"errors-{load.pk}-{load.filename}.xlsx"
    )
