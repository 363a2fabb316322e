"""The plans' pages in the reader's language: framework names in the project and plan forms, and a city's
local name in its own country's language."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.utils import translation

from ascn.core.forms import TranslatedModelChoiceField, TranslatedModelMultipleChoiceField, label_of
from ascn.framework.models import FrameworkNode
from ascn.plans.forms import PlanForm, ProjectForm

pytestmark = pytest.mark.django_db


class _Choices(HTMLParser):
    """The labels a browser shows for the choices of a field: a select's options, or the labels of its
    checkboxes (CheckboxSelectMultiple wraps each input in its label)."""

    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.labels: list[str] = []
        self._in_select = False
        self._text: list[str] | None = None
        self._label_text: list[str] | None = None
        self._label_is_ours = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "select" and found.get("name") == self.name:
            self._in_select = True
        elif tag == "option" and self._in_select and found.get("value"):
            self._text = []
        elif tag == "label":
            self._label_text, self._label_is_ours = [], False
        elif tag == "input" and found.get("name") == self.name and self._label_text is not None:
            self._label_is_ours = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._in_select = False
        elif tag == "option" and self._text is not None:
            self.labels.append("".join(self._text).strip())
            self._text = None
        elif tag == "label" and self._label_text is not None:
            if self._label_is_ours:
                self.labels.append("".join(self._label_text).strip())
            self._label_text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)
        if self._label_text is not None:
            self._label_text.append(data)


def choices(html: str, name: str) -> list[str]:
    reader = _Choices(name)
    reader.feed(html)
    assert reader.labels, f"no choices of {name!r} on the page"
    return reader.labels


def at(lang: str, path: str) -> str:
    """The page's address in a language (English has no prefix)."""
    return path if lang == "en" else f"/{lang}{path}"


def heading(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", html, re.S)[1]))).strip()


FOCUS_AREAS = {
    "en": ["Civic and Social", "Health and Well-being", "Safety and Security", "Quality Environment",
           "Built Infrastructure", "Industry & Innovation"],
    "vi": ["Công dân và xã hội", "Sức khỏe và phúc lợi", "An toàn và an ninh", "Môi trường chất lượng",
           "Cơ sở hạ tầng xây dựng", "Công nghiệp và đổi mới sáng tạo"],
    "th": ["พลเมืองและสังคม", "สุขภาพและความเป็นอยู่ที่ดี", "ความปลอดภัยและความมั่นคง", "สิ่งแวดล้อมที่มีคุณภาพ",
           "โครงสร้างพื้นฐานทางกายภาพ", "อุตสาหกรรมและนวัตกรรม"],
}
COMPETITIVE_ECONOMY = {"en": "Competitive Economy", "vi": "Kinh tế cạnh tranh",
                       "th": "เศรษฐกิจที่มีขีดความสามารถในการแข่งขัน"}
HEALTHCARE = {"en": "Healthcare", "vi": "Chăm sóc sức khỏe", "th": "การดูแลสุขภาพ"}
DA_NANG = {"en": "Da Nang", "vi": "Đà Nẵng", "th": "Da Nang"}  # its local name is Vietnamese


@pytest.mark.parametrize("lang", ["en", "vi", "th"])
def test_the_project_form_names_the_framework_in_the_readers_language(client, csco_danang, lang):
    client.force_login(csco_danang)
    response = client.get(at(lang, "/projects/new/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert choices(html, "focus_area") == FOCUS_AREAS[lang]
    assert HEALTHCARE[lang] in choices(html, "project_type")
    secondary = choices(html, "secondary_tags")
    assert COMPETITIVE_ECONOMY[lang] in secondary and set(FOCUS_AREAS[lang]) <= set(secondary)
    if lang != "en":
        assert "Competitive Economy" not in html and "Built Infrastructure" not in html
    assert heading(html) == {"en": "Record a project in Da Nang", "vi": "Ghi nhận một dự án tại Đà Nẵng",
                             "th": "บันทึกโครงการใน Da Nang"}[lang]


@pytest.mark.parametrize("lang", ["vi", "th"])
def test_the_plan_form_names_the_focus_areas_in_the_readers_language(client, csco_danang, draft_plan, lang):
    client.force_login(csco_danang)
    html = client.get(f"/{lang}/plans/{draft_plan.pk}/edit/").content.decode()
    assert choices(html, "focus_areas") == FOCUS_AREAS[lang]
    assert DA_NANG[lang] in heading(html)


def test_a_refused_project_form_keeps_the_translated_choices(client, csco_danang):
    """A form answered with its errors draws its choices again in the reader's language."""
    client.force_login(csco_danang)
    response = client.post("/vi/projects/new/", {"title": ""})
    assert response.status_code in (200, 422)
    assert choices(response.content.decode(), "focus_area") == FOCUS_AREAS["vi"]


def test_the_city_chooser_names_cities_in_the_readers_language(client, secretariat):
    client.force_login(secretariat)
    html = client.get("/vi/projects/new/").content.decode()
    labels = choices(html, "city")
    assert "Đà Nẵng (VNM)" in labels and "Bangkok (THA)" in labels and "Da Nang (VNM)" not in labels
    assert "กรุงเทพมหานคร (THA)" in choices(client.get("/th/projects/new/").content.decode(), "city")


def test_every_choice_of_a_framework_node_is_labelled_by_label_of():
    """The forms' framework fields are the translated fields, so no form of the plans draws an English name."""
    project_fields = ProjectForm(city=None).fields
    for form_fields, names in ((project_fields, ("focus_area", "project_type", "secondary_tags")),
                               (PlanForm(city=None).fields, ("focus_areas",))):
        for name in names:
            assert isinstance(form_fields[name], TranslatedModelChoiceField | TranslatedModelMultipleChoiceField), name
    node = FrameworkNode.objects.get(code="competitive_economy")
    with translation.override("th"):
        assert label_of(node) == "เศรษฐกิจที่มีขีดความสามารถในการแข่งขัน"
        assert project_fields["secondary_tags"].label_from_instance(node) == "เศรษฐกิจที่มีขีดความสามารถในการแข่งขัน"
