"""The indicators' Vietnamese and Thai names and labels (fixtures/indicator_translations.csv and
indicator_labels.csv), and that every seeded translatable record carries both languages."""

from __future__ import annotations

import csv

import pytest

from ascn.core.seeding import SeedError, fixture
from ascn.framework.models import FrameworkNode
from ascn.monitoring import seed
from ascn.monitoring.models import Indicator
from ascn.network.models import Country

pytestmark = pytest.mark.django_db

LANGS = ("vi", "th")


def rows(name: str) -> list[dict[str, str]]:
    with fixture("ascn.monitoring", name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_seeded_indicator_has_its_name_and_labels_in_vietnamese_and_thai():
    indicators = list(Indicator.objects.all())
    assert len(indicators) == 93  # the 91 U4SSC KPIs and the network's population and land area
    missing = []
    for item in indicators:
        for lang in LANGS:
            texts = item.i18n.get(lang) or {}
            if not texts.get("name") or texts["name"] == item.name:
                missing.append((item.code, lang, "name"))
            missing += [(item.code, lang, field) for field in seed.LABEL_FIELDS
                        if getattr(item, field) and not texts.get(field)]
    assert missing == []


def test_examples_of_the_seeded_translations():
    internet = Indicator.objects.get(code="EC: ICT: ICT: 1C")
    assert internet.i18n == {
        "vi": {"name": "Hộ gia đình truy cập Internet", "dimension": "Kinh tế",
               "sub_dimension": "Công nghệ thông tin và truyền thông",
               "category": "Hạ tầng công nghệ thông tin và truyền thông"},
        "th": {"name": "การเข้าถึงอินเทอร์เน็ตของครัวเรือน", "dimension": "เศรษฐกิจ",
               "sub_dimension": "เทคโนโลยีสารสนเทศและการสื่อสาร",
               "category": "โครงสร้างพื้นฐานเทคโนโลยีสารสนเทศและการสื่อสาร"}}
    population = Indicator.objects.get(code="ASCN-POP")
    assert population.i18n == {"vi": {"name": "Dân số", "dimension": "Bối cảnh"},
                               "th": {"name": "ประชากร", "dimension": "ข้อมูลบริบท"}}


def test_every_framework_node_and_country_has_its_name_in_vietnamese_and_thai():
    for model in (FrameworkNode, Country):
        records = list(model.objects.all())
        assert records
        assert [(str(r), lang) for r in records for lang in LANGS if not (r.i18n.get(lang) or {}).get("name")] == []


def test_the_translation_files_cover_exactly_the_catalogue_and_its_labels():
    catalogue = rows("u4ssc_kpis.csv") + rows("ascn_indicators.csv")
    assert sorted(r["code"] for r in rows("indicator_translations.csv")) == sorted(r["code"] for r in catalogue)
    used = {r[field] for r in catalogue for field in seed.LABEL_FIELDS if r.get(field)}
    assert sorted(r["label"] for r in rows("indicator_labels.csv")) == sorted(used)


def write(path, header: str, *lines: str):
    path.write_text("\n".join((header, *lines)) + "\n", encoding="utf-8")
    return path


def test_seeding_fills_empty_translations_only(tmp_path):
    """A name the Secretariat entered is kept; a text that went missing is filled again; nothing else moves."""
    item = Indicator.objects.get(code="EC: P: EM: 1C")
    item.i18n = {"vi": {"name": "Tỷ lệ người thất nghiệp", "dimension": "Kinh tế"}, "th": {"name": "อัตราว่างงาน"}}
    item.save()
    loader = next(loader for loader in seed.LOADERS if isinstance(loader, seed.TranslationLoader))
    count = loader.load()
    assert (count.created, count.updated, count.unchanged) == (0, 1, 92)
    item.refresh_from_db()
    assert item.i18n == {
        "vi": {"name": "Tỷ lệ người thất nghiệp", "dimension": "Kinh tế", "sub_dimension": "Năng suất",
               "category": "Việc làm"},
        "th": {"name": "อัตราว่างงาน", "dimension": "เศรษฐกิจ", "sub_dimension": "ผลิตภาพ", "category": "การจ้างงาน"}}
    count = loader.load()
    assert (count.updated, count.unchanged) == (0, 93)


@pytest.mark.parametrize(("translations", "labels", "message"), [
    (("NO-SUCH,Không,ไม่มี",), (), "line 2: code 'NO-SUCH' is not an indicator"),
    (("ASCN-POP,,ประชากร",), (), "line 2: name_vi is empty"),
    (("ASCN-POP,Dân số,ประชากร", "ASCN-POP,Dân số,ประชากร"), (), "line 3: duplicate of line 2"),
    (("ASCN-POP,Dân số,ประชากร",), ("Context,Bối cảnh,บริบท", "Context,Bối cảnh,บริบท"),
     "line 3: label 'Context' is given twice"),
    (("ASCN-POP,Dân số,ประชากร",), ("Context,Bối cảnh,",), "line 2: label_th is empty"),
])
def test_a_bad_row_stops_the_seed_naming_file_and_line(tmp_path, translations, labels, message):
    before = Indicator.objects.get(code="ASCN-POP").i18n
    loader = seed.TranslationLoader(
        "indicator translations", write(tmp_path / "names.csv", "code,name_vi,name_th", *translations),
        write(tmp_path / "labels.csv", "label,label_vi,label_th", *labels))
    with pytest.raises(SeedError, match=message):
        loader.load()
    assert Indicator.objects.get(code="ASCN-POP").i18n == before
