"""Membership over time, offices, chairs and Shepherd terms."""

import csv
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ascn.network import actions, queries
from ascn.network.models import City, CityMembership, Country, RoleTerm, ShepherdTerm

pytestmark = pytest.mark.django_db
# The tests taking `reference_dir` compare with the shared reference files (ascn/core/testing/reference.py: the
# folder named by ASCN_REFERENCE_DIR, by default ../shared/reference beside the checkout).


@pytest.mark.parametrize(("date", "cities"), [
    (dt.date(2018, 4, 27), 0),
    (dt.date(2018, 4, 28), 26),
    (dt.date(2020, 1, 1), 26),
    (dt.date(2023, 7, 11), 26),
    (dt.date(2023, 7, 12), 29),
    (dt.date(2024, 12, 31), 31),
    (dt.date(2025, 9, 30), 35),
    (dt.date(2025, 12, 31), 37),
    (dt.date(2026, 1, 31), 38),
])
def test_network_size_as_of(date, cities):
    """Matches the published counts: 26 pilots (2018), 29 (Jul 2023), 31 (2024), 35 (S8, Sep 2025), 38 (Jan 2026)."""
    assert City.objects.as_of(date).count() == cities
    assert queries.cities(None, queries.CityFilters(as_of=date)).count() == cities


def test_as_of_respects_a_city_leaving_and_rejoining(secretariat):
    yangon = City.objects.get(slug="yangon")
    membership = yangon.memberships.get()
    actions.update_membership(secretariat, membership, {"left_on": dt.date(2021, 2, 1)})
    actions.add_membership(secretariat, yangon, {"joined_on": dt.date(2024, 1, 1), "basis": "test"})
    assert not City.objects.as_of(dt.date(2022, 1, 1)).filter(slug="yangon").exists()
    assert City.objects.as_of(dt.date(2021, 1, 31)).filter(slug="yangon").exists()
    assert City.objects.as_of(dt.date(2024, 1, 1)).filter(slug="yangon").exists()
    assert City.objects.as_of(dt.date(2022, 1, 1)).count() == 25


def test_overlapping_memberships_are_refused(secretariat):
    hanoi = City.objects.get(slug="ha-noi")
    with pytest.raises(ValidationError) as excinfo:
        actions.add_membership(secretariat, hanoi, {"joined_on": dt.date(2020, 1, 1)})
    assert excinfo.value.message_dict == {"joined_on": ["This membership overlaps another of the same city."]}
    assert hanoi.memberships.count() == 1


def test_left_before_joined_is_refused(secretariat):
    membership = CityMembership.objects.get(city__slug="ha-noi")
    with pytest.raises(ValidationError) as excinfo:
        actions.update_membership(secretariat, membership, {"left_on": dt.date(2018, 1, 1)})
    assert excinfo.value.message_dict["left_on"] == ["The date left must be after the date joined."]


def test_join_years_match_the_reference(reference_dir):
    with (reference_dir / "cities.csv").open(encoding="utf-8") as handle:
        expected = {row["slug"]: int(row["joined_year"]) for row in csv.DictReader(handle)}
    actual = {c.slug: c.first_joined_on.year for c in queries.cities(None)}
    assert actual == expected


def test_search_folds_vietnamese_and_matches_aliases():
    def slugs(text):
        return sorted(queries.cities(None, queries.CityFilters(q=text)).values_list("slug", flat=True))

    assert slugs("Đà Nẵng") == ["da-nang"]
    assert slugs("da nang") == ["da-nang"]
    assert slugs("hanoi") == ["ha-noi"]
    assert slugs("Hà Nội") == ["ha-noi"]
    assert slugs("กรุงเทพ") == ["bangkok"]
    assert slugs("Chon Buri") == ["chonburi"]
    assert slugs("zzz") == []


def test_offices_of_a_city_and_country():
    today = dt.date(2026, 1, 31)
    bsb = City.objects.get(slug="bandar-seri-begawan")
    terms = queries.current_terms(bsb.role_terms.select_related("person"), today)
    assert sorted((t.role, t.person.position) for t in terms) == [
        ("csco_alternate", "Head of Smart Nation Office"),
        ("csco_alternate", "Head of Technology and Innovation Division"),
    ]
    nr = RoleTerm.objects.get(role="nr", country__iso3="VNM")
    assert (nr.person.position, nr.person.agency) == ("", "Ministry of Construction")


