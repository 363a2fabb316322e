from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ascn.core.forms import PlainNumberInput, TranslatedModelChoiceField, TranslatedModelMultipleChoiceField
from ascn.core.imports.forms import TableUploadForm
from ascn.framework.models import FrameworkNode
from ascn.network.models import Partner

from . import importing
from .choices import ProjectSort, SupportKind
from .models import ActionPlan, ProgressUpdate, Project, StrategicTarget
from .queries import SEARCH_LENGTH

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from ascn.network.models import City


class PipelineFilterForm(forms.Form):
    """Draws the pipeline page's search box and sort order (the facets carry the other filters). What the
    page accepts, and what it says of a bad value, is `queries.ProjectFilters`: the form is never validated."""
    q = forms.CharField(label=_("Search"), required=False, max_length=SEARCH_LENGTH,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title, number or text")}))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=ProjectSort.choices)


class ProjectForm(forms.ModelForm):
    support = forms.MultipleChoiceField(label=_("Support required"), required=False, choices=SupportKind.choices,
                                        widget=forms.CheckboxSelectMultiple)
    partners = forms.ModelMultipleChoiceField(label=_("Partners involved"), required=False,
                                              queryset=Partner.objects.order_by("name"))
    links = forms.CharField(
        label=_("Links"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: a label, a vertical bar, then the address, e.g. Project site | https://…"))
    secondary_tags = TranslatedModelMultipleChoiceField(
        label=_("Other framework tags"), required=False,
        queryset=FrameworkNode.objects.filter(kind__in=["focus_area", "enabler", "outcome"]).order_by("position"),
        help_text=_("Enablers, outcomes or other focus areas the project also serves."))

    class Meta:
        model = Project
        fields = ["title", "reference", "objective", "description", "focus_area", "project_type", "stage",
                  "start_date", "end_date", "currency", "cost_estimate", "funding_secured", "support_notes",
                  "links", "is_published"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "objective": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "support_notes": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"focus_area": TranslatedModelChoiceField, "project_type": TranslatedModelChoiceField}

    def __init__(self, *args: Any, city: City | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.city = city or getattr(self.instance, "city", None)
        if self.city is not None:  # the project's city is not one of the form's fields
            self.instance.city = self.city
        if self.instance.pk:
            self.initial.setdefault("support", [s.kind for s in self.instance.support_needs.all()])
            self.initial.setdefault("partners", list(self.instance.partners.all()))
            self.initial.setdefault("secondary_tags", [t.node for t in self.instance.framework_tags.all()
                                                       if not t.is_primary])
            self.initial["links"] = "\n".join(f"{link.get('label', '')} | {link['url']}"
                                              for link in self.instance.links)
        cast("forms.ModelChoiceField[FrameworkNode]", self.fields["project_type"]).queryset = (
            FrameworkNode.objects.filter(kind="project_type").order_by("position"))
        cast("forms.ModelChoiceField[FrameworkNode]", self.fields["focus_area"]).queryset = (
            FrameworkNode.objects.filter(kind="focus_area").order_by("position"))

    def clean_links(self) -> list[dict[str, str]]:
        links = []
        for number, line in enumerate(self.cleaned_data.get("links", "").splitlines(), start=1):
            if not line.strip():
                continue
            label, _bar, url = line.rpartition("|") if "|" in line else ("", "", line)
            url = url.strip()
            if not url.startswith(("http://", "https://")):
                raise forms.ValidationError(_("Line %(number)d: the address must start with http:// or https://.")
                                            % {"number": number})
            links.append({"label": label.strip(), "url": url})
        return links


class ProgressUpdateForm(forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["date", "status", "percent_complete", "milestones", "progress", "partner_support", "challenges"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}),
                   **{f: forms.Textarea(attrs={"rows": 3}) for f in
                      ("milestones", "progress", "partner_support", "challenges")}}


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class PlanForm(forms.ModelForm):
    focus_areas = TranslatedModelMultipleChoiceField(
        label=_("Focus areas"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=FrameworkNode.objects.filter(kind="focus_area").order_by("position"))
    priority_projects = forms.ModelMultipleChoiceField(label=_("Priority projects"), required=False,
                                                       queryset=Project.objects.none())

    class Meta:
        model = ActionPlan
        fields = ["vision", "horizon_year", "is_published"]
        widgets = {"vision": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, city: City | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelMultipleChoiceField[Project]", self.fields["priority_projects"]).queryset = (
            Project.objects.filter(city=city).order_by("title"))
        if self.instance.pk:
            self.initial.setdefault("focus_areas", list(self.instance.focus_areas.all()))
            self.initial.setdefault("priority_projects", list(self.instance.priority_projects.all()))


class TargetForm(forms.ModelForm):
    class Meta:
        model = StrategicTarget
        fields = ["statement", "metric", "unit", "baseline_value", "baseline_year", "target_value", "target_year"]
        # A stored 16.0000 shows as 16 (and never in exponent notation) when the target is edited.
        widgets = {"statement": forms.Textarea(attrs={"rows": 2}), "baseline_value": PlainNumberInput,
                   "target_value": PlainNumberInput}


class PlanVersionForm(forms.Form):
    """The year of a city's new plan or next version: a year no version of the city's plan has yet."""

    year = forms.IntegerField(label=_("Year of the version"), min_value=2018, max_value=2100,
                              widget=forms.NumberInput(attrs={"min": 2018, "max": 2100}))

    def __init__(self, *args: Any, taken: Iterable[int] = (), proposed: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.taken = frozenset(taken)
        self.proposed = proposed
        if proposed is not None:
            self.fields["year"].initial = proposed

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if year in self.taken:
            raise forms.ValidationError(taken_year_message(year, self.proposed))
        return year


def taken_year_message(year: int, proposed: int | None) -> str:
    if proposed is None:
        return str(_("There is already a version for %(year)d: choose another year.") % {"year": year})
    return str(_("There is already a version for %(year)d: choose another year, e.g. %(free)d, the next free one.")
               % {"year": year, "free": proposed})


class ImportForm(TableUploadForm):
    file = forms.FileField(label=_("CSV or XLSX file"),
                           help_text=_("UTF-8 CSV or Excel workbook with the template's columns; at most 20 MB."))

    def upload_limit(self) -> int:
        return importing.MAX_BYTES


DOCUMENT_TYPES = (".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".csv", ".png", ".jpg", ".jpeg", ".txt")
MAX_DOCUMENT_BYTES = 25 * 1024 * 1024


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF, office documents, images or text; at most 25 MB."))

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]  # FileField.clean checked that it has a name and a size
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 25 MB."))
        if not upload.name.lower().endswith(DOCUMENT_TYPES):
            raise forms.ValidationError(_("This type of file is not accepted."))
        return upload
