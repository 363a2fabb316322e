"""The standard tests (ascn.core.testing.bases) of programmes, offers and the partners' pages.

Programmes are public reference data, the Secretariat's to change. Offers: the public (and every account outside
the organisation) sees the published offers of published partners; a partner sees and changes its own
organisation's offers, drafts included; the Secretariat all. The offer made in a scope is JICA's in OWN and
OWN_DRAFT, ADB's in FOREIGN and UNDP's in FOREIGN_DRAFT (a draft)."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from ascn.core.testing.bases import (
    FOREIGN,
    FOREIGN_DRAFT,
    OWN,
    OWN_DRAFT,
    ListApi,
    ListPage,
    ModelCase,
    Scope,
    Write,
    every_role,
    standard_tests,
)
from ascn.framework.models import FrameworkTag
from ascn.network.models import Partner
from ascn.partnerships.models import Offer, Programme

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count()
EVERYONE_BUT_THE_SECRETARIAT = ("anonymous", "none", "partner", "csco", "nr")


# --- Programmes -----------------------------------------------------------------------------------------


def make_programme(scope: Scope, n: int) -> Programme:
    number = next(NUMBERS)
    programme = Programme.objects.create(slug=f"zeta-{number}", name=f"Zeta {number}", kind="financing",
                                         amount=Decimal("1000000"), currency="USD", source="S5")
    programme.partners.set([Partner.objects.get(slug=scope.partner)])
    return programme


PROGRAMME = ModelCase(
    name="programme", model=Programme, key="slug", make=make_programme, scopes=(OWN, FOREIGN),
    visible=every_role("own", "foreign"), editable={"secretariat": {"own", "foreign"}},
    list_page=ListPage("/partnerships/programmes/", per_page=20, max_queries=5),
    list_api=ListApi("/partnerships/programmes", max_queries=4),
    detail_page=lambda programme: f"/partnerships/programmes/{programme.slug}/",
    detail_api=lambda programme: f"/partnerships/programmes/{programme.slug}",
)
globals().update(standard_tests(PROGRAMME))


# --- Offers ---------------------------------------------------------------------------------------------


def make_offer(scope: Scope, n: int) -> Offer:
    number = next(NUMBERS)
    return Offer.objects.create(partner=Partner.objects.get(slug=scope.partner), title=f"Zeta {number}",
                                kind="technical_assistance", ticket_min=Decimal(1000), ticket_max=Decimal(5000),
                                currency="JPY", state="published" if scope.published else "draft")


def offer_form(offer: Offer, **changes: str) -> dict[str, str]:
    """The edit form as a browser posts it, with `changes`."""
    form = {"title": offer.title, "kind": offer.kind, "description": offer.description, "programme": "",
            "ticket_min": str(offer.ticket_min or ""), "ticket_max": str(offer.ticket_max or ""),
            "currency": offer.currency, "deadline": "", "contact_role": offer.contact_role}
    form.update(changes)
    return form


EVERY_OFFER = {"own", "own_draft", "foreign", "foreign_draft"}
PARTNER_WRITES = {"secretariat", "partner"}

OFFER = ModelCase(
    name="offer", model=Offer, key="id", make=make_offer, scopes=(OWN, OWN_DRAFT, FOREIGN, FOREIGN_DRAFT), missing=999_999,
    visible={**every_role("own", "foreign"), "partner": {"own", "own_draft", "foreign"}, "secretariat": EVERY_OFFER},
    editable={"partner": {"own", "own_draft"}, "secretariat": EVERY_OFFER},
    list_page=ListPage("/partnerships/offers/", per_page=20, max_queries=9),
    list_api=ListApi("/partnerships/offers", max_queries=6, role="secretariat"),
    detail_page=lambda offer: f"/partnerships/offers/{offer.pk}/",
    detail_api=lambda offer: f"/partnerships/offers/{offer.pk}",
    tables=(FrameworkTag,),
    writes=(
        Write("create", "api", "/partnerships/offers", data={"partner": "jica", "title": "Mobility studies",
                                                             "kind": "technical_assistance", "currency": "JPY",
                                                             "ticket_min": "1000000", "instruments": ["grant"]},
              allowed=PARTNER_WRITES, returns={"title": "Mobility studies", "state": "draft", "partner": "jica"},
              stored={"title": "Mobility studies", "partner__slug": "jica", "state": "draft",
                      "ticket_min": Decimal(1000000), "instruments": ["grant"]}),
        Write("update", "api", lambda offer: f"/partnerships/offers/{offer.pk}", scope=OWN_DRAFT,
              data={"ticket_max": "9000", "deadline": "2999-01-31"}, allowed=PARTNER_WRITES,
              refused={"anonymous": 401, "none": 404, "csco": 404, "nr": 404},
              stored={"ticket_max": Decimal(9000), "deadline": dt.date(2999, 1, 31)},
              changes={"ticket_max": ["5000.00", "9000.00"], "deadline": [None, "2999-01-31"]}),
        Write("update", "api", lambda offer: f"/partnerships/offers/{offer.pk}", scope=FOREIGN, name="api_update_foreign",
              data={"title": "Taken over"}, stored={"title": "Taken over"}),
        Write("update", "api", lambda offer: f"/partnerships/offers/{offer.pk}/state", scope=OWN_DRAFT,
              name="api_publish_own_draft", data={"state": "published"}, allowed=PARTNER_WRITES,
              refused={"anonymous": 401, "none": 404, "csco": 404, "nr": 404}, stored={"state": "published"},
              changes={"state": ["draft", "published"]}),
        Write("create", "page", "/workspace/offers/new/?partner=jica",
              data={"title": "Twinning visits", "kind": "twinning", "currency": ""}, allowed=PARTNER_WRITES,
              stored={"title": "Twinning visits", "partner__slug": "jica", "state": "draft", "currency": ""}),
        Write("update", "page", lambda offer: f"/workspace/offers/{offer.pk}/edit/", scope=OWN,
              data=lambda offer: offer_form(offer, contact_role="Urban Development Department"),
              allowed=PARTNER_WRITES, stored={"contact_role": "Urban Development Department"},
              changes={"contact_role": ["", "Urban Development Department"]}),
    ),
)
globals().update(standard_tests(OFFER))


# --- Partners' public pages and profiles ----------------------------------------------------------------


def make_partner(scope: Scope, n: int) -> Partner:
    if n == 0:
        Partner.objects.filter(slug=scope.partner).update(is_published=scope.published)
        return Partner.objects.get(slug=scope.partner)
    number = next(NUMBERS)
    return Partner.objects.create(slug=f"zeta-{number}", name=f"Zeta {number}", kind="agency",
                                  is_published=scope.published)


PARTNER_PAGE = ModelCase(
    name="partner_page", model=Partner, key="slug", make=make_partner, scopes=(OWN_DRAFT, FOREIGN, FOREIGN_DRAFT),
    visible={**every_role("foreign"), "partner": {"own_draft", "foreign"},
             "secretariat": {"own_draft", "foreign", "foreign_draft"}},
    editable={"partner": {"own_draft"}, "secretariat": {"own_draft", "foreign", "foreign_draft"}},
    detail_page=lambda partner: f"/partnerships/partners/{partner.slug}/",
    tables=(FrameworkTag,),
    writes=(
        Write("update", "page", lambda partner: f"/partnerships/partners/{partner.slug}/edit/", scope=OWN,
              data=lambda partner: {"name": partner.name, "country_iso3": "JPN", "notes": "Loans and studies."},
              allowed=PARTNER_WRITES, stored={"notes": "Loans and studies.", "country_iso3": "JPN"}),
        Write("update", "page", "/workspace/organisation/", scope=OWN, name="page_update_organisation",
              data={"country_iso3": "JPN", "notes": "Technical cooperation."}, allowed={"partner"},
              stored={"notes": "Technical cooperation."}, roles=("partner", "none", "csco", "nr")),
    ),
)
globals().update(standard_tests(PARTNER_PAGE))
