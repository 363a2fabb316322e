"""Forms of the city annual reports: the list filters, the one form of a whole report (its summary, its
highlighted line and every project line) and a workflow step."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField, BoundWidget
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from ..actions.reports import SUMMARY_LIMIT
from ..choices import ReportAction, ReportState
from ..models import CityReport, ProjectReport

if TYPE_CHECKING:
    from django.http import QueryDict

TEXT = {"rows": 3}


class ReportFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Round"), required=False, coerce=int, empty_value=None)
    country = forms.ChoiceField(label=_("Country"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *ReportState.choices])

    def __init__(self, *args: Any, years: list[int], countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [("", _("All rounds")),
                                                                    *((y, str(y)) for y in years)]
        cast(forms.ChoiceField, self.fields["country"]).choices = [("", _("All countries")), *countries]


class ReportForm(forms.Form):
    """The report's own fields in the one form of the whole report (its version and opening time are hidden
    fields of the page, read by `ReportEditForm.sent_version`)."""

    summary = forms.CharField(label=_("Summary of the year"), required=False, max_length=SUMMARY_LIMIT,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("What moved, what held the city back, what comes next."))
    highlight = forms.TypedChoiceField(label=_("Highlighted project"), required=False, coerce=int, empty_value=None,
                                       widget=forms.RadioSelect)

    def __init__(self, *args: Any, lines: list[ProjectReport], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["highlight"]).choices = [
            ("", _("No highlighted project")),
            *((line.pk, _("Highlight %(project)s") % {"project": line.project.reference or line.project.title})
              for line in lines)]


class ProjectLineForm(forms.ModelForm):
    """One project's line; the prefix keeps each line's fields apart on the page. Which line is highlighted
    is the report form's choice (one per report)."""

    class Meta:
        model = ProjectReport
        fields = ["status", "percent_complete", "progress", "partner_support", "challenges"]
        widgets = {"percent_complete": forms.NumberInput(attrs={"min": 0, "max": 100}),
                   "progress": forms.Textarea(attrs=TEXT), "partner_support": forms.Textarea(attrs=TEXT),
                   "challenges": forms.Textarea(attrs=TEXT)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        kwargs.setdefault("prefix", f"line-{instance.pk}" if instance else "line")
        super().__init__(*args, **kwargs)

    def validate_unique(self) -> None:
        """Uniqueness is the action's concern (the line exists already)."""


@dataclass(frozen=True)
class Problem:
    """One refused value, as the list at the top of the form shows it: the id of the field (or part) it
    links to ("" for the form as a whole), what it is about and why."""

    target: str
    label: str
    message: str


@dataclass(frozen=True)
class FieldRow:
    field: BoundField
    note: str  # what someone else saved in this field after the form was opened


@dataclass(frozen=True)
class LineRow:
    line: ProjectReport
    form: ProjectLineForm
    fields: list[FieldRow]
    highlight: BoundWidget | None
    highlight_note: str


class ReportEditForm:
    """The whole annual report as one form: the summary, which line is highlighted, every line's fields,
    and the version of the report it was drawn from (see `actions.reports.report_version`).

    `values()` is what `actions.reports.save_report` takes; `add_errors` puts its refusal beside the
    fields (`summary`, `lines.<id>.<field>`, ...), `add_conflict` marks what someone else saved meanwhile;
    `problems` lists every error for the summary at the top."""

    def __init__(self, report: CityReport, lines: list[ProjectReport], data: QueryDict | None = None, *,
                 version: str, opened_at: dt.datetime) -> None:
        self.report, self.lines = report, lines
        highlighted = next((line.pk for line in lines if line.is_highlighted), None)
        self.main = ReportForm(data, lines=lines, initial={"summary": report.summary, "highlight": highlighted})
        # Each form works on its own copy: a refused value never reaches the line shown elsewhere on the page.
        self.line_forms = {line.pk: ProjectLineForm(data, instance=copy.copy(line)) for line in lines}
        # What the page sends back: the version it was drawn from, kept through a refusal (not a conflict).
        self.version = (data.get("version") or version) if data is not None else version
        self.opened_at = (data.get("opened_at") or opened_at.isoformat()) if data is not None else opened_at.isoformat()
        self.notes: dict[str, str] = {}
        self.is_conflict = False

    @property
    def is_bound(self) -> bool:
        return self.main.is_bound

    def is_valid(self) -> bool:
        results = [self.main.is_valid(), *(form.is_valid() for form in self.line_forms.values())]
        return all(results)

    def sent_version(self) -> tuple[str | None, dt.datetime | None]:
        """The version and opening time the page sent (None when it sent none; a bad time is no time, and a
        bad version is a stale one)."""
        if not self.is_bound:
            return None, None
        try:
            opened_at = dt.datetime.fromisoformat(self.opened_at) if self.opened_at else None
        except ValueError:
            opened_at = None
        if opened_at is not None and timezone.is_naive(opened_at):
            opened_at = timezone.make_aware(opened_at)
        return self.version or None, opened_at

    def values(self) -> dict[str, Any]:
        """The whole report for the save: the summary and every line, the chosen one highlighted."""
        highlight = self.main.cleaned_data["highlight"]
        return {"summary": self.main.cleaned_data["summary"],
                "lines": {pk: {**{name: form.cleaned_data[name] for name in ProjectLineForm.Meta.fields},
                               "is_highlighted": pk == highlight}
                          for pk, form in self.line_forms.items()}}

    def add_errors(self, exc: ValidationError) -> None:
        """Put the action's refusal beside the fields it names."""
        if not hasattr(exc, "error_dict"):
            self.main.add_error(None, exc.messages)
            return
        for key, messages in exc.message_dict.items():
            form, name = self._field_of(key)
            if name is not None and name in form.errors:
                continue  # the form already says it (the same model rule)
            form.add_error(name, messages)

    def _field_of(self, key: str) -> tuple[forms.BaseForm, str | None]:
        """The form and field an action's error key names (None: the form's own errors)."""
        if key == "summary":
            return self.main, "summary"
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) in self.line_forms:
            form = self.line_forms[int(parts[1])]
            if len(parts) == 3 and parts[2] == "is_highlighted":
                return self.main, "highlight"
            return form, parts[2] if len(parts) == 3 and parts[2] in form.fields else None
        return self.main, None

    def add_conflict(self, message: str, changes: list[tuple[str, dt.datetime, tuple[str, ...]]], *,
                     version: str, stored: CityReport, stored_lines: list[ProjectReport]) -> None:
        """Someone saved the report after this form was drawn: say so, note beside each field they changed
        what they saved, and carry the current version, so that saving again replaces their changes
        knowingly."""
        self.main.add_error(None, message)
        self.is_conflict = True
        self.version, self.opened_at = version, timezone.now().isoformat()
        values = _stored_values(stored, stored_lines)
        for who, at, keys in reversed(changes):  # oldest first: the newest note wins
            when = formats.date_format(timezone.localtime(at), "DATETIME_FORMAT")
            for key in keys:
                value = values.get(key, "")
                self.notes[key] = (_("%(who)s saved here on %(when)s: “%(value)s”.")
                                   % {"who": who, "when": when, "value": value} if value else
                                   _("%(who)s emptied this field on %(when)s.") % {"who": who, "when": when})

    @property
    def problems(self) -> list[Problem]:
        found = [Problem("", "", str(message)) for message in self.main.non_field_errors()]
        for name in ("summary", "highlight"):
            field = self.main[name]
            target = field.auto_id if name == "summary" else "lines"
            found += [Problem(target, str(field.label), str(message)) for message in field.errors]
        for line in self.lines:
            form = self.line_forms[line.pk]
            name = line_name(line)
            found += [Problem(f"line-{line.pk}", name, str(message)) for message in form.non_field_errors()]
            for field in form:
                found += [Problem(field.auto_id, f"{name}: {field.label}", str(message)) for message in field.errors]
        return found

    @property
    def summary_note(self) -> str:
        return self.notes.get("summary", "")

    @property
    def rows(self) -> list[LineRow]:
        radios = {str(widget.data["value"]): widget for widget in self.main["highlight"].subwidgets}
        return [LineRow(line, self.line_forms[line.pk],
                        [FieldRow(field, self.notes.get(f"lines.{line.pk}.{field.name}", ""))
                         for field in self.line_forms[line.pk]],
                        radios.get(str(line.pk)), self.notes.get(f"lines.{line.pk}.is_highlighted", ""))
                for line in self.lines]

    @property
    def no_highlight(self) -> BoundWidget | None:
        return next((widget for widget in self.main["highlight"].subwidgets if widget.data["value"] == ""), None)


def line_name(line: ProjectReport) -> str:
    """The line as the page heads it: "A111 · Intelligent Operation Centre"."""
    project = line.project
    return f"{project.reference} · {project.title}" if project.reference else project.title


def _stored_values(report: CityReport, lines: list[ProjectReport]) -> dict[str, str]:
    """What is stored now, as the conflict notes quote it (long texts shortened)."""
    values = {"summary": Truncator(report.summary).chars(300)}
    for line in lines:
        key = f"lines.{line.pk}"
        values.update({
            f"{key}.status": str(line.get_status_display()),
            f"{key}.percent_complete": "" if line.percent_complete is None else f"{line.percent_complete} %",
            f"{key}.progress": Truncator(line.progress).chars(300),
            f"{key}.partner_support": Truncator(line.partner_support).chars(300),
            f"{key}.challenges": Truncator(line.challenges).chars(300),
            f"{key}.is_highlighted": str(_("highlighted") if line.is_highlighted else _("not highlighted")),
        })
    return values


class TransitionForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=ReportAction.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Required to return or reopen the report; recorded with the step."))
