"""Forms of the business-matching sessions' workspace page. Times are typed in the session's time zone; the
forms check what is typed, the actions write (and check again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascn.network.models import City, Partner

from ..choices import SessionRuleKind
from ..models import MatchingSession, SessionParticipant, SessionSlot

LOCAL = {"type": "datetime-local"}
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _local(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A time typed without a zone, read in the session's (the form's field is naive: USE_TZ reads it in the
    site's zone, which is not the event's)."""
    naive = timezone.make_naive(value, timezone.get_current_timezone()) if timezone.is_aware(value) else value
    return naive.replace(tzinfo=zone)


class SessionForm(forms.ModelForm):
    class Meta:
        model = MatchingSession
        fields = ["title", "event", "place", "timezone", "tables"]
        help_texts = {"timezone": _("The event's time zone (an IANA name such as Asia/Jakarta): slots are typed "
                                    "and agendas printed in it."),
                      "event": _("The meeting the session is part of, e.g. the ASEAN-Japan High Level Meeting.")}

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ZonedForm(forms.Form):
    def __init__(self, *args: Any, zone: dt.tzinfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def at(self, name: str) -> dt.datetime:
        return _local(self.cleaned_data[name], self.zone)


class SlotForm(ZonedForm):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(LOCAL, format=LOCAL_FORMAT))
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(LOCAL, format=LOCAL_FORMAT))


class GenerateForm(ZonedForm):
    first = forms.DateTimeField(label=_("First slot starts at"),
                                widget=forms.DateTimeInput(LOCAL, format=LOCAL_FORMAT))
    count = forms.IntegerField(label=_("Number of slots"), min_value=1, max_value=100, initial=8)
    minutes = forms.IntegerField(label=_("Minutes each"), min_value=1, max_value=1440, initial=20)
    pause = forms.IntegerField(label=_("Minutes between slots"), min_value=0, max_value=1440, initial=5)


class ParticipantsForm(forms.Form):
    cities = forms.ModelMultipleChoiceField(label=_("Cities"), required=False,
                                            queryset=City.objects.select_related("country").order_by("name"),
                                            help_text=_("Hold Ctrl or Cmd to choose several."))
    partners = forms.ModelMultipleChoiceField(label=_("Partners"), required=False,
                                              queryset=Partner.objects.filter(is_published=True).order_by("name"),
                                              help_text=_("Hold Ctrl or Cmd to choose several."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cities"].queryset = City.objects.as_of(timezone.localdate()).order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("cities") and not data.get("partners"):
            raise forms.ValidationError(_("Choose at least one city or partner."))
        return data


class AvailabilityForm(forms.Form):
    """The slots a participant can attend, as choices built once from the session's slots (one form per
    participant on the page: no query each)."""

    available = forms.TypedMultipleChoiceField(label=_("Available in"), required=False, coerce=int,
                                               widget=forms.CheckboxSelectMultiple,
                                               help_text=_("None chosen: every slot."))

    def __init__(self, *args: Any, slots: list[SessionSlot], labels: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = {slot.pk: slot for slot in slots}
        field = self.fields["available"]
        field.choices = [(slot.pk, labels.get(slot.pk, str(slot))) for slot in slots]  # type: ignore[attr-defined]

    def chosen(self) -> list[SessionSlot]:
        return [self.slots[pk] for pk in self.cleaned_data["available"]]


class RuleForm(forms.Form):
    city = forms.ModelChoiceField(label=_("City"), queryset=SessionParticipant.objects.none())
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=SessionParticipant.objects.none())
    kind = forms.ChoiceField(label=_("Rule"), choices=SessionRuleKind.choices)
    slot = forms.ModelChoiceField(label=_("In slot"), required=False, queryset=SessionSlot.objects.none(),
                                  empty_label=_("Any slot both can attend"),
                                  help_text=_("For a meeting that must take place; leave empty to let the "
                                              "scheduler choose."))

    def __init__(self, *args: Any, session: MatchingSession, labels: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = SessionParticipant.objects.filter(session=session).select_related("city", "partner")
        city = self.fields["city"]
        city.queryset = people.filter(city__isnull=False).order_by("city__name")  # type: ignore[attr-defined]
        partner = self.fields["partner"]
        partner.queryset = people.filter(partner__isnull=False).order_by("partner__name")  # type: ignore[attr-defined]
        slot = self.fields["slot"]
        slot.queryset = SessionSlot.objects.filter(session=session).order_by("starts_at")  # type: ignore[attr-defined]
        slot.label_from_instance = lambda s: labels.get(s.pk, str(s))  # type: ignore[attr-defined]
