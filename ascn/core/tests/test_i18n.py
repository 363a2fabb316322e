"""The Vietnamese and Thai catalogues are complete, and translated pages and data really show."""

import datetime as dt
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format

LOCALE = Path(settings.BASE_DIR) / "ascn" / "locale"


@pytest.mark.parametrize("lang", ["vi", "th"])
def test_catalogue_is_complete(lang):
    with (LOCALE / lang / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = [m.id for m in catalogue if m.id and not all(m.string if isinstance(m.string, tuple)
                                                                else [m.string])]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue) > 250


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "title", "country", "focus_area"), [
    ("vi", "Khung Đô thị thông minh ASEAN", "Việt Nam", "Công dân và xã hội"),
    ("th", "กรอบการพัฒนาเมืองอัจฉริยะอาเซียน", "เวียดนาม", "พลเมืองและสังคม"),
])
def test_pages_show_translated_interface_and_data(client, lang, title, country, focus_area):
    framework = client.get(f"/{lang}/framework/").content.decode()
    assert f"<h1>{title}</h1>" in framework
    names = [n.display_name for n in client.get(f"/{lang}/framework/").context["framework"].focus_areas]
    assert names[0] == focus_area
    assert country in client.get(f"/{lang}/countries/VNM/").content.decode()


@pytest.mark.django_db
def test_vietnamese_dates_read_once_inside_a_sentence(client):
    """A Vietnamese sentence gives its own "ngày" before a date: the date is "30 tháng 9 năm 2025", never
    "Ngày 30 …", so no page reads "ngày Ngày"."""
    with translation.override("vi"):
        assert date_format(dt.date(2025, 9, 30), "DATE_FORMAT") == "30 tháng 9 năm 2025"
        moment = dt.datetime(2025, 9, 30, 14, 5)
        assert date_format(moment, "DATETIME_FORMAT") == "14:05, 30 tháng 9 năm 2025"
    page = client.get("/vi/monitoring/reports/2025/").content.decode()
    assert "(tính đến ngày 30 tháng 9 năm 2025)" in page
    for path in ("/vi/monitoring/reports/", "/vi/monitoring/rounds/2025/", "/vi/monitoring/trends/", "/vi/cities/da-nang/"):
        assert "ngày ngày" not in client.get(path).content.decode().lower(), path
