from django.db import models
from django.utils.translation import gettext_lazy as _


class NodeKind(models.TextChoices):
    OUTCOME = "outcome", _("Strategic outcome")
    URBAN_SYSTEM = "urban_system", _("Key urban system")
    FOCUS_AREA = "focus_area", _("Focus area")
    PROJECT_TYPE = "project_type", _("Project type")
    ENABLER = "enabler", _("Enabler")
