"""Forms of the cooperation pages. They check what is typed; the actions write (and check again)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ascn.core.forms import choices_of
from ascn.network.models import City, Country, Partner
from ascn.plans.models import Project

from ..choices import AgreementKind, CooperationKind, CooperationState
from ..models import CooperationRecord, Programme
from .offers import tag_nodes, tags_field

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CooperationFilterForm(forms.Form):
    """Draws the filters of the lists; what the pages accept is `queries.cooperation.CooperationFilters`."""

    partner = forms.ChoiceField(label=_("Partner"), required=False)
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    focus_area = forms.ChoiceField(label=_("Focus area or enabler"), required=False)
    state = forms.ChoiceField(label=_("Stage"), required=False)

    def __init__(self, *args: Any, partners: list[Partner], states: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = {name: cast(forms.ChoiceField, f) for name, f in self.fields.items()}
        field["partner"].choices = [("", _("All partners")), *choices_of(partners, "slug")]
        field["programme"].choices = [("", _("All programmes")),
                                      *choices_of(Programme.objects.order_by("name"), "slug")]
        field["country"].choices = [("", _("Every country")), *choices_of(Country.objects.order_by("name"), "iso3")]
        field["kind"].choices = [("", _("All kinds")), *CooperationKind.choices]
        field["focus_area"].choices = [("", _("All focus areas and enablers")), *choices_of(tag_nodes(), "code")]
        if states:
            field["state"].choices = [("", _("Every stage")), *CooperationState.choices]
        else:
            del self.fields["state"]


class RecordForm(forms.ModelForm):
    """Opening a record: a partner's own organisation and a city officer's own city are fixed (`fixed`)."""

    tags = tags_field()

    class Meta:
        model = CooperationRecord
        fields = ["title", "kind", "partner", "city", "twin_city", "programme"]
        help_texts = {"twin_city": _("For a city-to-city twinning: the other city (then no partner).")}

    def __init__(self, *args: Any, fixed: Collection[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in fixed:
            del self.fields[name]
        if "partner" in self.fields:
            cast(forms.ModelChoiceField, self.fields["partner"]).queryset = Partner.objects.order_by("name")
        for name in ("city", "twin_city"):
            if name in self.fields:
                cast(forms.ModelChoiceField, self.fields[name]).queryset = (
                    City.objects.select_related("country").order_by("name"))
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = Programme.objects.order_by("name")

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


def documents_text(documents: list[dict[str, str]]) -> str:
    return "\n".join(f"{d.get('label', '')} | {d.get('url', '')}" for d in documents)


class ProposalForm(forms.ModelForm):
    documents_text = forms.CharField(
        label=_("Documents"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: a label, a vertical bar, the address (https://…)."))
    tags = tags_field()

    class Meta:
        model = CooperationRecord
        fields = ["title", "kind", "programme", "scope", "budget", "currency", "start_date", "end_date", "source"]
        widgets = {"scope": forms.Textarea(attrs={"rows": 4}), "start_date": DATE, "end_date": DATE,
                   "currency": forms.TextInput(attrs={"size": 4, "maxlength": 3, "autocapitalize": "characters"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = Programme.objects.order_by("name")
        record: CooperationRecord = self.instance
        self.initial.setdefault("documents_text", documents_text(record.documents or []))
        self.initial.setdefault("tags", [t.node for t in record.framework_tags.select_related("node")])

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean_documents_text(self) -> list[dict[str, str]]:
        documents = []
        for number, line in enumerate((self.cleaned_data.get("documents_text") or "").splitlines(), start=1):
            if not line.strip():
                continue
            label, bar, url = line.rpartition("|")
            url = url.strip()
            if not bar or not url.startswith(("http://", "https://")):
                raise forms.ValidationError(_("Line %(number)s: give a label, a vertical bar and an address "
                                              "starting with https://.") % {"number": number})
            documents.append({"label": label.strip() or url, "url": url})
        return documents

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["documents"] = self.cleaned_data["documents_text"]
        return data


class StepForm(forms.Form):
    """A step of the workflow: its reason where one is needed, the agreement to agree."""

    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=4000)
    agreement = forms.ChoiceField(label=_("Agreement"), required=False,
                                  choices=[("", "—"), *AgreementKind.choices])
    agreed_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE)
    signatories = forms.CharField(label=_("Signatories' roles"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("Roles and offices, never a person's name."))

    def agreement_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in ("agreement", "agreed_on", "signatories")}


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ProjectsForm(forms.Form):
    projects = forms.ModelMultipleChoiceField(label=_("Projects it funds or supports"), required=False,
                                              queryset=Project.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["projects"]).queryset = queryset
