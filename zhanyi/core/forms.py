"""Form helpers the apps' forms and views share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_action_errors(form: forms.Form, error: ValidationError) -> None:
    """Attach an action's ``ValidationError`` to the form: by field where the
    form has that field, otherwise to the form as a whole."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        for e in errors:
            form.add_error(target, e)
