"""API of the cooperation pipeline under /api/v1/partnerships/cooperation: records and their steps, with the same
permissions as the pages (public once agreed; before, the parties, their National Representatives and the
Secretariat; each step only for the roles `partnerships.workflow` names)."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.filters import query_schema
from ascn.core.http import ApiRequest
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Partner
from ascn.plans.models import Project

from .. import workflow
from ..actions import cooperation as actions
from ..choices import AgreementKind, CooperationKind, CooperationState
from ..models import CooperationRecord, Offer, Programme
from ..queries import cooperation as queries

router = Router()

if TYPE_CHECKING:
    CooperationQuery = Schema
else:
    CooperationQuery = query_schema(queries.CooperationFilters)


class DocumentOut(Schema):
    label: str
    url: str


class StepOut(Schema):
    action: str = Field(description="propose, submit, return, agree, start, complete, decline, withdraw; "
                                    "“apply”: the projects were updated from the agreement")
    from_state: CooperationState
    to_state: CooperationState
    role: str = Field(description="The role it was taken as: partner, city_officer, national_rep, secretariat")
    at: dt.datetime
    reason: str


class RecordOut(Schema):
    id: int
    title: str
    kind: CooperationKind
    state: CooperationState
    partner: str | None = Field(None, alias="partner.slug")
    city: str = Field(alias="city.slug")
    twin_city: str | None = Field(None, alias="twin_city.slug")
    programme: str | None = Field(None, alias="programme.slug")
    offer: int | None = Field(None, alias="offer_id")
    need_key: str
    projects: list[int] = Field(description="Ids of the projects it funds or supports")
    tags: list[str] = Field(description="Framework codes (focus areas and enablers)")
    scope: str
    budget: Decimal | None
    currency: str
    start_date: dt.date | None
    end_date: dt.date | None
    documents: list[DocumentOut]
    agreement: AgreementKind | None
    agreed_on: dt.date | None
    signatories: str = Field(description="The signatories' roles (never a person's name)")
    reason: str = Field(description="Why it was declined or withdrawn")
    source: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_projects(obj: CooperationRecord) -> list[int]:
        return sorted(p.pk for p in obj.projects.all())

    @staticmethod
    def resolve_tags(obj: CooperationRecord) -> list[str]:
        return sorted(t.node.code for t in obj.framework_tags.all())

    @staticmethod
    def resolve_agreement(obj: CooperationRecord) -> str | None:
        return obj.agreement or None


class RecordDetailOut(RecordOut):
    transitions: list[StepOut]
    available: list[str] = Field(description="The steps your role may take now")

    @staticmethod
    def resolve_transitions(obj: CooperationRecord) -> list[Any]:
        return list(obj.transitions.all())


class ProposalIn(Schema):
    title: str | None = Field(None, min_length=1, max_length=250)
    kind: CooperationKind | None = None
    programme: str | None = Field(None, description="Programme slug")
    scope: str | None = None
    budget: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    currency: str | None = Field(None, max_length=3, description="ISO 4217 code")
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    documents: list[DocumentOut] | None = None
    source: str | None = Field(None, max_length=1000)
    tags: list[str] | None = Field(None, description="Framework codes of focus areas and enablers")


class RecordIn(ProposalIn):
    title: str = Field(min_length=1, max_length=250)
    kind: CooperationKind
    partner: str | None = Field(None, description="Partner slug (a partner's token: its own, the default)")
    city: str | None = Field(None, description="City slug (a city officer's token: its own, the default)")
    twin_city: str | None = Field(None, description="For a city-to-city twinning: the other city's slug")
    offer: int | None = None
    need_key: str = Field("", max_length=20)
    projects: list[int] = Field(default_factory=list, description="Ids of projects of the city or the twin city")


class StepIn(Schema):
    action: str = Field(description=", ".join(workflow.ACTIONS))
    reason: str = Field("", max_length=4000, description="Required to return, decline or withdraw")
    agreement: AgreementKind | None = Field(None, description="To agree: loi or mou")
    agreed_on: dt.date | None = Field(None, description="To agree: the date it was signed")
    signatories: str | None = Field(None, max_length=2000, description="To agree: the signatories' roles")


class CommentIn(Schema):
    text: str = Field(min_length=1, max_length=4000)


class CommentOut(Schema):
    id: int
    role: str
    text: str
    created_at: dt.datetime


class ProjectsIn(Schema):
    projects: list[int]


def _one(model: Any, field: str, **lookup: Any) -> Any:
    found = model.objects.filter(**lookup).first()
    if found is None:
        raise ValidationError({field: _("Unknown value “%(value)s”.") % {"value": next(iter(lookup.values()))}})
    return found


def _proposal_data(payload: ProposalIn, exclude: set[str]) -> tuple[dict[str, Any], list[Any] | None]:
    data = payload.dict(exclude_unset=True, exclude=exclude | {"tags"})
    if "programme" in data:
        data["programme"] = _one(Programme, "programme", slug=data["programme"]) if data["programme"] else None
    if "kind" in data:
        data["kind"] = str(data["kind"])
    if "documents" in data:
        data["documents"] = [dict(d) for d in data["documents"] or []]
    tags = None
    if payload.tags is not None:
        tags = [_one(FrameworkNode, "tags", code=code) for code in payload.tags]
    return data, tags


def _record(request: ApiRequest, pk: int) -> CooperationRecord:
    record = queries.detail(caller(request), pk)
    if record is None:
        raise Http404(_("No cooperation record with the id %(id)s.") % {"id": pk})
    return record


def _detail(request: ApiRequest, pk: int) -> CooperationRecord:
    """The record with the steps the caller's role may take now (`available`, read by RecordDetailOut)."""
    record = _record(request, pk)
    role = queries.role_on(caller(request), record)
    setattr(record, "available", [t.action for t in workflow.available(record.state, role)])  # noqa: B010
    return record


