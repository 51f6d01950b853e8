from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    """Nucleic-acid testing (核酸检测): rounds, pooled tubes and the
    sample-deliver-test-report chain (采、送、检、报)."""

    name = "zhanyi.testing"
    verbose_name = _("Nucleic-acid testing")
