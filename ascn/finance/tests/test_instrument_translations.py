"""The Vietnamese and Thai texts of the financing instruments (fixtures/instruments_i18n.csv)."""

import pytest
from django.utils import translation

from ascn.core.actions import seed_reference_data
from ascn.core.seeding import SeedError
from ascn.finance import seed as finance_seed
from ascn.finance.models import FinancingInstrument

pytestmark = pytest.mark.django_db

VI_NAME = "Trái phiếu chính quyền địa phương"
TH_NAME = "พันธบัตรท้องถิ่น"


def test_every_instrument_has_vietnamese_and_thai_name_and_summary():
    instruments = list(FinancingInstrument.objects.all())
    assert len(instruments) == 13
    for instrument in instruments:
        for lang in ("vi", "th"):
            texts = instrument.i18n.get(lang, {})
            assert texts.get("name") and texts.get("summary"), (instrument.slug, lang)
            assert texts["name"] != instrument.name and texts["summary"] != instrument.summary
    bond = FinancingInstrument.objects.get(slug="municipal-bond")
    assert (bond.i18n["vi"]["name"], bond.i18n["th"]["name"]) == (VI_NAME, TH_NAME)


def test_translations_keep_amounts_and_names():
    dfi = FinancingInstrument.objects.get(slug="dfi-equity-guarantee")
    for lang in ("vi", "th"):
        summary = dfi.i18n[lang]["summary"]
        assert all(term in summary for term in ("Smart JAMP", "JBIC", "JOIN", "200", "50", "JPY"))
    grant = FinancingInstrument.objects.get(slug="grant-trust-fund")
    assert all(term in grant.i18n["th"]["summary"] for term in ("AASCTF", "20", "AUD", "ADB"))


def test_translated_follows_the_active_language_and_english_stays_the_default():
    bond = FinancingInstrument.objects.get(slug="municipal-bond")
    assert bond.translated("summary") == bond.summary
    assert bond.display_name == "Municipal bond"
    with translation.override("vi"):
        assert bond.translated("summary") == bond.i18n["vi"]["summary"]
        assert bond.translated("summary").startswith("Thành phố vay vốn")
        assert bond.display_name == VI_NAME
    with translation.override("th"):
        assert bond.display_name == TH_NAME
    assert bond.translated("summary") == bond.summary


def test_the_vietnamese_instrument_page_shows_the_vietnamese_texts(client):
    bond = FinancingInstrument.objects.get(slug="municipal-bond")
    page = client.get("/vi/financing/instruments/municipal-bond/")
    assert page.status_code == 200
    html = page.content.decode()
    assert VI_NAME in html and bond.i18n["vi"]["summary"] in html
    english = client.get("/financing/instruments/municipal-bond/").content.decode()
    assert "Municipal bond" in english and VI_NAME not in english


def test_seeding_again_leaves_the_translations_untouched():
    before = FinancingInstrument.objects.get(slug="municipal-bond")
    seed_reference_data()
    counts = {c.label: c for c in seed_reference_data()}
    assert counts["financing instruments"].changed == 0
    after = FinancingInstrument.objects.get(slug="municipal-bond")
    assert (after.i18n, after.updated_at) == (before.i18n, before.updated_at)


@pytest.mark.parametrize(("extra_row", "message"), [
    ("no-such-instrument,vi,Tên,,,,,\n", "slug 'no-such-instrument' is not in instruments.csv"),
    ("municipal-bond,lo,Name,,,,,\n", "lang 'lo' is not one of vi, th"),
])
def test_a_bad_translation_row_stops_the_load(tmp_path, monkeypatch, extra_row, message):
    target = tmp_path / "instruments_i18n.csv"
    target.write_text(finance_seed.TRANSLATIONS.read_text(encoding="utf-8") + extra_row, encoding="utf-8")
    monkeypatch.setattr(finance_seed, "TRANSLATIONS", target)
    with pytest.raises(SeedError) as excinfo:
        finance_seed.LOADERS[0].load()
    assert f"instruments_i18n.csv, line 28: {message}" in str(excinfo.value)
