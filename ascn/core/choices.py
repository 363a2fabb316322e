from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The workspace role of an account; anonymous visitors are the public."""

    SECRETARIAT = "secretariat", _("Secretariat")
    NATIONAL_REP = "national_rep", _("National Representative")
    CITY_OFFICER = "city_officer", _("City officer / CSCO")
    PARTNER = "partner", _("Partner")


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("updated")
    DELETE = "delete", _("deleted")
