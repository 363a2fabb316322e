"""Forms of the needs surveys' pages. They check what is typed; the actions write (and check again)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ascn.core.imports.forms import TableUploadForm
from ascn.network.models import City
from ascn.plans.choices import ProjectStage, SupportKind

from ..choices import QuestionKind
from ..models import Need, Question, Survey
from .offers import tags_field

if TYPE_CHECKING:
    from ascn.framework.models import FrameworkNode
    from ascn.plans.models import Project


class CityChoiceField(forms.ModelMultipleChoiceField):
    """Cities as checkboxes labelled "City (Country)", grouped by country in the template."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.country.name})"


class SurveyForm(forms.ModelForm):
    cities = CityChoiceField(
        label=_("Cities asked"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=City.objects.select_related("country").order_by("country__name", "name"),
        help_text=_("The cities whose officers answer the survey once it is open."))

    class Meta:
        model = Survey
        fields = ["title", "description", "closes_at"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5}),
                   "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}
        help_texts = {"closes_at": _("Late answers are refused after this time (empty: until the survey is "
                                     "closed).")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closes_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial.setdefault("cities", list(self.instance.cities.all()))

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the list kinds: one choice a line."))

    class Meta:
        model = Question
        fields = ["text", "kind", "help_text", "required"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("choices_text", "\n".join(self.instance.choices))

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["choices"] = [line.strip() for line in self.cleaned_data["choices_text"].splitlines() if line.strip()]
        return data


def _field_name(question: Question) -> str:
    return f"q{question.pk}"


class AnswerForm(forms.Form):
    """One field per question, typed by its kind (money: an amount and a currency). `answers()` gives the
    raw answers for `actions.save_answers`, which checks them against the questions."""

    def __init__(self, *args: Any, questions: list[Question], focus_areas: list[FrameworkNode],
                 projects: list[Project], answers: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        stored = answers or {}
        for number, question in enumerate(questions, 1):
            name = _field_name(question)
            label = f"{number}. {question.text}"
            value = stored.get(str(question.pk))
            common: dict[str, Any] = {"label": label, "required": False, "help_text": question.help_text}
            kind = question.kind
            if kind == QuestionKind.SINGLE:
                self.fields[name] = forms.ChoiceField(choices=[(c, c) for c in question.choices],
                                                      widget=forms.RadioSelect, **common)
            elif kind == QuestionKind.MULTIPLE:
                self.fields[name] = forms.MultipleChoiceField(choices=[(c, c) for c in question.choices],
                                                              widget=forms.CheckboxSelectMultiple, **common)
            elif kind == QuestionKind.FOCUS_AREAS:
                self.fields[name] = forms.MultipleChoiceField(
                    choices=[(n.code, n.display_name) for n in focus_areas], widget=forms.CheckboxSelectMultiple,
                    **common)
            elif kind == QuestionKind.NUMBER:
                self.fields[name] = forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
            elif kind == QuestionKind.MONEY:
                self.fields[f"{name}_amount"] = forms.CharField(
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}), **{**common, "label": label})
                self.fields[f"{name}_currency"] = forms.CharField(
                    label=f"{number}. {_('Currency (ISO 4217 code)')}", required=False, max_length=3,
                    widget=forms.TextInput(attrs={"size": 4, "maxlength": 3, "autocapitalize": "characters"}))
                if isinstance(value, dict):
                    self.initial.setdefault(f"{name}_amount", value.get("amount", ""))
                    self.initial.setdefault(f"{name}_currency", value.get("currency", ""))
                continue
            elif kind == QuestionKind.TEXT:
                self.fields[name] = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                                                    **common)
            else:
                self.fields[name] = forms.ChoiceField(
                    choices=[("", "—"), *[(str(p.pk), p.title) for p in projects]], **common)
            if value is not None:
                self.initial.setdefault(name, [str(v) for v in value] if isinstance(value, list) else str(value))

    def answers(self) -> dict[str, Any]:
        """{str(question id): raw value} from the cleaned fields."""
        raw: dict[str, Any] = {}
        for question in self.questions:
            name = _field_name(question)
            if question.kind == QuestionKind.MONEY:
                raw[str(question.pk)] = {"amount": self.cleaned_data.get(f"{name}_amount", ""),
                                         "currency": self.cleaned_data.get(f"{name}_currency", "")}
            else:
                raw[str(question.pk)] = self.cleaned_data.get(name)
        return raw


class NeedFromAnswerForm(forms.ModelForm):
    """What the need made from an answer says; its tags start from the answer's focus areas."""

    tags = tags_field()

    class Meta:
        model = Need
        fields = ["title", "kind", "description", "amount", "currency", "stage"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6}),
                   "currency": forms.TextInput(attrs={"size": 4, "maxlength": 3, "autocapitalize": "characters"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = SupportKind.choices  # type: ignore[attr-defined]
        self.fields["stage"].choices = [("", "—"), *ProjectStage.choices]  # type: ignore[attr-defined]

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AnswersUploadForm(TableUploadForm):
    file = forms.FileField(label=_("Answers on paper (CSV or XLSX)"),
                           help_text=_("A “city” column (slug or name), then one column per question, “Q1”, “Q2”… "
                                       "as in the export."))

