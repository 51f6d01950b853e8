"""The error file of a batch import: the refused rows as they came, with the
reason in a first column, so customs can correct and send them again."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from .models import ImportRun


def error_workbook(run: ImportRun) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Refused rows"))
    sheet.append([_("Row"), _("Reason"), *run.header])
    for error in run.errors:
        sheet.append([error["row"], error["message"], *error["values"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
