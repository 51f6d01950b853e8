from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicsConfig(AppConfig):
    """Fever clinics and pharmacies (发热门诊、药店): pre-triage, one patient to a
    room, tests and referrals handed on; staff tested on a schedule; buyers of
    fever and cough medicine followed up."""

    name = "zhanyi.clinics"
    verbose_name = _("Fever clinics and pharmacies")
