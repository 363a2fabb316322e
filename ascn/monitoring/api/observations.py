"""API of monitoring: observations, their bulk load and verification, and each city's assigned
indicators with baselines and targets."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ascn.core import synthetic
from ascn.core.api import ERROR_RESPONSES, ErrorOut, caller, optional_auth, token_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404
from ascn.network.models import City

from ..actions import observations as actions
from ..choices import Verification
from ..models import CityIndicator, Indicator, Observation
from ..queries import observations as queries

router = Router()
MAX_BULK_ROWS = 200_000


class ObservationOut(Schema):
    id: int
    city: str = Field(alias="city.slug")
    city_name: str = Field(alias="city.name")
    indicator: str = Field(alias="indicator.code")
    period: str
    year: int
    value: float
    numerator: float | None
    denominator: float | None
    source: str
    method: str
    evidence_url: str
    evidence_file: str | None = None
    comment: str
    verification: Verification
    flags: list[dict[str, Any]] = Field(description='Soft validation findings: {"code", "params", "detail"}')
    updated_at: dt.datetime
    synthetic: bool = Field(False, description=synthetic.API_FIELD)

    @staticmethod
    def resolve_evidence_file(obj: Observation) -> str | None:
        """The address that serves the file after checking that the caller may see the observation."""
        return reverse("monitoring:observation_evidence", args=[obj.pk]) if obj.evidence_file else None


class ObservationFilter(Schema):
    city: str | None = Field(None, description="City slug")
    indicator: str | None = Field(None, description="Indicator code")
    period: str | None = Field(None, description="2025, 2025-Q3 or 2025-07")
    year: int | None = None
    verification: Verification | None = None
    flagged: bool | None = Field(None, description="true: only observations with validation flags")


class BulkRow(Schema):
    city: str = Field(description="City slug")
    indicator: str = Field(description="Indicator code")
    period: str
    value: float | str | None = None
    numerator: float | str | None = None
    denominator: float | str | None = None
    source: str = ""
    method: str = ""
    evidence_url: str = ""
    comment: str = ""


class BulkIn(Schema):
    rows: list[BulkRow] = Field(max_length=MAX_BULK_ROWS)


class RowErrorOut(Schema):
    row: int
    column: str
    code: str
    reason: str


class RowFlagOut(Schema):
    row: int
    city: str
    indicator: str
    period: str
    code: str
    detail: str


class SummaryOut(Schema):
    rows: int = Field(description="Rows with something to record")
    created: int
    updated: int
    unchanged: int
    blank: int = Field(description="Rows without a value, numerator or denominator (skipped)")
    errors: list[RowErrorOut] = Field(description="The first 1,000 errors (row, column, reason)")
    error_count: int
    flags: list[RowFlagOut] = Field(description="The first 1,000 flags raised on rows written")
    flag_count: int
    flag_counts: dict[str, int]
    problem: str
    committed: bool
    import_id: int | None = None


class TargetIO(Schema):
    year: int = Field(ge=1990, le=2100)
    value: float


class AssignmentOut(Schema):
    indicator: str = Field(alias="indicator.code")
    name: str = Field(alias="indicator.name")
    unit: str = Field(alias="indicator.unit")
    baseline_value: float | None
    baseline_year: int | None
    notes: str
    targets: list[TargetIO]
    synthetic: bool = Field(False, description="True when the baseline and targets are the demo's made-up ones "
                                               "(manage.py demo_data): not ASCN data")

    @staticmethod
    def resolve_targets(obj) -> list[dict]:
        return [{"year": t.year, "value": t.value} for t in obj.targets.all()]


class AssignmentIn(Schema):
    indicator: str = Field(description="Indicator code")
    baseline_value: float | None = None
    baseline_year: int | None = Field(None, ge=1990, le=2100)
    notes: str = ""
    targets: list[TargetIO] | None = Field(None, description="Given: replaces the assignment's targets")


class AssignmentsIn(Schema):
    items: list[AssignmentIn] = Field(max_length=500)


class TargetsIn(Schema):
    targets: list[TargetIO] = Field(max_length=100)


class VerificationIn(Schema):
    verification: Verification
    comment: str = Field("", max_length=1000)


def _summary(summary: actions.LoadSummary, import_id: int | None = None) -> dict:
    return {**summary.as_dict(), "import_id": import_id}


def _city(request: ApiRequest, slug: str) -> City:
    return visible_or_404(queries.cities(caller(request)), _("No city with the slug %(slug)s.") % {"slug": slug},
                          slug=slug)


def _observation(request: ApiRequest, pk: int) -> Observation:
    return visible_or_404(queries.observations(caller(request)), _("No observation with the id %(id)s.") % {"id": pk},
                          pk=pk)


@router.get("/monitoring/observations", response=list[ObservationOut], auth=optional_auth,
            summary="Observations (published indicators for the public)")
@paginate
def list_observations(request: ApiRequest, filters: Query[ObservationFilter]):
    return queries.observations(caller(request), filters.city, filters.indicator, filters.period, filters.year,
                                filters.verification, filters.flagged)


@router.post("/monitoring/observations/bulk", response={200: SummaryOut, 422: SummaryOut, 401: ErrorOut},
             auth=token_auth, summary="Check (dry run) or write many observations at once")
def bulk_observations(request: ApiRequest, payload: BulkIn, dry_run: bool = True):
    """The same checks and summary as a file import. With dry_run=false and no error every row is written
    (all or nothing; 422 with the summary when a row has an error); rows equal to stored ones are
    unchanged, so sending the same rows twice changes nothing."""
    rows = [r.dict() for r in payload.rows]
    summary, record = actions.load_records(request.auth, rows, commit=not dry_run, via="api")
    body = _summary(summary, record.pk if record else None)
    if not dry_run and not summary.committed:
        return Status(422, body)
    return body


@router.get("/monitoring/observations/{pk}", response={200: ObservationOut, **ERROR_RESPONSES}, auth=optional_auth,
            summary="One observation")
def get_observation(request: ApiRequest, pk: int):
    return _observation(request, pk)


@router.patch("/monitoring/observations/{pk}/verification", response={200: ObservationOut, **ERROR_RESPONSES},
              auth=token_auth, summary="Verify or query an observation (Secretariat; NR for its country)")
def set_verification(request: ApiRequest, pk: int, payload: VerificationIn):
    observation = _observation(request, pk)
    actions.set_verification(request.auth, observation, payload.verification, payload.comment, via="api")
    return _observation(request, pk)


@router.delete("/monitoring/observations/{pk}", response={204: None, **ERROR_RESPONSES}, auth=token_auth,
               summary="Delete an observation entered by mistake (while its period is open)")
def delete_observation(request: ApiRequest, pk: int):
    actions.delete_observation(request.auth, _observation(request, pk), via="api")
    return Status(204, None)


@router.get("/monitoring/cities/{slug}/indicators", response={200: list[AssignmentOut], **ERROR_RESPONSES},
            auth=optional_auth, summary="A city's assigned indicators with baselines and targets")
@paginate
def list_assignments(request: ApiRequest, slug: str):
    return queries.assignments(caller(request), _city(request, slug))


@router.put("/monitoring/cities/{slug}/indicators", response={200: list[AssignmentOut], **ERROR_RESPONSES},
            auth=token_auth, summary="Assign indicators to a city and set their baselines (and targets)")
def put_assignments(request: ApiRequest, slug: str, payload: AssignmentsIn):
    """Each item is assigned if it is not yet, and its baseline and notes set; `targets`, when given,
    replaces its targets. Indicators not listed are left as they are. All items are written, or none."""
    city = _city(request, slug)
    codes = [item.indicator for item in payload.items]
    indicators = {i.code: i for i in Indicator.objects.visible_to(request.auth).filter(code__in=codes)}
    unknown = [c for c in codes if c not in indicators]
    if unknown:
        raise ValidationError({"items": _("Unknown indicator codes: %(codes)s.") % {"codes": ", ".join(unknown)}})
    with transaction.atomic():
        existing = {a.indicator.code: a for a in CityIndicator.objects.filter(city=city, indicator__code__in=codes)
                    .select_related("indicator")}
        for item in payload.items:
            data = {"baseline_value": item.baseline_value, "baseline_year": item.baseline_year, "notes": item.notes}
            assignment = existing.get(item.indicator)
            if assignment is None:
                assignment = actions.assign_indicator(request.auth, city, indicators[item.indicator], data, via="api")
            else:
                actions.update_assignment(request.auth, assignment, data, via="api")
            if item.targets is not None:
                actions.replace_targets(request.auth, assignment, [(t.year, t.value) for t in item.targets])
    return list(queries.assignments(request.auth, city).filter(indicator__code__in=codes))


@router.put("/monitoring/cities/{slug}/indicators/{code}/targets", response={200: list[TargetIO], **ERROR_RESPONSES},
            auth=token_auth, summary="Replace the targets of one assigned indicator")
def put_targets(request: ApiRequest, slug: str, code: str, payload: TargetsIn):
    city = _city(request, slug)
    assignment = visible_or_404(queries.assignments(request.auth, city),
                                _("%(code)s is not assigned to %(city)s.") % {"code": code, "city": city.name},
                                indicator__code=code)
    targets = actions.replace_targets(request.auth, assignment, [(t.year, t.value) for t in payload.targets])
    return [{"year": t.year, "value": t.value} for t in targets]

