from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "ascn.plans"
    label = "plans"
    verbose_name = _("Action plans and projects")

    def ready(self) -> None:
        from django.utils.translation import gettext

        from . import importing

        importing.set_translator(gettext)  # the pure importer's messages, in the language of each request
