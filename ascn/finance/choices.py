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


class CriterionStatus(models.TextChoices):
    """A project's status on a readiness criterion (the values of `readiness.STATUSES`)."""

    MET = "met", _("Met")
    PARTIAL = "partial", _("Partly met")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ReadinessStage(models.TextChoices):
    """The stage gates from concept to financial close (the values of `readiness.STAGES`)."""

    CONCEPT = "concept", _("Concept")
    PRE_FEASIBILITY = "pre_feasibility", _("Pre-feasibility")
    FEASIBILITY = "feasibility", _("Feasibility")
    STRUCTURING = "structuring", _("Structuring")
    TRANSACTION = "transaction", _("Transaction")
    FINANCIAL_CLOSE = "financial_close", _("Financial close")


class LineKind(models.TextChoices):
    """The kinds of a cash-flow model's lines (the values of `engine.LINE_KINDS`)."""

    CAPEX = "capex", _("Capital cost")
    OPEX = "opex", _("Operating and maintenance cost")
    REVENUE = "revenue", _("Revenue")
    AVOIDED_COST = "avoided_cost", _("Avoided cost")
    ECONOMIC_BENEFIT = "economic_benefit", _("Economic benefit")
    OUTPUT = "output", _("Output (units, for the levelised cost)")


class DriverName(models.TextChoices):
    """What sensitivity and risk analysis vary (the values of `engine.DRIVERS`)."""

    CAPEX = "capex", _("Capital cost")
    OPEX = "opex", _("Operating cost")
    REVENUE = "revenue", _("Revenue")
    AVOIDED_COST = "avoided_cost", _("Avoided cost")
    ECONOMIC_BENEFIT = "economic_benefit", _("Economic benefit")
    RESIDUAL_VALUE = "residual_value", _("Residual value")
    DISCOUNT_RATE = "discount_rate", _("Discount rate")


class DistributionKind(models.TextChoices):
    TRIANGULAR = "triangular", _("Triangular (low, most likely, high)")
    PERT = "pert", _("PERT (low, most likely, high)")
    UNIFORM = "uniform", _("Uniform (low, high)")
    NORMAL = "normal", _("Normal (mean, std. dev.)")
    LOGNORMAL = "lognormal", _("Lognormal (mean, std. dev.)")
