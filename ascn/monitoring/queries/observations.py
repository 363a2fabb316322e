"""Reads of baselines, targets and observations shown to users, through the permission layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet

from ascn.core import numbers
from ascn.core.choices import Role
from ascn.core.periods import try_parse
from ascn.core.permissions import Principal, ScopedQuerySet
from ascn.network.models import City

from .. import validation
from ..choices import Verification
from ..models import CityIndicator, Indicator, Observation, ObservationImport, Target

if TYPE_CHECKING:
    from ascn.core.permissions import Actor


def period_order(period: str) -> int:
    """A number that sorts periods of every kind in the order of `Period` (a malformed one first)."""
    parsed = try_parse(period)
    return parsed.key if parsed else 0


def cities(user: Actor | None) -> QuerySet[City]:
    """The cities the user may see, with their country (pick one by slug with `visible_or_404`)."""
    return City.objects.visible_to(user).select_related("country")


@dataclass
class Row:
    """One assigned indicator of a city: baseline, latest value, the target it is measured against."""

    assignment: CityIndicator
    latest: Observation | None
    target: Target | None
    targets: list[Target] = field(default_factory=list)
    observations: int = 0

    @property
    def flags(self) -> list[str]:
        if self.latest is None:
            return []
        return [validation.flag_text(f) for f in self.latest.flags]

    @property
    def gap(self) -> float | None:
        """Target minus the latest value (None when either is missing)."""
        if self.latest is None or self.target is None:
            return None
        return self.target.value - self.latest.value

    @property
    def baseline_text(self) -> str:
        a = self.assignment
        return f"{numbers.indicator(a.baseline_value)} ({a.baseline_year})" if a.baseline_year else ""

    @property
    def latest_text(self) -> str:
        return f"{numbers.indicator(self.latest.value)} ({self.latest.period})" if self.latest else ""

    @property
    def target_text(self) -> str:
        return f"{numbers.indicator(self.target.value)} ({self.target.year})" if self.target else ""

    @property
    def gap_text(self) -> str:
        return numbers.indicator(self.gap) if self.gap is not None else ""


def assignments(user: Actor | None, target_city: City) -> ScopedQuerySet[CityIndicator]:
    """The indicators assigned to a city, as far as the user may see them, with their targets."""
    return (CityIndicator.objects.visible_to(user).filter(city=target_city).select_related("indicator")
            .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("year")))
            .order_by("indicator__family", "indicator__code"))


def rows(user: Actor | None, items: list[CityIndicator]) -> list[Row]:
    """A Row per assignment of one page: one query for the latest values, whatever the page size."""
    if not items:
        return []
    city_id = items[0].city_id
    latest: dict[int, Observation] = {}
    counts: dict[int, int] = {}
    for obs in (Observation.objects.visible_to(user).filter(city_id=city_id,
                                                            indicator_id__in=[a.indicator_id for a in items])
                .only("id", "indicator_id", "period", "year", "value", "verification", "flags", "city_id")):
        counts[obs.indicator_id] = counts.get(obs.indicator_id, 0) + 1
        best = latest.get(obs.indicator_id)
        if best is None or period_order(obs.period) > period_order(best.period):
            latest[obs.indicator_id] = obs
    result = []
    for a in items:
        found = latest.get(a.indicator_id)
        targets = list(a.targets.all())
        result.append(Row(a, found, target_for(targets, found.year if found else None), targets,
                          counts.get(a.indicator_id, 0)))
    return result


def target_for(targets: list[Target], year: int | None) -> Target | None:
    """The target a value of `year` is measured against: the first one due that year or later (else the
    last one); without a value, the first target."""
    if not targets:
        return None
    if year is None:
        return targets[0]
    return next((t for t in targets if t.year >= year), targets[-1])


def history(user: Actor | None, item: CityIndicator) -> list[Observation]:
    """A city's values of one indicator, latest period first."""
    found = list(Observation.objects.visible_to(user).filter(city_id=item.city_id, indicator_id=item.indicator_id))
    return sorted(found, key=lambda o: period_order(o.period), reverse=True)


def unassigned(user: Actor | None, target_city: City) -> ScopedQuerySet[Indicator]:
    """Indicators of the catalogue not yet assigned to the city."""
    return (Indicator.objects.visible_to(user).exclude(assignments__city=target_city)
            .order_by("family", "code"))


def observations(user: Actor | None, city_slug: str | None = None, indicator: str | None = None,
                 period: str | None = None, year: int | None = None, verification: str | None = None,
                 flagged: bool | None = None) -> ScopedQuerySet[Observation]:
    """Observations the user may see, newest first, optionally narrowed."""
    qs = Observation.objects.visible_to(user).select_related("city__country", "indicator")
    if city_slug:
        qs = qs.filter(city__slug=city_slug)
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if period:
        qs = qs.filter(period=period)
    if year:
        qs = qs.filter(year=year)
    if verification:
        qs = qs.filter(verification=verification)
    if flagged is True:
        qs = qs.exclude(flags=[])
    elif flagged is False:
        qs = qs.filter(flags=[])
    return qs.order_by("-year", "city__name", "indicator__code", "period", "id")


