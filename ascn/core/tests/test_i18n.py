"""The Vietnamese and Thai catalogues are complete, and translated pages and data really show."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

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
