"""API of the partnerships app: programmes, offers (a partner's own to create and change) and the rate table,
under /api/v1/partnerships/."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ascn.core import synthetic
from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.filters import query_schema
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Country, Partner
from ascn.plans.choices import ProjectStage, SupportKind

from ..actions import offers as actions
from ..choices import CooperationKind, Instrument, NeedState, OfferState
from ..models import Offer, Programme
from ..queries import offers as queries

router = Router()

if TYPE_CHECKING:
    OfferQuery = Schema
    NeedQuery = Schema
else:
    OfferQuery = query_schema(queries.OfferFilters)
    NeedQuery = query_schema(queries.NeedFilters)


def _tag_codes(obj: Any) -> list[str]:
    return sorted(t.node.code for t in obj.framework_tags.all())


class ProgrammeOut(Schema):
    slug: str
    name: str
    kind: CooperationKind
    partners: list[str] = Field(description="Partner slugs")
    amount: Decimal | None
    currency: str
    amount_note: str = Field(description="How the source states the amount")
    start_date: dt.date | None
    end_date: dt.date | None
    instruments: list[Instrument]
    eligible: str
    what_it_offers: str
    source: str

    @staticmethod
    def resolve_partners(obj: Programme) -> list[str]:
        return [p.slug for p in obj.partners.all()]


class OfferOut(Schema):
    id: int
    partner: str = Field(alias="partner.slug")
    programme: str | None = Field(None, alias="programme.slug")
    title: str
    description: str
    kind: CooperationKind
    countries: list[str] = Field(description="ISO3 codes; none: every member country")
    cities: list[str] = Field(description="City slugs; none: every member city")
    tags: list[str] = Field(description="Framework codes (focus areas and enablers)")
    ticket_min: Decimal | None
    ticket_max: Decimal | None
    currency: str
    instruments: list[Instrument]
    stages: list[ProjectStage]
    deadline: dt.date | None
    contact_role: str
    state: OfferState
    updated_at: dt.datetime
    synthetic: bool = Field(False, description=synthetic.API_FIELD)

    @staticmethod
    def resolve_countries(obj: Offer) -> list[str]:
        return sorted(c.iso3 for c in obj.countries.all())

    @staticmethod
    def resolve_cities(obj: Offer) -> list[str]:
        return sorted(c.slug for c in obj.cities.all())

    @staticmethod
    def resolve_tags(obj: Offer) -> list[str]:
        return _tag_codes(obj)


class OfferWrite(Schema):
    programme: str | None = Field(None, description="Slug of one of the partner's programmes")
    title: str | None = Field(None, min_length=1, max_length=250)
    description: str | None = None
    kind: CooperationKind | None = None
    countries: list[str] | None = Field(None, description="ISO3 codes")
    cities: list[str] | None = Field(None, description="City slugs")
    tags: list[str] | None = Field(None, description="Framework codes of focus areas and enablers")
    ticket_min: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    ticket_max: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    currency: str | None = Field(None, max_length=3, description="ISO 4217 code")
    instruments: list[Instrument] | None = None
    stages: list[ProjectStage] | None = None
    deadline: dt.date | None = None
    contact_role: str | None = Field(None, max_length=200, description="A role or office, never a person")


class OfferIn(OfferWrite):
    partner: str | None = Field(None, description="Partner slug (a partner's token: its own, the default)")
    title: str = Field(min_length=1, max_length=250)
    kind: CooperationKind
    publish: bool = Field(False, description="Publish at once (else a draft)")


class StateIn(Schema):
    state: OfferState


class NeedOut(Schema):
    key: str = Field(description="“n<id>”: a need the city states; “p<id>”: a published project's support need")
    source: str = Field(description="“stated” or “project”")
    title: str = Field(description="The need's title, or the project's")
    kind: SupportKind
    details: str
    city: str = Field(alias="city.slug")
    project: int | None = Field(None, alias="project.pk", description="The project's id (a support need)")
    amount: Decimal | None = Field(description="The amount asked for, or the project's funding gap")
    currency: str
    stage: ProjectStage | None
    state: NeedState
    tags: list[str] = Field(description="Framework codes (focus areas and enablers)")

    @staticmethod
    def resolve_tags(obj: queries.NeedRow) -> list[str]:
        return sorted(node.code for node in obj.tags)

    synthetic: bool = Field(False, description=synthetic.API_FIELD)

    @staticmethod
    def resolve_stage(obj: queries.NeedRow) -> str | None:
        return obj.stage or None

    @staticmethod
    def resolve_synthetic(obj: queries.NeedRow) -> bool:
        return obj.need is not None and obj.need.synthetic


class NeedIn(Schema):
    city: str | None = Field(None, description="City slug (a city officer's token: its own city, the default)")
    title: str = Field(min_length=1, max_length=250)
    description: str = ""
    kind: SupportKind
    amount: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    currency: str = Field("", max_length=3, description="ISO 4217 code")
    stage: ProjectStage | None = None
    tags: list[str] = Field(default_factory=list, description="Framework codes of focus areas and enablers")
    publish: bool = Field(False, description="Share with partners at once (else a draft)")


class RateOut(Schema):
    currency: str
    units_per_usd: Decimal
    as_of: dt.date
    source: str


def _records(model: Any, key: str, values: list[str], field: str) -> list[Any]:
    found = list(model.objects.filter(**{f"{key}__in": values}))
    missing = sorted(set(values) - {getattr(r, key) for r in found})
    if missing:
        raise ValidationError({field: _("Unknown: %(values)s.") % {"values": ", ".join(missing)}})
    return found


def _write_args(payload: OfferWrite) -> tuple[dict[str, Any], dict[str, Any]]:
    """A request body as the offer's fields and its links (countries, cities, tags)."""
    data = payload.dict(exclude_unset=True, exclude={"partner", "publish"})
    links: dict[str, Any] = {}
    for name, model, key in (("countries", Country, "iso3"), ("cities", City, "slug"), ("tags", FrameworkNode, "code")):
        if name in data:
            values = data.pop(name)
            links[name] = _records(model, key, values or [], name)
    if "programme" in data:
        slug = data["programme"]
        data["programme"] = (Programme.objects.filter(slug=slug).first() or _unknown("programme", slug)
                             if slug else None)
    for name in ("instruments", "stages"):
        if name in data:
            data[name] = [str(v) for v in data[name] or []]
    if "currency" in data:
        data["currency"] = (data["currency"] or "").strip().upper()
    for name in ("description", "contact_role"):
        if name in data and data[name] is None:
            data[name] = ""
    return data, links


