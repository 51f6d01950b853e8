from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationConfig(AppConfig):
    """Vaccination (疫苗接种): vaccines, sites, appointments, doses, coverage."""

    name = "zhanyi.vaccination"
    verbose_name = _("Vaccination")