@router.get("/partnerships/cooperation", response=list[RecordOut], auth=optional_auth, summary="Cooperation records")
@paginate
def list_records(request: ApiRequest, filters: Query[CooperationQuery]):
    """Records you may see: the public sees agreed ones (agreed, in implementation, completed); a partner, a city
    officer and a National Representative their own at every stage; the Secretariat all."""
    return queries.records(caller(request), queries.CooperationFilters(**filters.dict())).prefetch_related("projects")


@router.get("/partnerships/cooperation/{pk}", response={200: RecordDetailOut, **ERROR_RESPONSES}, auth=optional_auth)
def get_record(request: ApiRequest, pk: int):
    """One record with its steps (who took them as which role, when, why) and the steps your role may take."""
    return _detail(request, pk)


@router.post("/partnerships/cooperation", response={201: RecordDetailOut, **ERROR_RESPONSES}, auth=token_auth)
def create_record(request: ApiRequest, payload: RecordIn):
    """Open a record at the expression of interest (a partner for its organisation, a city officer for its city,
    the Secretariat for anyone)."""
    data, tags = _proposal_data(payload, {"partner", "city", "twin_city", "offer", "projects"})
    user = request.auth
    own_partner: int | None = getattr(user, "partner_id", None)
    own_city: int | None = getattr(user, "city_id", None)
    if payload.partner:
        data["partner"] = _one(Partner, "partner", slug=payload.partner)
    elif own_partner is not None and not payload.twin_city:
        data["partner"] = Partner.objects.get(pk=own_partner)
    if payload.city:
        data["city"] = _one(City, "city", slug=payload.city)
    elif own_city is not None:
        data["city"] = City.objects.get(pk=own_city)
    else:
        raise ValidationError({"city": _("Name the city of the cooperation.")})
    if payload.twin_city:
        data["twin_city"] = _one(City, "twin_city", slug=payload.twin_city)
    if payload.offer is not None:
        data["offer"] = _one(Offer, "offer", pk=payload.offer)
    projects = list(Project.objects.filter(pk__in=payload.projects))
    if len(projects) != len(set(payload.projects)):
        raise ValidationError({"projects": _("Unknown project id among %(ids)s.")
                               % {"ids": ", ".join(map(str, payload.projects))}})
    record = actions.create_record(user, data, tags=tags or (), projects=projects, via="api")
    return Status(201, _detail(request, record.pk))