def _unknown(field: str, value: str) -> Any:
    raise ValidationError({field: _("Unknown value “%(value)s”.") % {"value": value}})


def _offer(request: ApiRequest, pk: int) -> Offer:
    return visible_or_404(queries.offers(caller(request)), _("No offer with the id %(id)s.") % {"id": pk}, pk=pk)


@router.get("/partnerships/programmes", response=list[ProgrammeOut], auth=optional_auth, summary="Programmes")
@paginate
def list_programmes(request: ApiRequest):
    """The partners' programmes and windows, with amounts as the sources state them."""
    return queries.programmes(caller(request))


@router.get("/partnerships/programmes/{slug}", response={200: ProgrammeOut, **ERROR_RESPONSES}, auth=optional_auth)
def get_programme(request: ApiRequest, slug: str):
    return visible_or_404(queries.programmes(caller(request)), _("No programme “%(slug)s”.") % {"slug": slug},
                          slug=slug)


@router.get("/partnerships/offers", response=list[OfferOut], auth=optional_auth, summary="Offers")
@paginate
def list_offers(request: ApiRequest, filters: Query[OfferQuery]):
    """Offers you may see: the public sees published offers of published partners; a partner's token its own
    drafts and closed offers too; the Secretariat all."""
    return queries.offers(caller(request), queries.OfferFilters(**filters.dict()))


@router.get("/partnerships/offers/{pk}", response={200: OfferOut, **ERROR_RESPONSES}, auth=optional_auth)
def get_offer(request: ApiRequest, pk: int):
    return _offer(request, pk)


