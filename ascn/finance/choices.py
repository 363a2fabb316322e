from django.db import models
from django.utils.translation import gettext_lazy as _


class InstrumentCategory(models.TextChoices):
    DEBT = "debt", _("Debt")
    PPP = "ppp", _("Public-private partnership")
    EQUITY_GUARANTEE = "equity_guarantee", _("Equity and guarantees")
    GRANT = "grant", _("Grants and trust funds")
    TRANSFER = "transfer", _("Public budget")
    LAND_VALUE = "land_value", _("Land value capture")
    ASSET_RECYCLING = "asset_recycling", _("Asset recycling")
    BLENDED = "blended", _("Blended and climate finance")


class RevenueProfile(models.TextChoices):
    FULL = "full", _("Pays for itself from user charges")
    PARTIAL = "partial", _("Covers part of its costs from charges")
    NONE = "none", _("No revenue of its own")