def test_a_term_that_ended_is_not_current(secretariat):
    term = RoleTerm.objects.get(role="csco", city__slug="bangkok")
    actions.update_role_term(secretariat, term, {}, {"starts_on": dt.date(2024, 1, 1), "ends_on": dt.date(2026, 3, 1)})
    assert RoleTerm.objects.current(dt.date(2026, 2, 28)).filter(pk=term.pk).exists()
    assert not RoleTerm.objects.current(dt.date(2026, 3, 1)).filter(pk=term.pk).exists()
    assert not RoleTerm.objects.current(dt.date(2023, 12, 31)).filter(pk=term.pk).exists()


def test_office_scope_must_match_role(secretariat):
    thailand = Country.objects.get(iso3="THA")
    bangkok = City.objects.get(slug="bangkok")
    with pytest.raises(ValidationError) as excinfo:
        actions.create_role_term(secretariat, {"agency": "X"}, {"role": "csco", "country": thailand})
    assert excinfo.value.message_dict == {"city": ["A CSCO's term needs a city."]}
    with pytest.raises(ValidationError) as excinfo:
        actions.create_role_term(secretariat, {"agency": "X"}, {"role": "nr", "country": thailand, "city": bangkok})
    assert excinfo.value.message_dict == {"city": ["A National Representative's term has no city."]}
    assert RoleTerm.objects.count() == 50


def test_nr_records_a_csco_of_own_country(nr_vietnam):
    hanoi = City.objects.get(slug="ha-noi")
    term = actions.create_role_term(nr_vietnam, {"agency": "Ha Noi People's Committee", "position": "Vice Chair"},
                                    {"role": "csco_alternate", "city": hanoi, "starts_on": dt.date(2026, 2, 1)})
    assert (term.country.iso3, term.city.slug, term.person.key) == ("VNM", "ha-noi", "csco-alternate-ha-noi")


def test_chair_timeline_matches_the_reference_shepherds(reference_dir):
    with (reference_dir / "chairs.csv").open(encoding="utf-8") as handle:
        expected = {int(r["year"]): (r["chair_country_iso3"], r["shepherd_country_iso3"] or None)
                    for r in csv.DictReader(handle)}
    timeline = queries.chair_timeline(None)
    actual = {row.chairmanship.year: (row.chairmanship.country.iso3, row.shepherd.country.iso3 if row.shepherd else None)
              for row in timeline}
    assert actual == expected


def test_shepherd_terms_are_two_years_and_renewals_are_marked():
    terms = queries.shepherd_terms(None)
    assert [(t.country.iso3, t.starts_on.year, t.planned_end_year, t.renews) for t in terms] == [
        ("SGP", 2019, 2021, False), ("SGP", 2021, 2023, True), ("IDN", 2023, 2025, False), ("IDN", 2025, 2027, True),
    ]


def test_shepherd_terms_cannot_overlap_or_run_three_years():
    term = ShepherdTerm(country=Country.objects.get(iso3="THA"), starts_on=dt.date(2024, 1, 1), planned_end_year=2027)
    with pytest.raises(ValidationError) as excinfo:
        term.full_clean()
    assert excinfo.value.message_dict == {
        "planned_end_year": ["A Shepherd term lasts two years: it ends in the start year plus two."],
        "starts_on": ["This term overlaps another Shepherd term."],
    }


def test_glance_on_a_given_day():
    glance = queries.glance(None, dt.date(2026, 11, 23))
    assert (glance.country_count, glance.city_count, glance.pilot_count) == (11, 38, 26)
    assert glance.chair.country.iso3 == "PHL"
    assert glance.shepherd.country.iso3 == "IDN"
    early = queries.glance(None, dt.date(2019, 1, 1))
    assert (early.country_count, early.city_count, early.chair.country.iso3, early.shepherd) == (10, 26, "THA", None)
