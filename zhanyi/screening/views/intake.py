"""Intake of pushed lists (协查名单): uploads, their jobs and errors, sources."""

from __future__ import annotations

import io
from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhanyi.accounts.roles import capability_required
from zhanyi.core.forms import add_action_errors
from zhanyi.screening import actions, exports, jobs, queries
from zhanyi.screening.actions.intake import error_file_path
from zhanyi.screening.forms import (
    SourceForm,
    UploadForm,
)
from zhanyi.screening.reading import PushListFileError, file_format

from .common import abilities

ROWS_PER_PAGE = 50


#: The session's file kept after a column check: {"name": saved name, "filename": as uploaded}.
KEPT_UPLOAD = "screening_kept_upload"


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    queries.require_import(request.user)
    kept = request.session.get(KEPT_UPLOAD) or {}
    kept_path = jobs.kept_upload(kept.get("name", ""))
    if request.method == "GET" or request.FILES.get("file"):
        # A new page or a new file: the file kept by an earlier check goes.
        _drop_kept(request, kept_path)
        kept, kept_path = {}, None
    form = UploadForm(
        request.POST or None, request.FILES or None, kept=kept.get("name", "") if kept_path else ""
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        source, upload_file = form.cleaned_data["source"], form.cleaned_data["file"]
        try:
            if "check" in request.POST:
                if upload_file:
                    # Kept, so that "Upload" imports it without choosing it again.
                    file_format(upload_file.name)
                    kept_path = jobs.save_upload(upload_file)
                    kept = {"name": kept_path.name, "filename": upload_file.name}
                    request.session[KEPT_UPLOAD] = kept
                assert kept_path is not None  # the form wants a file or the kept one
                preview = actions.preview_columns(
                    source, kept_path, filename=kept["filename"], mapping=form.mapping()
                )
            elif upload_file:
                job = jobs.start_import(
                    source, upload_file, user=request.user, mapping=form.mapping()
                )
                return redirect("screening:job", job_id=job.pk)
            else:
                assert kept_path is not None
                del request.session[KEPT_UPLOAD]  # the job owns the file now
                job = jobs.start_saved_import(
                    source,
                    kept_path,
                    filename=kept["filename"],
                    user=request.user,
                    mapping=form.mapping(),
                )
                return redirect("screening:job", job_id=job.pk)
        except PushListFileError as error:
            form.add_error("file", str(error))
    lists = queries.lists_for(request.user)[:20]
    return render(
        request,
        "screening/upload.html",
        {
            "form": form,
            "preview": preview,
            "kept": kept if kept_path else None,
            "lists": lists,
            "sources": queries.sources(),
            **abilities(request.user),
        },
    )


def _drop_kept(request: HttpRequest, path) -> None:
    request.session.pop(KEPT_UPLOAD, None)
    if path is not None:
        path.unlink(missing_ok=True)


@require_GET
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """An import's progress; the fragment is polled until the job is done or failed."""
    the_job = queries.get_job_for_user(request.user, job_id)
    template = "screening/_job.html" if request.htmx else "screening/job.html"
    return render(request, template, {"job": the_job})


@require_GET
def push_list(request: HttpRequest, list_id: int) -> HttpResponse:
    the_list = queries.get_list_for_user(request.user, list_id)
    may_see_rows = queries.can_download_errors(request.user, the_list)
    rows = None
    if may_see_rows:
        rows = Paginator(queries.list_rows(the_list), ROWS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "screening/list.html",
        {
            "push_list": the_list,
            "can_download_errors": the_list.error_file and may_see_rows,
            "warned": queries.warned_records(the_list) if may_see_rows else [],
            "rows": rows,
            "open_tasks": queries.visible_tasks(request.user, rows) if rows else set(),
        },
    )


@require_GET
def error_file(request: HttpRequest, list_id: int) -> HttpResponse:
    the_list = queries.get_list_for_user(request.user, list_id)
    if not queries.can_download_errors(request.user, the_list):
        raise PermissionDenied("the error file needs the export capability")
    path = error_file_path(the_list)
    if path is None or not path.exists():
        raise Http404("this list has no error file")
    exports.record_download(request, the_list, "errors")
    # 莆田.xlsx gives errors-莆田.xlsx, not errors-莆田.xlsx.xlsx.
    stem = PurePath(the_list.filename).stem or str(the_list.pk)
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"errors-{stem}.xlsx")


@require_GET
@capability_required("view_person")
def template(request: HttpRequest) -> HttpResponse:
    """The push-list template (xlsx): the headers every source may use."""
    return FileResponse(
        io.BytesIO(exports.template_xlsx()), as_attachment=True, filename="push-list-template.xlsx"
    )


@require_http_methods(["GET", "POST"])
def source_edit(request: HttpRequest, source_id: int | None = None) -> HttpResponse:
    """Create a push source or change the column mapping saved for it."""
    queries.require_import(request.user)
    # Push sources only: the door-to-door campaigns' source is not edited here.
    source = get_object_or_404(queries.sources(), pk=source_id) if source_id else None
    initial = {}
    if source is not None:
        initial = {"name": source.name, "origin_city": source.origin_city}
        initial.update({f"map_{k}": v for k, v in source.column_mapping.items()})
    form = SourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_source(
                acting_user=request.user,
                name=form.cleaned_data["name"],
                origin_city=form.cleaned_data["origin_city"],
                column_mapping=form.mapping(),
                source=source,
                request=request,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The source is saved."))
            return redirect("screening:upload")
    return render(request, "screening/source_form.html", {"form": form, "source": source})
