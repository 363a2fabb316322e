"""Forms of the partnerships pages. They check what is typed; the actions write (and check again)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ascn.core.forms import TranslatedModelMultipleChoiceField, choices_of
from ascn.core.models import ExchangeRate
from ascn.framework.choices import NodeKind
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Country, Partner
from ascn.plans.choices import ProjectStage, SupportKind

from ..choices import CooperationKind, Instrument
from ..models import Need, Offer, Programme

if TYPE_CHECKING:
    from django.db.models import QuerySet


def tag_nodes() -> QuerySet[FrameworkNode]:
    return FrameworkNode.objects.filter(kind__in=[NodeKind.FOCUS_AREA, NodeKind.ENABLER]).order_by("position", "code")


def tags_field() -> TranslatedModelMultipleChoiceField:
    return TranslatedModelMultipleChoiceField(label=_("Focus areas and enablers"), required=False,
                                              queryset=tag_nodes(), widget=forms.CheckboxSelectMultiple)


class OfferFilterForm(forms.Form):
    """Draws the filters of the list of offers; what the page accepts is `queries.OfferFilters`."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    country = forms.ChoiceField(label=_("Open to"), required=False)
    focus_area = forms.ChoiceField(label=_("Focus area or enabler"), required=False)
    partner = forms.ChoiceField(label=_("Partner"), required=False)
    q = forms.CharField(label=_("Text"), required=False, max_length=100)

    def __init__(self, *args: Any, partners: list[Partner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = {name: cast(forms.ChoiceField, self.fields[name]) for name in ("kind", "country", "focus_area",
                                                                                  "partner")}
        fields["kind"].choices = [("", _("All kinds")), *CooperationKind.choices]
        fields["country"].choices = [("", _("Every country")),
                                     *choices_of(Country.objects.order_by("name"), "iso3")]
        fields["focus_area"].choices = [("", _("All focus areas and enablers")), *choices_of(tag_nodes(), "code")]
        fields["partner"].choices = [("", _("All partners")), *choices_of(partners, "slug")]


class OfferForm(forms.ModelForm):
    instruments = forms.MultipleChoiceField(label=_("Instruments"), required=False, choices=Instrument.choices,
                                            widget=forms.CheckboxSelectMultiple)
    stages = forms.MultipleChoiceField(label=_("Project stages served"), required=False,
                                       choices=ProjectStage.choices, widget=forms.CheckboxSelectMultiple)
    countries = forms.ModelMultipleChoiceField(
        label=_("Eligible countries"), required=False, queryset=Country.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple, help_text=_("None chosen: every member country."))
    cities = forms.ModelMultipleChoiceField(
        label=_("Eligible cities"), required=False, queryset=City.objects.select_related("country").order_by("name"),
        help_text=_("None chosen: every member city of the chosen countries (or of all)."))
    tags = tags_field()

    class Meta:
        model = Offer
        fields = ["title", "kind", "description", "programme", "ticket_min", "ticket_max", "currency", "instruments",
                  "stages", "deadline", "contact_role"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 4}),
                   "currency": forms.TextInput(attrs={"size": 4, "maxlength": 3, "autocapitalize": "characters"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer: Offer = self.instance
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = (
            Programme.objects.filter(partners=offer.partner_id).order_by("name"))
        if offer.pk:
            self.initial.setdefault("countries", list(offer.countries.all()))
            self.initial.setdefault("cities", list(offer.cities.all()))
            self.initial.setdefault("tags", [t.node for t in offer.framework_tags.select_related("node")])

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def values(self) -> dict[str, Any]:
        """The offer's own fields, for the action."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProfileForm(forms.ModelForm):
    """A partner's profile; the name only for the Secretariat (`can_rename`)."""

    tags = tags_field()

    class Meta:
        model = Partner
        fields = ["name", "country_iso3", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"notes": _("What the organisation does with the network's cities."),
                      "country_iso3": _("Three capital letters (ISO 3166-1 alpha-3), e.g. JPN.")}

    def __init__(self, *args: Any, can_rename: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_rename:
            del self.fields["name"]
        self.initial.setdefault("tags", [t.node for t in self.instance.framework_tags.select_related("node")])

    def clean_country_iso3(self) -> str:
        return (self.cleaned_data.get("country_iso3") or "").strip().upper()

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


class RateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "units_per_usd", "as_of", "source"]
        widgets = {"as_of": forms.DateInput(attrs={"type": "date"})}

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()


class NeedFilterForm(forms.Form):
    """Draws the filters of the list of needs; what the page accepts is `queries.NeedFilters`."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    focus_area = forms.ChoiceField(label=_("Focus area or enabler"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = {name: cast(forms.ChoiceField, self.fields[name]) for name in ("kind", "country", "city",
                                                                                  "focus_area")}
        fields["kind"].choices = [("", _("All kinds")), *SupportKind.choices]
        fields["country"].choices = [("", _("Every country")),
                                     *choices_of(Country.objects.order_by("name"), "iso3")]
        cities = City.objects.select_related("country").order_by("name")
        fields["city"].choices = [("", _("Every city")), *choices_of(cities, "slug")]
        fields["focus_area"].choices = [("", _("All focus areas and enablers")), *choices_of(tag_nodes(), "code")]


class NeedForm(forms.ModelForm):
    tags = tags_field()

    class Meta:
        model = Need
        fields = ["title", "kind", "description", "amount", "currency", "stage"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "currency": forms.TextInput(attrs={"size": 4, "maxlength": 3, "autocapitalize": "characters"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("tags", [t.node for t in self.instance.framework_tags.select_related("node")])

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
