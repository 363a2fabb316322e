"""API of the city annual reports: list and read them, start them, edit them (the whole report at once with
PUT, or its summary or one line with PATCH, all through `actions.reports.save_report`), move them through the
workflow, and each account's inbox. Reads are public for accepted reports; writes need a token."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from ascn.core import synthetic
from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404
from ascn.network.models import City
from ascn.plans.choices import ProjectStatus

from .. import workflow
from ..actions import reports as actions
from ..choices import ReportAction, ReportState, Verification
from ..models import CityReport, Observation, ProjectReport, ReportingRound, ReportTransition
from ..queries import reports as queries

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

router = Router()


class ReportOut(Schema):
    id: int
    year: int = Field(alias="round.year")
    city: str = Field(alias="city.slug")
    city_name: str = Field(alias="city.name")
    country: str = Field(alias="city.country.iso3")
    state: ReportState
    state_changed_at: dt.datetime | None
    waiting_on: str | None = Field(None, description="city_officer, national_rep, secretariat; null once accepted")
    summary: str
    updated_at: dt.datetime
    synthetic: bool = Field(False, description=synthetic.API_FIELD)

    @staticmethod
    def resolve_waiting_on(obj: CityReport) -> str | None:
        return workflow.waiting_on(obj.state)


class LineOut(Schema):
    id: int
    project: int = Field(alias="project_id")
    reference: str = Field(alias="project.reference")
    title: str = Field(alias="project.title")
    status: ProjectStatus
    percent_complete: int | None
    progress: str
    partner_support: str
    challenges: str
    is_highlighted: bool


class TransitionOut(Schema):
    id: int
    action: ReportAction
    from_state: ReportState
    to_state: ReportState
    actor: str | None = Field(None, description="User name of who took the step")
    at: dt.datetime
    reason: str

    @staticmethod
    def resolve_actor(obj: ReportTransition) -> str | None:
        return obj.actor.username if obj.actor is not None else None


class ObservationOut(Schema):
    indicator: str = Field(alias="indicator.code")
    name: str = Field(alias="indicator.name")
    unit: str = Field(alias="indicator.unit")
    period: str
    value: float
    verification: Verification
    synthetic: bool = Field(False, description=synthetic.API_FIELD)


class ReportDetailOut(ReportOut):
    version: str = Field(description="The version of the report's content (summary and lines); send it back with "
                                     "PUT to refuse the save (409) if someone changed the report meanwhile")
    lines: list[LineOut]
    transitions: list[TransitionOut]
    observations: list[ObservationOut] = Field(description="The city's indicator values for the round's year")
    actions: list[str] = Field(description="The workflow actions your account may take now")

    @staticmethod
    def resolve_version(obj: CityReport) -> str:
        return actions.report_version(obj, obj.project_lines.all())

    @staticmethod
    def resolve_lines(obj: CityReport) -> list[ProjectReport]:
        """The project lines (prefetched by queries.report_detail)."""
        return list(obj.project_lines.all())

    @staticmethod
    def resolve_observations(obj: CityReport, context: dict[str, Any] | None) -> list[Observation]:
        return list(queries.observations_for(_caller(context), obj))

    @staticmethod
    def resolve_actions(obj: CityReport, context: dict[str, Any] | None) -> list[str]:
        return [step.action for step in queries.available_steps(_caller(context), obj)]


def _caller(context: dict[str, Any] | None) -> "Actor | None":
    """Who the response is for (None, the public, outside a request)."""
    request = (context or {}).get("request")
    return caller(request) if request is not None else None


class ReportFilter(Schema):
    year: int | None = Field(None, description="Round year")
    city: str | None = Field(None, description="City slug")
    country: str | None = Field(None, description="ISO3")
    state: ReportState | None = None


class StartIn(Schema):
    year: int = Field(description="Round year")
    city: str = Field(description="City slug")


class ReportPatch(Schema):
    summary: str = Field(max_length=20000)


class LinePatch(Schema):
    status: ProjectStatus | None = None
    percent_complete: int | None = Field(None, ge=0, le=100)
    progress: str | None = None
    partner_support: str | None = None
    challenges: str | None = None
    is_highlighted: bool | None = None


class LinePut(Schema):
    id: int = Field(description="The line's id (from the report's `lines`)")
    status: ProjectStatus
    percent_complete: int | None = Field(None, ge=0, le=100)
    progress: str = ""
    partner_support: str = ""
    challenges: str = ""
    is_highlighted: bool = False


class ReportPut(Schema):
    version: str | None = Field(None, max_length=64, description="The `version` you read; without it the save "
                                                                  "does not check for changes made meanwhile")
    summary: str = Field("", max_length=20000)
    lines: list[LinePut] = Field(description="Every line of the report, each with every field")


class TransitionIn(Schema):
    action: ReportAction
    reason: str = Field("", max_length=5000)


class InboxItemOut(Schema):
    year: int
    city: str
    city_name: str
    country: str
    report: int | None = Field(description="Report id; null when the city has not started it")
    state: str = Field(description="A report state, or not_started")
    closes_on: dt.date | None = Field(description="The round's closing date")
    deadline: dt.date | None = Field(description="The city's deadline: its extension if it has one, else closes_on")
    extended: bool = Field(description="Whether the deadline is an extension the Secretariat gave the city")
    overdue: bool
    days_left: int | None


class InboxOut(Schema):
    due: list[InboxItemOut]
    overdue: list[InboxItemOut]
    waiting: list[InboxItemOut] = Field(description="Reports in your scope waiting on someone else")


def _detail(request: ApiRequest, pk: int) -> CityReport:
    """The report as ReportDetailOut shows it: its lines, observations and actions come from the schema's
    resolvers, for the caller."""
    return visible_or_404(queries.report_details(caller(request)),
                          _("No annual report with the id %(id)s.") % {"id": pk}, pk=pk)


def _report(request: ApiRequest, pk: int) -> CityReport:
    return visible_or_404(queries.report_details(request.auth), _("No annual report with the id %(id)s.") % {"id": pk},
                          pk=pk)


def _inbox_item(item: queries.InboxItem) -> dict[str, Any]:
    return {"year": item.round.year, "city": item.city.slug, "city_name": item.city.name,
            "country": item.city.country.iso3, "report": item.report.pk if item.report else None,
            "state": item.state, "closes_on": item.round.closes_on, "deadline": item.deadline,
            "extended": item.extended, "overdue": item.overdue,
            "days_left": item.days_left}


@router.get("/monitoring/city-reports", response=list[ReportOut], auth=optional_auth,
            summary="The city annual reports")
@paginate
def list_reports(request: ApiRequest, filters: Query[ReportFilter]):
    """Reports you may see (the public: accepted ones), newest round first."""
    return queries.reports(caller(request), queries.ReportFilters(**filters.dict()))


@router.get("/monitoring/city-reports/{pk}", response={200: ReportDetailOut, **ERROR_RESPONSES}, auth=optional_auth,
            summary="One city annual report with its lines, history and indicator values")
def get_report(request: ApiRequest, pk: int):
    return _detail(request, pk)


@router.post("/monitoring/city-reports", response={200: ReportDetailOut, 201: ReportDetailOut, **ERROR_RESPONSES},
             auth=token_auth, summary="Start a city's report for a round")
def start_report(request: ApiRequest, payload: StartIn):
    """Starts the draft (201) with a line per project, or returns the report already started (200)."""
    reporting_round = visible_or_404(ReportingRound.objects.all(),
                                     _("No reporting round for %(year)s.") % {"year": payload.year}, year=payload.year)
    city = get_object_or_404(City, slug=payload.city)
    existed = CityReport.objects.filter(round=reporting_round, city=city).exists()
    report = actions.start_report(request.auth, reporting_round, city, via="api")
    return Status(200 if existed else 201, _detail(request, report.pk))


@router.patch("/monitoring/city-reports/{pk}", response={200: ReportDetailOut, **ERROR_RESPONSES}, auth=token_auth,
              summary="Change a report's summary")
def update_report(request: ApiRequest, pk: int, payload: ReportPatch):
    actions.update_report(request.auth, _report(request, pk), payload.dict(exclude_unset=True), via="api")
    return _detail(request, pk)


@router.put("/monitoring/city-reports/{pk}", response={200: ReportDetailOut, **ERROR_RESPONSES}, auth=token_auth,
            summary="Save a whole report: its summary and every line, all or nothing")
def save_report(request: ApiRequest, pk: int, payload: ReportPut):
    """The page's save: every line with every field, at most one highlighted. Any refused value refuses the
    whole save (422, each error named `summary`, `lines.<id>.<field>`, `lines.<id>` or `lines`) and nothing
    is written. With the `version` you read, a report changed since then is refused with 409."""
    report = _report(request, pk)
    lines: dict[int, dict[str, Any]] = {}
    for line in payload.lines:
        if line.id in lines:
            raise HttpError(422, _("Line %(id)s is given twice.") % {"id": line.id})
        lines[line.id] = line.dict(exclude={"id"})
    try:
        actions.save_report(request.auth, report, {"summary": payload.summary, "lines": lines},
                            version=payload.version, whole=True, via="api")
    except actions.StaleReport as exc:
        raise HttpError(409, exc.messages[0]) from None
    return _detail(request, pk)


@router.patch("/monitoring/city-reports/{pk}/lines/{line_pk}", response={200: LineOut, **ERROR_RESPONSES},
              auth=token_auth, summary="Change a project line of a report")
def update_line(request: ApiRequest, pk: int, line_pk: int, payload: LinePatch):
    report = _report(request, pk)
    line = visible_or_404(report.project_lines.select_related("project", "report__city"),
                          _("The report %(report)s has no line %(line)s.") % {"report": pk, "line": line_pk},
                          pk=line_pk)
    actions.update_project_line(request.auth, line, payload.dict(exclude_unset=True), via="api")
    return line


@router.post("/monitoring/city-reports/{pk}/transitions", response={201: TransitionOut, **ERROR_RESPONSES},
             auth=token_auth, summary="Take a workflow step: submit, endorse, accept, return or reopen")
def transition(request: ApiRequest, pk: int, payload: TransitionIn):
    """Returning and reopening need a reason. The step is refused (403) outside your role or scope, and
    (422) when the report's state does not allow it."""
    return Status(201, actions.transition_report(request.auth, _report(request, pk), str(payload.action),
                                                 payload.reason, via="api"))


@router.get("/monitoring/inbox", response={200: InboxOut, **ERROR_RESPONSES}, auth=token_auth,
            summary="What waits for you")
def inbox(request: ApiRequest):
    box = queries.inbox(request.auth)
    return {"due": [_inbox_item(i) for i in box.due], "overdue": [_inbox_item(i) for i in box.overdue],
            "waiting": [_inbox_item(i) for i in box.waiting]}
