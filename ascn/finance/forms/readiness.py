"""Forms of a project's readiness: the answers to every criterion as one form, and the assessment's settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from ..choices import CriterionStatus, ReadinessStage

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import QueryDict

    from ascn.plans.models import ProjectDocument


class ReadinessAnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CriterionStatus.choices)
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    document: forms.ModelChoiceField[ProjectDocument] = forms.ModelChoiceField(label=_("Document"), required=False,
                                                                               queryset=None)

    def __init__(self, *args: Any, documents: QuerySet[ProjectDocument], **kwargs: Any) -> None:
        """`documents`: the project's documents; one evaluated queryset can serve every criterion's form."""
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[ProjectDocument]", self.fields["document"])
        field.queryset = documents  # validation queries a copy, once, on a post
        field.choices = [("", "---------"), *((d.pk, d.title) for d in documents)]  # rendering: no query


@dataclass(frozen=True)
class Problem:
    """One refused value as the list above the form shows it: the id it links to ("" for the form as a
    whole), what it is about and why."""

    target: str
    label: str
    message: str


class ReadinessEditForm:
    """Every criterion the city answers, as one form saved at once (`actions.readiness.save_answers`): a
    `ReadinessAnswerForm` per criterion (prefixed with its code), and the version of the answers it was drawn
    from with the time it was opened, so that a save made after someone else's is refused."""

    def __init__(self, initial: Mapping[str, Mapping[str, Any]], documents: QuerySet[ProjectDocument],
                 data: QueryDict | None = None, *, version: str, opened_at: dt.datetime) -> None:
        """`initial`: each criterion's stored answer by code, in the order of the page."""
        self.forms = {code: ReadinessAnswerForm(data, prefix=code, documents=documents, initial=dict(values))
                      for code, values in initial.items()}
        self.non_field_errors: list[str] = []
        self.notes: dict[str, str] = {}
        self.is_bound = data is not None
        self.is_conflict = False
        # What the page sends back: the version it was drawn from, kept through a refusal (not a conflict).
        self.version = (data.get("version") or version) if data is not None else version
        self.opened_at = (data.get("opened_at") or opened_at.isoformat()) if data is not None else opened_at.isoformat()

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.forms.values()])

    def sent_version(self) -> tuple[str | None, dt.datetime | None]:
        """The version and opening time the page sent (None when it sent none, or a bad one)."""
        version = self.version if self.is_bound and self.version else None
        try:
            opened_at = dt.datetime.fromisoformat(self.opened_at) if self.is_bound and self.opened_at else None
        except ValueError:
            opened_at = None
        if opened_at is not None and timezone.is_naive(opened_at):
            opened_at = timezone.make_aware(opened_at)
        return version, opened_at

    def values(self) -> dict[str, dict[str, Any]]:
        return {code: dict(form.cleaned_data) for code, form in self.forms.items()}

    def add_errors(self, exc: ValidationError) -> None:
        """Put the action's refusal beside the fields it names (`<code>.<field>`)."""
        if not hasattr(exc, "error_dict"):
            self.non_field_errors += exc.messages
            return
        for key, messages in exc.message_dict.items():
            code, _dot, name = key.rpartition(".")
            form = self.forms.get(code)
            if form is None:
                self.non_field_errors += messages
            elif name in form.fields:
                if name not in form.errors:  # the form may already say it (the same model rule)
                    form.add_error(name, messages)
            else:
                form.add_error(None, messages)

    def add_conflict(self, message: str, changes: list[tuple[str, dt.datetime, str]], version: str,
                     stored: Mapping[str, str]) -> None:
        """Someone saved answers after this form was drawn: say so, note beside each of their criteria what
        they saved, and carry the current version, so that saving again replaces their answers knowingly.
        `stored`: each criterion's stored status, as the page names it."""
        self.non_field_errors.append(message)
        self.is_conflict = True
        self.version, self.opened_at = version, timezone.now().isoformat()
        for who, at, code in reversed(changes):  # oldest first: the newest note wins
            self.notes[code] = _("%(who)s saved this answer on %(when)s: %(status)s.") % {
                "who": who, "when": formats.date_format(timezone.localtime(at), "DATETIME_FORMAT"),
                "status": stored.get(code, "")}

    def problems(self, labels: Mapping[str, str]) -> list[Problem]:
        """Every error in the page's order; `labels` names each criterion."""
        found = [Problem("", "", message) for message in self.non_field_errors]
        for code, form in self.forms.items():
            criterion = labels[code].rstrip(".")
            found += [Problem(code, criterion, str(message)) for message in form.non_field_errors()]
            for field in form:
                found += [Problem(field.auto_id, f"{criterion} — {field.label}", str(message))
                          for message in field.errors]
        return found

    def has_errors(self, code: str) -> bool:
        return bool(self.forms[code].errors)


class ReadinessSettingsForm(forms.Form):
    target_stage = forms.ChoiceField(label=_("Score against the gate"), required=False,
                                     choices=[("", _("The next gate")), *ReadinessStage.choices])
    is_published = forms.BooleanField(label=_("Published"), required=False)
