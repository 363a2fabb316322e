from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "ascn.finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from django.utils.translation import gettext

        from . import guide

        guide.set_translator(gettext)  # the pure guide's reasons, in the language of each request
