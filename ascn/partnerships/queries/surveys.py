"""Reads of needs surveys shown to users, through the permission layer: the surveys each role works with, the
answers it may read, and the results tabulated from submitted answers only."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ascn.core.choices import Role
from ascn.core.permissions import Principal
from ascn.framework.choices import NodeKind
from ascn.framework.models import FrameworkNode
from ascn.network.models import City
from ascn.plans.models import Project

from ..choices import QuestionKind, ResponseState, SurveyState
from ..models import Question, Survey, SurveyResponse

if TYPE_CHECKING:
    from ascn.core.permissions import Actor, ScopedQuerySet

CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.FOCUS_AREAS})
SHARE_COLOUR = "#1f5f8b"
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier only; never downloaded


def closed_for_answers(survey: Survey, now: dt.datetime | None = None) -> bool:
    """Whether the survey no longer takes answers: closed, or open with its closing time passed (before the
    Secretariat presses Close)."""
    if survey.state == SurveyState.CLOSED:
        return True
    now = now or timezone.now()
    return survey.state == SurveyState.OPEN and survey.closes_at is not None and survey.closes_at <= now


def focus_areas() -> list[FrameworkNode]:
    return list(FrameworkNode.objects.filter(kind=NodeKind.FOCUS_AREA).order_by("position", "code"))


def public_surveys(user: Actor | None) -> Any:
    """The surveys the user may see (the public: open and closed ones; a partner its own drafts too; the
    Secretariat all), newest first, with their owner and how many cities were asked, in one query."""
    return (Survey.objects.visible_to(user).select_related("owner")
            .annotate(asked=Count("cities", distinct=True)).order_by("-created_at", "-id"))


def workspace_surveys(user: Actor | None) -> Any:
    """The surveys the user works with: the Secretariat all; a partner its own; a city officer the open and
    closed surveys sent to its city; a National Representative those sent to its country's cities; nobody
    else any. Each with its owner, how many cities were asked and how many answers are submitted."""
    principal = Principal.of(user)
    rows = Survey.objects.visible_to(user)
    if principal.is_secretariat:
        pass
    elif principal.role == Role.PARTNER and principal.partner_id:
        rows = rows.filter(owner_id=principal.partner_id)
    elif principal.role == Role.CITY_OFFICER and principal.city_id:
        rows = rows.filter(pk__in=Survey.cities.through.objects.filter(city_id=principal.city_id)
                           .values("survey_id"))
    elif principal.role == Role.NATIONAL_REP and principal.country_id:
        rows = rows.filter(pk__in=Survey.cities.through.objects.filter(city__country_id=principal.country_id)
                           .values("survey_id"))
    else:
        return Survey.objects.none()
    submitted = Count("responses", filter=Q(responses__state=ResponseState.SUBMITTED), distinct=True)
    return (rows.select_related("owner").annotate(asked=Count("cities", distinct=True), submitted=submitted)
            .order_by("-created_at", "-id"))


def questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position", "id"))


def asked_cities(survey: Survey) -> list[City]:
    return list(survey.cities.select_related("country").order_by("country__name", "name"))


def answer_of(user: Actor | None, survey: Survey, city: City) -> SurveyResponse | None:
    """The city's answer to the survey if the user may see it."""
    return (SurveyResponse.objects.visible_to(user).filter(survey=survey, city=city)
            .select_related("city__country").first())


def answers(user: Actor | None, survey: Survey, *, submitted_only: bool = False) -> ScopedQuerySet[SurveyResponse]:
    """The answers to `survey` the user may read (the Secretariat all; the owner partner its survey's; a
    National Representative its country's; a city officer its city's), by country and city."""
    rows = (SurveyResponse.objects.visible_to(user).filter(survey=survey)
            .select_related("city__country", "submitted_by"))
    if submitted_only:
        rows = rows.filter(state=ResponseState.SUBMITTED)
    return rows.order_by("city__country__name", "city__name", "id")


def may_read_results(user: Actor | None, survey: Survey) -> bool:
    """The Secretariat, the partner that owns the survey, and a National Representative of a country whose
    cities were asked read the results (each its own scope of answers)."""
    principal = Principal.of(user)
    if principal.is_secretariat:
        return True
    if principal.role == Role.PARTNER:
        return principal.partner_id is not None and survey.owner_id == principal.partner_id
    if principal.role == Role.NATIONAL_REP and principal.country_id:
        return survey.cities.filter(country_id=principal.country_id).exists()
    return False


