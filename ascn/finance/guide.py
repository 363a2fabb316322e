"""The financing-option guide: rank financing instruments for a project and say why each fits or not.
Pure Python, no Django: the catalogue's facts and the project's characteristics come in as plain data.

A requirement the project cannot meet (a loan for a city that may not borrow, a concession without
a revenue stream or a PPP law) makes an instrument unsuitable, whatever else fits; among the rest,
each matching characteristic (revenue profile, size, stage, focus area) adds to the score.

The reasons say what the user answered ("you did not say that the country has them"), never what a city or
a country has: an unticked box may mean "no" or "not known".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from ascn.core.translator import gettext as _

RevenueProfile = Literal["full", "partial", "none"]


@dataclass(frozen=True)
class Project:
    """What the guide needs to know about a project."""

    revenue: RevenueProfile               # pays for itself from user charges, partly, or not at all
    size_usd: float | None                # capital cost, in US dollars; None: not given
    city_may_borrow: bool                 # the user says the city has borrowing powers (bonds, loans in its name)
    city_creditworthy: bool               # the user says it has a credit rating or a record lenders accept
    ppp_framework: bool                   # the user says the country has a PPP law and unit
    focus_area: str = ""                  # framework code
    stage: str = ""                       # concept, pre_feasibility, feasibility, procurement, …


@dataclass(frozen=True)
class Instrument:
    """The facts of a catalogue entry that the guide weighs."""

    slug: str
    name: str
    revenue_profiles: frozenset[str]      # the revenue profiles it suits
    min_size_usd: float | None = None
    max_size_usd: float | None = None
    needs_borrowing_powers: bool = False
    needs_creditworthiness: bool = False
    needs_revenue_stream: bool = False
    needs_ppp_framework: bool = False
    focus_areas: frozenset[str] = frozenset()  # empty: any
    stages: frozenset[str] = frozenset()       # empty: any


@dataclass(frozen=True)
class Reason:
    fits: bool
    text: str


@dataclass(frozen=True)
class Fit:
    instrument: Instrument
    verdict: Literal["good", "possible", "unsuitable"]
    score: int                             # 0 to 100; 0 when unsuitable
    reasons: list[Reason] = field(default_factory=list)


def rank(project: Project, instruments: Iterable[Instrument]) -> list[Fit]:
    """Every instrument with its verdict, score and reasons; the best first, unsuitable ones last."""
    fits = [assess(project, instrument) for instrument in instruments]
    order = {"good": 0, "possible": 1, "unsuitable": 2}
    return sorted(fits, key=lambda f: (order[f.verdict], -f.score, f.instrument.name))


def assess(project: Project, instrument: Instrument) -> Fit:
    blockers = _blockers(project, instrument)
    weighted = _weighted_reasons(project, instrument)
    matches = [reason for _weight, reason in weighted]
    if blockers:
        return Fit(instrument, "unsuitable", 0, blockers + matches)
    score = round(100 * sum(weight for weight, reason in weighted if reason.fits) / TOTAL_WEIGHT)
    verdict: Literal["good", "possible"] = "good" if score >= 70 else "possible"
    return Fit(instrument, verdict, score, matches)


def _blockers(project: Project, instrument: Instrument) -> list[Reason]:
    reasons = []
    if instrument.needs_borrowing_powers and not project.city_may_borrow:
        reasons.append(Reason(False, _("It needs a city that may borrow in its own name; you did not say that "
                                       "this city may.")))
    if instrument.needs_creditworthiness and not project.city_creditworthy:
        reasons.append(Reason(False, _("Lenders need a credit rating or a repayment record; you did not say that "
                                       "the city has one.")))
    if instrument.needs_revenue_stream and project.revenue == "none":
        reasons.append(Reason(False, _("It is repaid from user charges, and you said the project earns none.")))
    if instrument.needs_ppp_framework and not project.ppp_framework:
        reasons.append(Reason(False, _("It needs a national PPP law and unit; you did not say that the country "
                                       "has them.")))
    return reasons


WEIGHTS = {"revenue": 40, "size": 25, "stage": 20, "focus_area": 15}
TOTAL_WEIGHT = sum(WEIGHTS.values())


def _weighted_reasons(project: Project, instrument: Instrument) -> list[tuple[int, Reason]]:
    return [
        (WEIGHTS["revenue"], _revenue_reason(project, instrument)),
        (WEIGHTS["size"], _size_reason(project, instrument)),
        (WEIGHTS["stage"], _set_reason(project.stage, instrument.stages,
                                       _("It suits the project's stage."),
                                       _("It is used at other stages than the project's."))),
        (WEIGHTS["focus_area"], _set_reason(project.focus_area, instrument.focus_areas,
                                            _("It is used for projects of this focus area."),
                                            _("It is seldom used for projects of this focus area."))),
    ]


def _revenue_reason(project: Project, instrument: Instrument) -> Reason:
    if project.revenue in instrument.revenue_profiles:
        return Reason(True, {
            "full": _("It suits a project that pays for itself from user charges."),
            "partial": _("It suits a project that covers part of its costs from charges."),
            "none": _("It suits a project without revenue of its own."),
        }[project.revenue])
    return Reason(False, _("It is meant for projects with another revenue profile."))


def _size_reason(project: Project, instrument: Instrument) -> Reason:
    size = project.size_usd
    if size is None:
        return Reason(False, _("You did not give the capital cost, so the size cannot be judged."))
    if instrument.min_size_usd is not None and size < instrument.min_size_usd:
        return Reason(False, _("The project is smaller than deals of this kind usually are."))
    if instrument.max_size_usd is not None and size > instrument.max_size_usd:
        return Reason(False, _("The project is larger than this instrument usually finances."))
    return Reason(True, _("The project's size is in the usual range."))


def _set_reason(value: str, accepted: frozenset[str], yes: str, no: str) -> Reason:
    return Reason(not accepted or value in accepted, yes if not accepted or value in accepted else no)
