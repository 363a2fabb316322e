import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The app's pure (Django-free) modules whose messages go through an installable translator.
PURE_MODULES = ("importing", "validation", "scorecard", "charts", "me_figures", "analytics")


class MonitoringConfig(AppConfig):
    name = "ascn.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and evaluation")

    def ready(self) -> None:
        from django.utils.translation import gettext

        # The pure modules' messages, in the language of each request.
        for name in PURE_MODULES:
            try:
                module = importlib.import_module(f"{self.name}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{self.name}.{name}":
                    raise
                continue
            if hasattr(module, "set_translator"):
                module.set_translator(gettext)