def city_projects(user: Actor | None, city: City) -> Any:
    """The projects of `city` the user may see: what a "project" question offers."""
    return Project.objects.visible_to(user).filter(city=city).order_by("title", "id")


# --- Results -------------------------------------------------------------------------------------------


@dataclass
class OptionRow:
    label: str
    value: str
    count: int
    share: float  # per cent of the cities that answered the question
    by_country: list[int] = field(default_factory=list)


@dataclass
class QuestionResult:
    """One question's tabulation: `answered` cities; for choice kinds one row per option (with the count per
    country in the order of `Results.countries`); for numbers their total, mean, smallest and largest; for
    money the same per currency; for text and projects only how many answered."""

    number: int
    question: Question
    answered: int
    options: list[OptionRow] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] | None = None

    @property
    def chart_id(self) -> str:
        return f"chart-q{self.question.pk}"


@dataclass
class CountryRow:
    name: str
    iso3: str
    asked: int
    submitted: int

    @property
    def share(self) -> float:
        return round(100 * self.submitted / self.asked, 1) if self.asked else 0.0


@dataclass
class Results:
    asked: int
    submitted: int
    countries: list[CountryRow]
    questions: list[QuestionResult]
    focus_areas: list[OptionRow]
    country_chart: dict[str, Any]
    focus_chart: dict[str, Any] | None


