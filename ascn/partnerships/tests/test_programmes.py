"""The seeded programmes (fixtures/programmes.csv): exact counts and values, idempotent loading, and their pages in
English, Vietnamese and Thai with the US dollar equivalents the rate table gives (and none without a rate)."""

import datetime as dt
from decimal import Decimal

import pytest

from ascn.core.actions import seed_reference_data
from ascn.core.models import AuditEntry, ExchangeRate
from ascn.partnerships.models import Programme
from ascn.partnerships.seed import LOADERS

pytestmark = pytest.mark.django_db


def test_twelve_programmes_are_seeded_with_their_sources():
    assert Programme.objects.count() == 12
    assert all(p.source for p in Programme.objects.all())
    jamp = {p.slug: (p.amount, p.currency, p.instruments, sorted(p.partners.values_list("slug", flat=True)))
            for p in Programme.objects.filter(slug__startswith="smart-jamp")}
    assert jamp == {
        "smart-jamp-fs": (Decimal("1e9"), "JPY", ["grant"], ["japan-mlit", "smart-jamp"]),
        "smart-jamp-jbic": (Decimal("2e11"), "JPY", ["loan"], ["jbic", "smart-jamp"]),
        "smart-jamp-join": (Decimal("5e10"), "JPY", ["equity"], ["join", "smart-jamp"]),
    }
    twinning = Programme.objects.get(slug="ascn-twinning-2018")
    assert (twinning.kind, twinning.amount, list(twinning.partners.all()), twinning.amount_note,
            twinning.start_date, twinning.end_date) == (
        "twinning", None, [], "33 partnerships established in 2018", dt.date(2018, 7, 8), dt.date(2018, 12, 31))
    assert Programme.objects.get(slug="aasctf").currency == "AUD"


def test_seeding_again_changes_nothing():
    entries = AuditEntry.objects.count()
    counts = [loader.load() for loader in LOADERS]
    assert [(c.created, c.updated, c.unchanged) for c in counts] == [(0, 0, 12), (0, 0, 1)]  # programmes, surveys
    seed_reference_data()
    assert AuditEntry.objects.count() == entries
    assert Programme.objects.count() == 12


def test_no_rate_is_seeded():
    assert ExchangeRate.objects.count() == 0


def test_programme_list_page(client):
    page = client.get("/partnerships/programmes/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "12 programmes" in text
    assert "JPY 200,000,000,000" in text
    assert "Smart JAMP implementation loans (JBIC)" in text


def test_programme_page_says_no_rate_then_converts_with_the_rates_date(client):
    page = client.get("/partnerships/programmes/smart-jamp-jbic/").content.decode()
    assert "JPY 200,000,000,000" in page
    assert "no rate recorded for JPY" in page
    assert "As the source states it: up to JPY 200 billion" in page
    ExchangeRate.objects.create(currency="JPY", units_per_usd=Decimal("150"), as_of=dt.date(2025, 1, 2),
                                source="test")
    ExchangeRate.objects.create(currency="JPY", units_per_usd=Decimal("160"), as_of=dt.date(2999, 1, 2),
                                source="a future rate is not used")
    page = client.get("/partnerships/programmes/smart-jamp-jbic/").content.decode()
    assert "≈ USD 1,333,333,333.33 at the rate of Jan. 2, 2025" in page
    assert "no rate recorded" not in page
    listing = client.get("/partnerships/programmes/").content.decode()
    assert "≈ USD 1,333,333,333.33 at the rate of Jan. 2, 2025" in listing
    vietnamese = client.get("/vi/partnerships/programmes/smart-jamp-jbic/").content.decode()
    assert "1.333.333.333,33" in vietnamese and "2 tháng 1 năm 2025" in vietnamese  # the reader's date and numbers


def test_a_dollar_amount_needs_no_rate(client):
    page = client.get("/partnerships/programmes/usascp/").content.decode()
    assert "USD 10,000,000" in page
    assert "no rate recorded" not in page


def test_the_twinning_round_is_the_networks_own(client):
    page = client.get("/partnerships/programmes/ascn-twinning-2018/").content.decode()
    assert "The network's own programme" in page
    assert "No amount stated" in page


@pytest.mark.parametrize(("language", "words"), [("vi", "Smart JAMP"), ("th", "Smart JAMP")])
def test_programme_pages_in_vietnamese_and_thai(client, language, words):
    for url in ("/partnerships/programmes/", "/partnerships/programmes/smart-jamp-jbic/", "/partnerships/offers/",
                "/partnerships/partners/jica/"):
        page = client.get(f"/{language}{url}")
        assert page.status_code == 200, url
        assert f'lang="{language}"' in page.content.decode()
    assert words in client.get(f"/{language}/partnerships/programmes/").content.decode()


def test_a_missing_programme_is_404(client):
    assert client.get("/partnerships/programmes/no-such-programme/").status_code == 404