REVIEW_STATES = ("open", "flagged", "unverified", "queried", "verified", "all")


def verifiable(user: Actor | None) -> Q | None:
    """The one rule of who verifies which figures, as a filter on Observation: the Secretariat every city's, a
    National Representative those of its country's cities; None for anyone else. The review queue, the
    dashboard's count of values to review and the verify action (`actions.observations.may_verify`) all read it."""
    principal = Principal.of(user)
    if principal.is_secretariat:
        return Q()
    if principal.role == Role.NATIONAL_REP and principal.country_id:
        return Q(city__country_id=principal.country_id)
    return None


def may_review(user: Actor | None) -> bool:
    return verifiable(user) is not None


def review_queue(user: Actor | None, state: str = "open", city_slug: str | None = None, indicator: str | None = None,
                 year: int | None = None) -> ScopedQuerySet[Observation]:
    """What a reviewer checks: by default every flagged or not yet verified observation they may verify (see
    `verifiable`: not the other countries' values a National Representative may see)."""
    scope = verifiable(user)
    qs = observations(user, city_slug, indicator, None, year)
    qs = qs.filter(scope) if scope is not None else qs.none()
    if state == "open":
        qs = qs.filter(~Q(verification=Verification.VERIFIED))
    elif state == "flagged":
        qs = qs.exclude(flags=[]).exclude(verification=Verification.VERIFIED)
    elif state == "unverified":
        qs = qs.filter(verification=Verification.REPORTED)
    elif state in (Verification.QUERIED, Verification.VERIFIED):
        qs = qs.filter(verification=state)
    return qs


def review_cities(user: Actor | None) -> QuerySet[City]:
    """The cities a reviewer filters the queue by: those with figures for the Secretariat, the country's for
    a National Representative (none for anyone else)."""
    principal = Principal.of(user)
    if principal.is_secretariat:
        return City.objects.visible_to(user).filter(observations__isnull=False).distinct().order_by("name")
    if principal.country_id is None:
        return City.objects.none()
    return City.objects.filter(country_id=principal.country_id).order_by("name")


def recent_imports(user: Actor | None, target_city: City) -> QuerySet[ObservationImport]:
    """The user's uploads for a city (the Secretariat sees everyone's)."""
    qs = ObservationImport.objects.filter(city=target_city).select_related("uploaded_by")
    if not Principal.of(user).is_secretariat:
        qs = qs.filter(uploaded_by_id=getattr(user, "pk", None))
    return qs.order_by("-created_at")


def template_rows(user: Actor | None, target_city: City, years: list[int]) -> list[dict[str, Any]]:
    """The rows of a city's entry template: an annual row per assigned indicator and open year, and every
    stored value of those years (other periods too), prefilled; sorted by indicator and period."""
    items = list(assignments(user, target_city))
    stored: dict[tuple[int, str], Observation] = {}
    for obs in Observation.objects.visible_to(user).filter(city=target_city, year__in=years,
                                                           indicator_id__in=[a.indicator_id for a in items]):
        stored[(obs.indicator_id, obs.period)] = obs
    result = []
    for a in items:
        periods = {str(y) for y in years} | {p for (i, p) in stored if i == a.indicator_id}
        targets = list(a.targets.all())
        for period in sorted(periods, key=period_order):
            value = stored.get((a.indicator_id, period))
            parsed = try_parse(period)
            target = target_for(targets, parsed.year if parsed else None)
            result.append({
                "city": target_city.slug, "indicator_code": a.indicator.code, "indicator_name": a.indicator.name,
                "unit": a.indicator.unit,
                "baseline": f"{numbers.plain(a.baseline_value)} ({a.baseline_year})" if a.baseline_year else "",
                "target": f"{numbers.plain(target.value)} ({target.year})" if target else "", "period": period,
                "value": value.value if value else None, "numerator": value.numerator if value else None,
                "denominator": value.denominator if value else None, "source": value.source if value else "",
                "method": value.method if value else "", "evidence_url": value.evidence_url if value else "",
                "comment": value.comment if value else "",
            })
    return result


def cities_with_assignments(user: Actor | None, other_than: City) -> list[tuple[str, str, int]]:
    """(slug, name in the reader's language, number of assignments the user sees) of the other cities with
    indicators assigned, for "copy from another city"."""
    counted = dict(CityIndicator.objects.visible_to(user).exclude(city=other_than)
                   .values_list("city_id").annotate(n=Count("id")).values_list("city_id", "n"))
    cities = City.objects.filter(pk__in=counted).select_related("country").order_by("name")
    return [(c.slug, c.display_name, counted[c.pk]) for c in cities]


def assigned_with_values(user: Actor | None, target_city: City) -> list[tuple[CityIndicator, int]]:
    """The city's assignments with how many values it has of each (all of them, seen or not: an indicator with
    values stays assigned), for "unassign"."""
    items = list(assignments(user, target_city))
    counts = dict(Observation.objects.filter(city=target_city, indicator_id__in=[a.indicator_id for a in items])
                  .values_list("indicator_id").annotate(n=Count("id")).values_list("indicator_id", "n"))
    return [(a, counts.get(a.indicator_id, 0)) for a in items]
