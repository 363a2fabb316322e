from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "ascn.finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from django.utils.translation import gettext

        from . import charts, engine, guide, readiness

        # The pure modules' messages, in the language of each request.
        for module in (charts, engine, guide, readiness):
            module.set_translator(gettext)
