from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficeRole(models.TextChoices):
    """Roles of the ASCN Terms of Reference held by people, with terms."""

    NATIONAL_REP = "nr", _("National Representative")
    NATIONAL_REP_ALTERNATE = "nr_alternate", _("National Representative (alternate)")
    CSCO = "csco", _("Chief Smart City Officer")
    CSCO_ALTERNATE = "csco_alternate", _("Chief Smart City Officer (alternate)")
    SECRETARIAT = "secretariat", _("ASEAN Secretariat")


COUNTRY_ROLES = {OfficeRole.NATIONAL_REP, OfficeRole.NATIONAL_REP_ALTERNATE}
CITY_ROLES = {OfficeRole.CSCO, OfficeRole.CSCO_ALTERNATE}


class MeetingMode(models.TextChoices):
    IN_PERSON = "in person", _("in person")
    ONLINE = "online", _("online")
    HYBRID = "hybrid", _("hybrid")


class PartnerKind(models.TextChoices):
    COUNTRY_GOVERNMENT = "country_government", _("Government")
    DEVELOPMENT_BANK = "development_bank", _("Development bank or investor")
    AGENCY = "agency", _("Agency")
    PROGRAMME = "programme", _("Programme")
    PRIVATE_ASSOCIATION = "private_association", _("Private-sector association")
    INTERNATIONAL_ORG = "international_org", _("International organisation")
