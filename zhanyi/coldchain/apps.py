from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ColdchainConfig(AppConfig):
    """Imported cold-chain food (进口冷链食品): batches, their documents, where they went."""

    name = "zhanyi.coldchain"
    verbose_name = _("Cold chain")