@router.post("/partnerships/offers", response={201: OfferOut, **ERROR_RESPONSES}, auth=token_auth)
def create_offer(request: ApiRequest, payload: OfferIn):
    """A new offer of your organisation (the Secretariat names the partner), a draft unless `publish`."""
    partner_id = getattr(request.auth, "partner_id", None)
    partner = (Partner.objects.filter(slug=payload.partner).first() if payload.partner
               else Partner.objects.filter(pk=partner_id).first() if partner_id else None)
    if partner is None:
        raise ValidationError({"partner": _("Name the partner whose offer this is.")})
    data, links = _write_args(payload)
    offer = actions.create_offer(request.auth, partner, data, publish=payload.publish, via="api", **links)
    return Status(201, _offer(request, offer.pk))


@router.patch("/partnerships/offers/{pk}", response={200: OfferOut, **ERROR_RESPONSES}, auth=token_auth)
def update_offer(request: ApiRequest, pk: int, payload: OfferWrite):
    offer = visible_or_404(Offer.objects.visible_to(request.auth), _("No offer with the id %(id)s.") % {"id": pk},
                           pk=pk)
    data, links = _write_args(payload)
    actions.update_offer(request.auth, offer, data, via="api", **links)
    return _offer(request, pk)


@router.patch("/partnerships/offers/{pk}/state", response={200: OfferOut, **ERROR_RESPONSES}, auth=token_auth)
def move_offer(request: ApiRequest, pk: int, payload: StateIn):
    """Publish (refused when the deadline has passed) or close an offer; back to draft is not a step."""
    offer = visible_or_404(Offer.objects.visible_to(request.auth), _("No offer with the id %(id)s.") % {"id": pk},
                           pk=pk)
    if payload.state == OfferState.PUBLISHED:
        actions.publish_offer(request.auth, offer, via="api")
    elif payload.state == OfferState.CLOSED:
        actions.close_offer(request.auth, offer, via="api")
    else:
        raise ValidationError({"state": _("An offer does not go back to draft: close it instead.")})
    return _offer(request, pk)


@router.get("/partnerships/needs", response=list[NeedOut], auth=optional_auth, summary="City needs")
@paginate
def list_needs(request: ApiRequest, filters: Query[NeedQuery]):
    """Needs you may see: the needs cities state (published ones; a city's officers and its National
    Representative its drafts too) and the support needs of published projects, side by side."""
    return queries.needs(caller(request), queries.NeedFilters(**filters.dict()))


def _need(request: ApiRequest, key: str) -> queries.NeedRow:
    row = queries.need(caller(request), key)
    if row is None:
        raise Http404(_("No need “%(key)s”.") % {"key": key})
    return row


@router.get("/partnerships/needs/{key}", response={200: NeedOut, **ERROR_RESPONSES}, auth=optional_auth)
def get_need(request: ApiRequest, key: str):
    return _need(request, key)


@router.post("/partnerships/needs", response={201: NeedOut, **ERROR_RESPONSES}, auth=token_auth)
def create_need(request: ApiRequest, payload: NeedIn):
    """A new need of your city (the Secretariat names the city), a draft unless `publish`."""
    city_id = getattr(request.auth, "city_id", None)
    city = (City.objects.filter(slug=payload.city).first() if payload.city
            else City.objects.filter(pk=city_id).first() if city_id else None)
    if city is None:
        raise ValidationError({"city": _("Name the city whose need this is.")})
    data = payload.dict(exclude={"city", "tags", "publish"})
    data["kind"] = str(data["kind"])
    data["stage"] = str(data["stage"]) if data["stage"] else ""
    tags = _records(FrameworkNode, "code", payload.tags, "tags")
    need = actions.create_need(request.auth, city, data, tags=tags, publish=payload.publish, via="api")
    return Status(201, _need(request, need.key))


@router.get("/partnerships/rates", response=list[RateOut], auth=optional_auth, summary="Exchange rates")
@paginate
def list_rates(request: ApiRequest, currency: str | None = None):
    """The rate table (units of a currency per US dollar, with the date and the source), newest first per
    currency: the amounts' US dollar equivalents use the latest rate on or before the day."""
    rows = queries.rates(caller(request))
    return rows.filter(currency=currency.upper()) if currency else rows
