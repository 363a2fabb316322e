from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    COUNTRY_GOVERNMENT = "country_government", _("Government")
    DEVELOPMENT_BANK = "development_bank", _("Development bank or investor")
    AGENCY = "agency", _("Agency")
    PROGRAMME = "programme", _("Programme")
    PRIVATE_ASSOCIATION = "private_association", _("Private-sector association")
    INTERNATIONAL_ORG = "international_org", _("International organisation")
