"""Forms of the accounts pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.accounts.models import TaskForce
from zhanyi.places.models import Area, AreaLevel

from .auth import LoginThrottled, authenticate_throttled
from .models import Role, User
from .queries import assignable_areas
from .roles import missing_capabilities


class _ThrottledLogin:
    """Replaces ``AuthenticationForm.clean`` with the throttled, audited check."""

    via = "web"

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = authenticate_throttled(
                    self.request, username, password, via=self.via
                )
            except LoginThrottled as refused:
                raise ValidationError(refused.message, code="throttled") from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginForm(_ThrottledLogin, AuthenticationForm):
    pass


class AdminLoginForm(_ThrottledLogin, AdminAuthenticationForm):
    via = "admin"


class AreaCodeField(forms.CharField):
    """An area given by its code, or by its name when the name is unique."""

    def __init__(self, *, areas: Any = None, **kwargs: Any) -> None:
        self.areas = areas if areas is not None else Area.objects.all()
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Area):
            return value.code
        if isinstance(value, int):
            area = Area.objects.filter(pk=value).first()
            return area.code if area else value
        return value

    def clean(self, value: Any) -> Area | None:
        value = super().clean(value)
        if not value:
            return None
        matches = list(self.areas.filter(Q(code=value) | Q(name=value))[:2])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValidationError(
                _("Several areas are called “%(name)s”; give the area code."),
                code="ambiguous",
                params={"name": value},
            )
        if Area.objects.filter(Q(code=value) | Q(name=value)).exists():
            raise ValidationError(
                _("“%(value)s” is outside your jurisdiction."),
                code="outside",
                params={"value": value},
            )
        raise ValidationError(
            _("No area has the code or name “%(value)s”."), code="unknown", params={"value": value}
        )


class UserForm(forms.Form):
    """Create or edit an account; areas offered are the administrator's own subtree.

    A plain form, not a ModelForm: the action compares the account before and
    after, so the form must not write into the instance itself.
    """

    username = forms.CharField(
        label=_("User name"), max_length=150, validators=[UnicodeUsernameValidator()]
    )
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    jurisdiction = AreaCodeField(
        label=_("Jurisdiction"),
        help_text=_("Area code or unique name. The user sees this area and everything below it."),
    )
    task_force = forms.ModelChoiceField(
        label=_("Task force"), queryset=TaskForce.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, actor: User, instance: User | None = None, **kwargs: Any
    ) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "username": instance.username,
                    "first_name": instance.first_name,
                    "last_name": instance.last_name,
                    "email": instance.email,
                    "phone": instance.phone,
                    "role": instance.role,
                    "jurisdiction": instance.jurisdiction,
                    "task_force": instance.task_force_id,
                },
            )
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.instance = instance
        areas = assignable_areas(actor)
        self.fields["jurisdiction"].areas = areas
        # Task forces of headquarters over, or inside, the administrator's area.
        task_forces = TaskForce.objects.select_related("headquarters")
        if not actor.is_superuser:
            hq_q = Q(headquarters__area__in=areas)
            if actor.jurisdiction is not None:
                hq_q |= Q(headquarters__area__in=actor.jurisdiction.ancestors())
            task_forces = task_forces.filter(hq_q)
        self.fields["task_force"].queryset = task_forces
        self.area_suggestions = areas.exclude(level__in=[AreaLevel.VILLAGE, AreaLevel.GRID])[:500]
        if instance is not None:
            self.fields["username"].disabled = True

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        unchanged = self.instance is not None and self.instance.role == role
        if not unchanged and (missing := missing_capabilities(self.actor, role)):
            raise ValidationError(
                _(
                    "You cannot give the role %(role)s: it holds capabilities you do not "
                    "hold (%(capabilities)s)."
                ),
                code="role_above_yours",
                params={"role": Role(role).label, "capabilities": ", ".join(missing)},
            )
        return role

    def changes(self) -> dict[str, Any]:
        """The editable fields, for ``do_update_user``."""
        return {k: v for k, v in self.cleaned_data.items() if k != "username"}


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        help_text=_("Exact, or a prefix ending with a dot: login."),
    )
    actor = forms.CharField(label=_("User name"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``queries.filter_audit_events``; dates are whole local days."""
        data = self.cleaned_data
        tz = timezone.get_current_timezone()

        def day_start(day: dt.date | None, plus: int = 0) -> dt.datetime | None:
            if day is None:
                return None
            return dt.datetime.combine(day + dt.timedelta(days=plus), dt.time.min, tzinfo=tz)

        return {
            "action": data.get("action", "").strip(),
            "actor": data.get("actor", "").strip(),
            "object_type": data.get("object_type", "").strip(),
            "object_id": data.get("object_id", "").strip(),
            "since": day_start(data.get("since")),
            "until": day_start(data.get("until"), plus=1),
        }