@router.patch("/partnerships/cooperation/{pk}", response={200: RecordDetailOut, **ERROR_RESPONSES}, auth=token_auth)
def update_proposal(request: ApiRequest, pk: int, payload: ProposalIn):
    """Change the proposal while the record is an expression of interest or a proposal (its parties)."""
    record = _record(request, pk)
    data, tags = _proposal_data(payload, set())
    for name in ("scope", "source"):
        if name in data and data[name] is None:
            data[name] = ""
    actions.update_proposal(request.auth, record, data, tags=tags, via="api")
    return _detail(request, pk)


@router.post("/partnerships/cooperation/{pk}/transitions", response={201: RecordDetailOut, **ERROR_RESPONSES},
             auth=token_auth)
def take_step(request: ApiRequest, pk: int, payload: StepIn):
    """Take a step of the workflow. A step your role may not take is refused (403) and changes nothing; a step
    that cannot be taken from the record's stage, or without its reason or agreement, is refused (422)."""
    record = _record(request, pk)
    agreement = None
    if payload.action == workflow.AGREE:
        agreement = {"agreement": str(payload.agreement) if payload.agreement else "",
                     "agreed_on": payload.agreed_on, "signatories": payload.signatories or ""}
    actions.transition(request.auth, record, payload.action, payload.reason, agreement, via="api")
    return Status(201, _detail(request, pk))


@router.post("/partnerships/cooperation/{pk}/comments", response={201: CommentOut, **ERROR_RESPONSES},
             auth=token_auth)
def add_comment(request: ApiRequest, pk: int, payload: CommentIn):
    """A review comment by a party, the National Representative or the Secretariat."""
    record = _record(request, pk)
    return Status(201, actions.add_comment(request.auth, record, payload.text, via="api"))


@router.get("/partnerships/cooperation/{pk}/comments", response={200: list[CommentOut], **ERROR_RESPONSES},
            auth=optional_auth)
def list_comments(request: ApiRequest, pk: int):
    """The comments, for the record's parties and reviewers (none for anyone else)."""
    record = _record(request, pk)
    if queries.role_on(caller(request), record) is None:
        return []
    return list(record.comments.all())


@router.put("/partnerships/cooperation/{pk}/projects", response={200: RecordDetailOut, **ERROR_RESPONSES},
            auth=token_auth)
def link_projects(request: ApiRequest, pk: int, payload: ProjectsIn):
    """Set exactly the projects (of the city or the twin city) the record funds or supports."""
    record = _record(request, pk)
    projects = list(queries.linkable_projects(record).filter(pk__in=payload.projects))
    if len(projects) != len(set(payload.projects)):
        raise ValidationError({"projects": _("Link only projects of the record's cities; ids given: %(ids)s.")
                               % {"ids": ", ".join(map(str, payload.projects))}})
    actions.link_projects(request.auth, record, projects, via="api")
    return _detail(request, pk)


@router.post("/partnerships/cooperation/{pk}/apply", response={200: RecordDetailOut, **ERROR_RESPONSES},
             auth=token_auth)
def apply_to_projects(request: ApiRequest, pk: int):
    """Update the linked projects from the agreement: the partner added, the secured funding raised by the budget
    in each project's currency (the city's officers or the Secretariat; once)."""
    record = _record(request, pk)
    actions.apply_to_projects(request.auth, record, via="api")
    return _detail(request, pk)
