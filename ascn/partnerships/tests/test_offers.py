"""Offers: the actions' checks (each refusal names its field and changes nothing), the workspace pages of a partner,
the public list's filters and the partner's profile."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ascn.core.models import AuditEntry
from ascn.framework.models import FrameworkNode, FrameworkTag
from ascn.network.models import City, Country, Partner
from ascn.partnerships.actions import offers as actions
from ascn.partnerships.models import Offer, Programme

pytestmark = pytest.mark.django_db

BASE = {"title": "Feasibility studies", "kind": "technical_assistance"}


def state() -> tuple:
    """What a refused write must leave as it was."""
    return (list(Offer.objects.values()), list(FrameworkTag.objects.values_list("pk", flat=True)),
            AuditEntry.objects.count(), list(Partner.objects.values()))


@pytest.fixture
def jica():
    return Partner.objects.get(slug="jica")


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"ticket_min": Decimal(10), "ticket_max": Decimal(5), "currency": "JPY"}, "ticket_min",
     "The smallest ticket is above the largest."),
    ({"ticket_min": Decimal(10), "currency": "XYZ"}, "currency", "“XYZ” is not an ISO 4217 currency code."),
    ({"ticket_max": Decimal(10)}, "currency", "Give the currency of the ticket sizes."),
    ({"instruments": ["gift"]}, "instruments", "Unknown value “gift” (known: grant, loan, equity)."),
    ({"stages": ["dreaming"]}, "stages",
     "Unknown value “dreaming” (known: concept, pre_feasibility, feasibility, procurement, implementation, operation)."),
])
def test_a_bad_offer_is_refused_by_field_and_nothing_is_written(partner_jica, jica, data, field, message):
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.create_offer(partner_jica, jica, {**BASE, **data})
    assert refused.value.message_dict == {field: [message]}
    assert state() == before


def test_a_programme_of_another_partner_is_refused(partner_jica, jica):
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.create_offer(partner_jica, jica, {**BASE, "programme": Programme.objects.get(slug="smart-jamp-jbic")})
    assert refused.value.message_dict == {"programme": ["Choose one of the partner's own programmes."]}
    assert state() == before


def test_an_offer_under_its_partners_programme(secretariat):
    jbic = Partner.objects.get(slug="jbic")
    offer = actions.create_offer(secretariat, jbic, {**BASE, "programme": Programme.objects.get(slug="smart-jamp-jbic")})
    assert (offer.partner.slug, offer.programme.slug, offer.state) == ("jbic", "smart-jamp-jbic", "draft")


def test_a_past_deadline_is_refused_on_publishing(partner_jica, jica):
    offer = actions.create_offer(partner_jica, jica, {**BASE, "deadline": dt.date(2020, 1, 31)})
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.publish_offer(partner_jica, offer)
    assert refused.value.message_dict == {
        "deadline": ["The deadline has passed: give a later one to publish the offer."]}
    assert state() == before
    with pytest.raises(ValidationError):
        actions.create_offer(partner_jica, jica, {**BASE, "deadline": dt.date(2020, 1, 31)}, publish=True)
    assert state() == before
    assert actions.update_offer(partner_jica, offer, {"deadline": dt.date(2999, 1, 31)}) == {
        "deadline": ["2020-01-31", "2999-01-31"]}
    assert actions.publish_offer(partner_jica, offer) == {"state": ["draft", "published"]}
    before = state()
    with pytest.raises(ValidationError):
        actions.update_offer(partner_jica, Offer.objects.get(pk=offer.pk), {"deadline": dt.date(2021, 1, 1)})
    assert state() == before


def test_a_partner_may_not_write_another_partners_offers(partner_jica, csco_danang, jica):
    adb = Partner.objects.get(slug="adb")
    before = state()
    with pytest.raises(PermissionDenied):
        actions.create_offer(partner_jica, adb, BASE)
    with pytest.raises(PermissionDenied):
        actions.create_offer(csco_danang, jica, BASE)
    assert state() == before


def test_one_audit_entry_records_fields_and_links(partner_jica, jica):
    viet_nam = Country.objects.get(iso3="VNM")
    bangkok = City.objects.get(slug="bangkok")
    tags = list(FrameworkNode.objects.filter(code__in=["built_infrastructure", "partnership_funding"]))
    offer = actions.create_offer(partner_jica, jica, {**BASE, "ticket_min": Decimal("1e6"), "currency": "JPY"},
                                 countries=[viet_nam], cities=[bangkok], tags=tags)
    entries = list(AuditEntry.objects.filter(object_id=str(offer.pk), content_type__model="offer"))
    assert len(entries) == 1
    changes = entries[0].changes
    assert (changes["countries"], changes["cities"], changes["tags"], changes["ticket_min"]) == (
        [[], ["VNM"]], [[], ["bangkok"]], [[], ["built_infrastructure", "partnership_funding"]], [None, "1000000.00"])
    assert actions.update_offer(partner_jica, offer, {"title": BASE["title"]}, countries=[viet_nam]) == {}


def test_a_tag_must_be_a_focus_area_or_an_enabler(partner_jica, jica):
    outcome = FrameworkNode.objects.filter(kind="outcome").first()
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.create_offer(partner_jica, jica, BASE, tags=[outcome])
    assert refused.value.message_dict == {"tags": ["Choose among the focus areas and enablers."]}
    assert state() == before


# --- Pages ----------------------------------------------------------------------------------------------


def form(**changes: str) -> dict[str, str]:
    data = {"title": "Mobility studies", "kind": "technical_assistance", "description": "Studies.",
            "programme": "", "ticket_min": "", "ticket_max": "", "currency": "", "deadline": "", "contact_role": ""}
    data.update(changes)
    return data


def test_the_form_keeps_what_was_typed_and_shows_the_error_beside_the_field(client, partner_jica):
    client.force_login(partner_jica)
    before = state()
    page = client.post("/workspace/offers/new/", form(ticket_min="5000000", ticket_max="1000000", currency="JPY",
                                                     contact_role="Urban Development Department"))
    text = page.content.decode()
    assert page.status_code == 422
    assert 'id="id_ticket_min_error" role="alert">The smallest ticket is above the largest.</small>' in text
    assert 'value="Mobility studies"' in text and 'value="Urban Development Department"' in text
    assert 'value="5000000"' in text and 'value="1000000"' in text
    assert "Nothing was saved: correct the fields marked below." in text
    assert state() == before


def test_a_partner_creates_publishes_and_closes_its_offer(client, partner_jica):
    client.force_login(partner_jica)
    answer = client.post("/workspace/offers/new/", form(ticket_min="1000000", ticket_max="5000000", currency="jpy",
                                                       instruments=["grant"], stages=["feasibility"],
                                                       countries=[Country.objects.get(iso3="VNM").pk]))
    offer = Offer.objects.get(title="Mobility studies")
    assert answer.status_code == 302 and answer["Location"] == f"/partnerships/offers/{offer.pk}/"
    assert (offer.partner.slug, offer.state, offer.currency, offer.ticket_max, offer.instruments, offer.stages) == (
        "jica", "draft", "JPY", Decimal(5000000), ["grant"], ["feasibility"])
    assert client.get("/partnerships/offers/").content.decode().count("Mobility studies") == 1
    client.logout()
    assert "Mobility studies" not in client.get("/partnerships/offers/").content.decode()
    assert client.get(f"/partnerships/offers/{offer.pk}/").status_code == 404
    client.force_login(partner_jica)
    assert client.post(f"/workspace/offers/{offer.pk}/publish/").status_code == 302
    client.logout()
    page = client.get(f"/partnerships/offers/{offer.pk}/").content.decode()
    assert "JPY 1,000,000 \u2013 5,000,000" in page
    assert "no rate recorded for JPY" in page
    assert "Viet Nam" in page
    client.force_login(partner_jica)
    assert client.post(f"/workspace/offers/{offer.pk}/close/").status_code == 302
    assert Offer.objects.get(pk=offer.pk).state == "closed"
    client.logout()
    assert client.get(f"/partnerships/offers/{offer.pk}/").status_code == 404


def test_publishing_after_the_deadline_says_why(client, partner_jica, jica):
    offer = actions.create_offer(partner_jica, jica, {**BASE, "deadline": dt.date(2020, 1, 31)})
    client.force_login(partner_jica)
    page = client.post(f"/workspace/offers/{offer.pk}/publish/", follow=True).content.decode()
    assert "The deadline has passed: give a later one to publish the offer." in page
    assert Offer.objects.get(pk=offer.pk).state == "draft"


def test_the_workspace_lists_the_partners_own_offers(client, partner_jica, jica):
    actions.create_offer(partner_jica, jica, {**BASE, "title": "Ours"})
    Offer.objects.create(partner=Partner.objects.get(slug="adb"), title="Theirs", kind="financing")
    client.force_login(partner_jica)
    page = client.get("/workspace/offers/").content.decode()
    assert "Ours" in page and "Theirs" not in page
    assert "1 draft, 0 published, 0 closed" in page
    dashboard = client.get("/workspace/").content.decode()
    assert "Your offers" in dashboard and "Edit your organisation" in dashboard
    assert 'href="/workspace/organisation/"' in dashboard


def test_only_partners_and_the_secretariat_keep_offers(client, csco_danang, secretariat):
    client.force_login(csco_danang)
    assert client.get("/workspace/offers/").status_code == 403
    assert client.get("/workspace/organisation/").status_code == 403
    client.force_login(secretariat)
    assert client.get("/workspace/offers/").status_code == 200
    assert client.get("/workspace/organisation/")["Location"] == "/partnerships/partners/"
    dashboard = client.get("/workspace/").content.decode()
    assert "0 published offers" in dashboard and "12 programmes" in dashboard


def test_the_public_list_filters(client, secretariat):
    jica, adb = Partner.objects.get(slug="jica"), Partner.objects.get(slug="adb")
    mobility = FrameworkNode.objects.get(code="built_infrastructure")
    actions.create_offer(secretariat, jica, {**BASE, "title": "Everywhere"}, publish=True)
    actions.create_offer(secretariat, adb, {**BASE, "title": "Thai loans", "kind": "financing"},
                         countries=[Country.objects.get(iso3="THA")], tags=[mobility], publish=True)
    actions.create_offer(secretariat, adb, {**BASE, "title": "Da Nang only"},
                         cities=[City.objects.get(slug="da-nang")], publish=True)
    actions.create_offer(secretariat, adb, {**BASE, "title": "A draft"})

    def titles(query: str) -> list[str]:
        page = client.get(f"/partnerships/offers/?{query}")
        assert page.status_code == 200
        return sorted(offer.title for offer in page.context["page"].object_list)

    assert titles("") == ["Da Nang only", "Everywhere", "Thai loans"]
    assert titles("country=VNM") == ["Da Nang only", "Everywhere"]
    assert titles("country=THA") == ["Everywhere", "Thai loans"]
    assert titles("kind=financing") == ["Thai loans"]
    assert titles("focus_area=built_infrastructure") == ["Thai loans"]
    assert titles("partner=jica") == ["Everywhere"]
    assert titles("q=thai") == ["Thai loans"]
    refused = client.get("/partnerships/offers/?kind=gift")
    assert refused.status_code == 422
    assert "kind:" in refused.content.decode()


# --- The partner's profile ------------------------------------------------------------------------------


def test_a_partner_edits_its_profile_but_not_its_name(client, partner_jica, jica):
    client.force_login(partner_jica)
    page = client.get("/workspace/organisation/").content.decode()
    assert 'name="name"' not in page
    assert "The organisation's name is changed by the ASEAN Secretariat." in page.replace("&#x27;", "'")
    answer = client.post("/workspace/organisation/", {"name": "Renamed", "country_iso3": "jpn", "notes": "Studies.",
                                                      "tags": [FrameworkNode.objects.get(code="partnership_funding").pk]})
    assert answer.status_code == 302 and answer["Location"] == "/partnerships/partners/jica/"
    jica.refresh_from_db()
    assert (jica.name, jica.country_iso3, jica.notes) == ("Japan International Cooperation Agency (JICA)", "JPN",
                                                          "Studies.")
    page = client.get("/partnerships/partners/jica/").content.decode()
    assert "Studies." in page and "Partnership and Funding" in page
    before = state()
    with pytest.raises(PermissionDenied):
        actions.update_partner_profile(partner_jica, jica, {"name": "Renamed"})
    assert state() == before


def test_the_secretariat_renames_a_partner(client, secretariat):
    client.force_login(secretariat)
    answer = client.post("/partnerships/partners/adb/edit/", {"name": "ADB", "country_iso3": "", "notes": ""})
    assert answer.status_code == 302
    assert Partner.objects.get(slug="adb").name == "ADB"
