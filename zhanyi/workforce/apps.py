from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    """People in the field (力量): health workers, mutual-aid teams, volunteers,
    party branches and posts, cadres and police, deployed by area and shift; rosters."""

    name = "zhanyi.workforce"
    verbose_name = _("People in the field")
