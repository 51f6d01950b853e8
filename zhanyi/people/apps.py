from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """The person index (人员库): one record per real person."""

    name = "zhanyi.people"
    verbose_name = _("People")

    def ready(self) -> None:
        # Registers the persons the area pages count per village
        # (``zhanyi.places.counts``).
        from . import queries  # noqa: F401
