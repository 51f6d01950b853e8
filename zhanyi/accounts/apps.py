from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, roles, jurisdictions and the audit trail."""

    name = "zhanyi.accounts"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