def _share(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def share_chart(rows: list[OptionRow], label_title: str, share_title: str) -> dict[str, Any]:
    """Horizontal bars of each option's share (per cent), in the order given, each labelled with its count
    and share: a Vega-Lite spec with its data inline (drawn by the page's charts script)."""
    data = [{"label": row.label, "count": row.count, "share": row.share,
             "text": f"{row.count} ({row.share:g}%)"} for row in rows]
    y = {"field": "label", "type": "nominal", "title": label_title, "sort": None, "axis": {"labelLimit": 280}}
    x = {"field": "share", "type": "quantitative", "title": share_title, "scale": {"domain": [0, 100]}}
    tooltip = [{"field": "label", "title": label_title}, {"field": "count", "type": "quantitative"},
               {"field": "share", "type": "quantitative", "title": share_title}]
    return {"$schema": SCHEMA, "width": "container", "height": max(60, 26 * len(data)), "data": {"values": data},
            "layer": [{"mark": {"type": "bar", "color": SHARE_COLOUR},
                       "encoding": {"y": y, "x": x, "tooltip": tooltip}},
                      {"mark": {"type": "text", "align": "left", "dx": 4, "color": "#1d2a33"},
                       "encoding": {"y": y, "x": x, "text": {"field": "text"}}}],
            "config": {"view": {"stroke": None}}}


def option_labels(question: Question, nodes: dict[str, FrameworkNode]) -> list[tuple[str, str]]:
    """(value, label) of each option of a choice question, in order."""
    if question.kind == QuestionKind.FOCUS_AREAS:
        return [(code, node.display_name) for code, node in nodes.items()]
    return [(str(choice), str(choice)) for choice in question.choices]


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value not in (None, "") else []


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _number_figures(values: list[Decimal], currency: str = "") -> dict[str, Any]:
    total = sum(values, Decimal(0))
    return {"currency": currency, "count": len(values), "total": total,
            "mean": (total / len(values)).quantize(Decimal("0.01")), "min": min(values), "max": max(values)}


def _tabulate(number: int, question: Question, rows: list[SurveyResponse], countries: list[CountryRow],
              nodes: dict[str, FrameworkNode]) -> QuestionResult:
    key = str(question.pk)
    given = [(row, row.answers[key]) for row in rows if row.answers.get(key) not in (None, "", [], {})]
    result = QuestionResult(number=number, question=question, answered=len(given))
    if question.kind in CHOICE_KINDS:
        position = {country.iso3: i for i, country in enumerate(countries)}
        counts: Counter[str] = Counter()
        per_country: dict[str, list[int]] = defaultdict(lambda: [0] * len(countries))
        for row, value in given:
            for choice in dict.fromkeys(_as_list(value)):
                counts[choice] += 1
                per_country[choice][position[row.city.country.iso3]] += 1
        result.options = [OptionRow(label, value, counts[value], _share(counts[value], len(given)),
                                    per_country[value]) for value, label in option_labels(question, nodes)]
        result.chart = share_chart(result.options, _("Answer"), _("Share of the cities that answered (%)"))
    elif question.kind == QuestionKind.NUMBER:
        numbers = [n for _row, value in given if (n := _decimal(value)) is not None]
        if numbers:
            result.figures = [_number_figures(numbers)]
    elif question.kind == QuestionKind.MONEY:
        by_currency: dict[str, list[Decimal]] = defaultdict(list)
        for _row, value in given:
            amount = _decimal(value.get("amount")) if isinstance(value, dict) else None
            if amount is not None:
                by_currency[str(value.get("currency", ""))].append(amount)
        result.figures = [_number_figures(values, currency) for currency, values in sorted(by_currency.items())]
    return result


def results(user: Actor | None, survey: Survey) -> Results:
    """Counts and shares per question, per country and per focus area, from the submitted answers the user
    may read (`answers`); a country row counts the cities asked within the user's scope. Four queries
    whatever the number of answers."""
    principal = Principal.of(user)
    rows = list(answers(user, survey, submitted_only=True))
    cities = survey.cities.select_related("country")
    if principal.role == Role.NATIONAL_REP and principal.country_id:
        cities = cities.filter(country_id=principal.country_id)
    asked: Counter[tuple[str, str]] = Counter((c.country.name, c.country.iso3) for c in cities)
    answered: Counter[str] = Counter(row.city.country.iso3 for row in rows)
    for row in rows:  # an answer uploaded for a city no longer asked still counts under its country
        asked.setdefault((row.city.country.name, row.city.country.iso3), 0)
    countries = [CountryRow(name, iso3, count, answered[iso3]) for (name, iso3), count in sorted(asked.items())]
    nodes = {node.code: node for node in focus_areas()}
    tabulated = [_tabulate(i, q, rows, countries, nodes) for i, q in enumerate(questions(survey), 1)]
    focus: Counter[str] = Counter()
    for row in rows:
        named: set[str] = set()
        for result in tabulated:
            if result.question.kind == QuestionKind.FOCUS_AREAS:
                named.update(_as_list(row.answers.get(str(result.question.pk))))
        focus.update(named)
    focus_rows = [OptionRow(node.display_name, code, focus[code], _share(focus[code], len(rows)))
                  for code, node in nodes.items()]
    has_focus = any(r.question.kind == QuestionKind.FOCUS_AREAS for r in tabulated)
    country_rows = [OptionRow(c.name, c.iso3, c.submitted, c.share) for c in countries]
    country_chart = share_chart(country_rows, _("Country"), _("Share of the cities asked that answered (%)"))
    focus_chart = share_chart(focus_rows, _("Focus area"), _("Share of the cities that answered (%)"))
    return Results(asked=sum(c.asked for c in countries), submitted=len(rows), countries=countries,
                   questions=tabulated, focus_areas=focus_rows if has_focus else [], country_chart=country_chart,
                   focus_chart=focus_chart if has_focus else None)


def survey_with_questions(rows: Any) -> Any:
    return rows.prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("position", "id")))


def dashboard(user: Actor | None) -> dict[str, Any] | None:
    """The workspace dashboard's survey panel: for a city officer the open surveys sent to its city that it has
    not submitted (with its answer's state; no panel when none waits); for a partner and the Secretariat their
    surveys by state. None for other roles (the panel is not shown)."""
    principal = Principal.of(user)
    if principal.role == Role.CITY_OFFICER and principal.city_id:
        now = timezone.now()
        waiting = [s for s in workspace_surveys(user).filter(state=SurveyState.OPEN)
                   .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
                   .exclude(pk__in=SurveyResponse.objects.filter(city_id=principal.city_id,
                                                                 state=ResponseState.SUBMITTED).values("survey_id"))[:5]]
        states = dict(SurveyResponse.objects.filter(city_id=principal.city_id, survey__in=waiting)
                      .values_list("survey_id", "state"))
        if not waiting:
            return None  # nothing waits for the city: no panel
        return {"waiting": [(s, states.get(s.pk, "")) for s in waiting], "counts": None}
    if principal.is_secretariat or (principal.role == Role.PARTNER and principal.partner_id):
        counts = dict(workspace_surveys(user).order_by().values_list("state").annotate(n=Count("id", distinct=True)))
        return {"waiting": None, "counts": [(state, SurveyState(state).label, counts.get(state, 0))
                                            for state in SurveyState.values]}
    return None
