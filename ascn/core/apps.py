from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ascn.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.utils.translation import gettext

        from . import numbers, panels, translator
        from .templatetags.numbers import django_localiser

        translator.install(gettext)  # the pure modules' messages, in the language of each request
        numbers.install(django_localiser)  # numbers for people with the separators of the request's language
        panels.add_panel("workspace.dashboard", "core/_dashboard_tokens.html", lambda request, obj: {}, order=90)
        autodiscover_modules("extensions")  # what each app adds to other apps' pages and queries
