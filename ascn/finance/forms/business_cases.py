"""The business case editor: the case form and its four tables (lines, loans, grants, risk drivers).

Rates are entered in per cent (8 for 8 %) and stored as fractions, as the engine and the API take them.
A line's yearly amounts are typed as a row of numbers; "200x10" repeats 200 for ten years; a row that stops
short of the horizon is padded with zeros (`calculation.pad_inputs`) and the editor says so. Every number is
shown as typed or in plain digits (1500000, 0.00001), never in exponent notation."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ascn.core.money import is_currency
from ascn.core.numbers import plain

from .. import calculation, engine
from ..choices import DistributionKind, DriverName, LineKind

if TYPE_CHECKING:
    from django.http import QueryDict
    from django_stubs_ext import StrOrPromise

    from ascn.plans.models import Project

    from ..models import BusinessCase

HUNDRED = Decimal(100)
DEFAULT_YEARS = 20
DELETE = forms.formsets.DELETION_FIELD_NAME


class PlainNumberInput(forms.NumberInput):
    """A number input that shows a stored number in plain digits (1500000, 0.00001, 10), never as Python
    writes it (1500000.0, 1e-05, Decimal 1E+1); what a person typed is shown as typed."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return plain(value)
        return super().format_value(value)


def amount_field(label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = "") -> forms.DecimalField:
    """An amount of money, not negative: up to 20 digits, 2 of them decimals."""
    return forms.DecimalField(label=label, required=required, help_text=help_text, min_value=0, max_digits=20,
                              decimal_places=2, widget=PlainNumberInput)


def percent_field(label: StrOrPromise, *, initial: int | None = None, required: bool = True,
                  help_text: StrOrPromise = "") -> forms.DecimalField:
    """A rate in per cent (8 for 8 %) from -99 to 1000, up to 7 digits, 3 of them decimals."""
    return forms.DecimalField(label=label, initial=initial, required=required, help_text=help_text, max_digits=7,
                              decimal_places=3, min_value=-99, max_value=1000, widget=PlainNumberInput)


def factor_field(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.DecimalField:
    """A conversion factor from financial to economic prices, from 0 to 10."""
    return forms.DecimalField(label=label, initial=1, min_value=0, max_value=10, max_digits=6, decimal_places=3,
                              help_text=help_text, widget=PlainNumberInput)


def whole_field(label: StrOrPromise, **options: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, widget=PlainNumberInput, **options)


def multiplier_field(label: StrOrPromise) -> forms.FloatField:
    return forms.FloatField(label=label, required=False, widget=PlainNumberInput)


def _fraction(value: Decimal | None) -> float | None:
    return float(value / HUNDRED) if value is not None else None


def _percent(value: float | None) -> Decimal | None:
    return (Decimal(str(value)) * HUNDRED).normalize() if value is not None else None


def parse_amounts(text: str) -> list[float]:
    """'1000 0 200x3' → [1000, 0, 200, 200, 200]; separators are spaces, commas or semicolons."""
    values: list[float] = []
    for token in re.split(r"[\s,;]+", text.strip()):
        if not token:
            continue
        amount, _sep, times = token.lower().replace("*", "x").partition("x")
        try:
            number = float(amount)
            count = int(times) if times else 1
        except ValueError:
            raise forms.ValidationError(_("“%(token)s” is not an amount (write 1500 or 200x10 for ten years of 200)."),
                                        params={"token": token}) from None
        if not math.isfinite(number) or not 1 <= count <= engine.MAX_YEARS + 1:
            raise forms.ValidationError(_("“%(token)s” is not an amount (write 1500 or 200x10 for ten years of 200)."),
                                        params={"token": token})
        values.extend([number] * count)
    return values


def format_amounts(values: list[float]) -> str:
    """The inverse of parse_amounts, runs of equal amounts written as 200x10, each amount in plain digits
    (1500000, not 1.5e+06)."""
    parts = []
    for value, run in itertools.groupby(values):
        count = len(list(run))
        text = plain(value)
        parts.append(f"{text}x{count}" if count > 1 else text)
    return " ".join(parts)


def row_example(years: int | None) -> str:
    """A row of amounts as long as the horizon (years 0 to `years`), for a placeholder: "1000 0 200x19"."""
    if not isinstance(years, int) or not 1 <= years <= engine.MAX_YEARS:
        years = DEFAULT_YEARS
    if years == 1:
        return "1000 200"
    return "1000 0 200" if years == 2 else f"1000 0 200x{years - 1}"


def parse_pairs(text: str, field: str) -> dict[str, float]:
    """'EUR=1.08, JPY=0.0067' → {"EUR": 1.08, "JPY": 0.0067}."""
    pairs: dict[str, float] = {}
    for item in re.split(r"[,;\n]+", text.strip()):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not key.strip() or not math.isfinite(number):
            raise forms.ValidationError(_("Write “%(example)s”; “%(item)s” is not in that form."),
                                        params={"example": field, "item": item.strip()})
        pairs[key.strip()] = number
    return pairs


class CaseForm(forms.Form):
    scenario = forms.CharField(label=_("Scenario"), max_length=100, initial=_("Base case"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD",
                               help_text=_("ISO 4217 code of the model's amounts."))
    start_year = whole_field(_("Calendar year of year 0"), required=False, min_value=1900, max_value=2200)
    years = whole_field(_("Horizon (years)"), min_value=1, max_value=engine.MAX_YEARS, initial=DEFAULT_YEARS,
                        help_text=_("Flows run from year 0 to this year."))
    discount_rate = percent_field(_("Discount rate (%)"), initial=8)
    economic_discount_rate = percent_field(_("Economic discount rate (%)"), required=False,
                                           help_text=_("Social discount rate; empty: the financial rate."))
    inflation = percent_field(_("Inflation (% a year)"), initial=0,
                              help_text=_("Operating costs and revenues marked to escalate grow with it."))
    residual_value = amount_field(_("Residual value"), required=False,
                                  help_text=_("Value of the assets at the end of the horizon."))
    factor_capex = factor_field(_("Conversion factor: capital cost"))
    factor_opex = factor_field(_("Conversion factor: operating cost"))
    factor_revenue = factor_field(_("Conversion factor: revenue"),
                                  _("Economic value of 1 unit of financial price (taxes and subsidies removed)."))
    rates = forms.CharField(label=_("Exchange rates"), required=False,
                            help_text=_("Value of 1 unit of each other currency in the model's currency, "
                                        "e.g. “EUR=1.08, JPY=0.0067”."))
    sensitivity_change = forms.DecimalField(label=_("Tornado range (± %)"), initial=20, min_value=1, max_value=99,
                                            max_digits=5, decimal_places=2, widget=PlainNumberInput)
    scenarios = forms.CharField(label=_("Named scenarios"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("One per line: “Pessimistic: capex=1.3, revenue=0.8”."))
    iterations = whole_field(_("Monte Carlo iterations"), initial=10_000, min_value=100, max_value=100_000)
    seed = whole_field(_("Random seed"), required=False, min_value=0, max_value=2**63 - 1,
                       help_text=_("Same seed, same result; empty: one is chosen and kept."))
    is_preferred = forms.BooleanField(label=_("Preferred scenario"), required=False,
                                      help_text=_("The readiness score takes its figures from it."))
    is_published = forms.BooleanField(label=_("Published"), required=False,
                                      help_text=_("Shown on the public portal when the project is published."))

    GROUPS = {
        "scenario": ("scenario", "description", "is_preferred", "is_published"),
        "model": ("currency", "start_year", "years", "discount_rate", "economic_discount_rate", "inflation",
                  "residual_value", "rates"),
        "prices": ("factor_capex", "factor_opex", "factor_revenue"),
        "sensitivity": ("sensitivity_change", "scenarios"),
        "risk": ("iterations", "seed"),
    }

    @property
    def groups(self) -> dict[str, list[forms.BoundField]]:
        """The editor's fieldsets, each with its fields in order."""
        return {name: [self[field] for field in fields] for name, fields in self.GROUPS.items()}

    def clean_currency(self) -> str:
        code = self.cleaned_data["currency"].strip().upper()
        if not is_currency(code):
            raise forms.ValidationError(_("“%(code)s” is not an ISO 4217 currency code."), params={"code": code})
        return code

    def clean_rates(self) -> dict[str, float]:
        rates = parse_pairs(self.cleaned_data["rates"], "EUR=1.08")
        return {code.upper(): value for code, value in rates.items()}

    def clean_scenarios(self) -> dict[str, dict[str, float]]:
        named: dict[str, dict[str, float]] = {}
        for line in self.cleaned_data["scenarios"].splitlines():
            if not line.strip():
                continue
            name, sep, pairs = line.partition(":")
            if not sep or not name.strip():
                raise forms.ValidationError(_("Write “%(example)s”; “%(item)s” is not in that form."),
                                            params={"example": "Pessimistic: capex=1.3", "item": line.strip()})
            named[name.strip()] = parse_pairs(pairs, "capex=1.3")
        return named


class RowForm(forms.Form):
    """A row of one of the editor's tables."""

    note: StrOrPromise = ""  # how the row was read (a padded line), shown under it

    @property
    def cells(self) -> list[forms.BoundField]:
        """The row's fields but its removal mark, which the row's Remove button sets."""
        return [field for field in self.visible_fields() if field.name != DELETE]

    @property
    def removed(self) -> bool:
        return self.is_bound and DELETE in self.fields and bool(self[DELETE].data)


class LineForm(RowForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=LineKind.choices, initial=LineKind.CAPEX)
    label = forms.CharField(label=_("Label"), max_length=200, required=False)
    values = forms.CharField(label=_("Amounts by year (from year 0)"), max_length=5000,
                             widget=forms.TextInput(attrs={"class": "wide", "placeholder": row_example(None)}))
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False,
                               widget=forms.TextInput(attrs={"size": 4}))
    escalate = forms.BooleanField(label=_("Grows with inflation"), required=False, initial=True)

    def clean_values(self) -> list[float]:
        return parse_amounts(self.cleaned_data["values"])

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def fit(self, years: int | None) -> None:
        """Its placeholder as long as the horizon."""
        self.fields["values"].widget.attrs["placeholder"] = row_example(years)


class LoanForm(RowForm):
    principal = amount_field(_("Principal"))
    rate = percent_field(_("Interest (%)"))
    tenor_years = whole_field(_("Repayment years"), min_value=1, max_value=engine.MAX_YEARS)
    grace_years = whole_field(_("Grace years"), min_value=0, max_value=engine.MAX_YEARS, initial=0)
    repayment = forms.ChoiceField(label=_("Repayment"), choices=[("annuity", _("Annuity")),
                                                                 ("straight", _("Straight-line"))],
                                  initial="annuity")
    drawdown_year = whole_field(_("Drawn in year"), min_value=0, max_value=engine.MAX_YEARS, initial=0)
    capitalise_grace_interest = forms.BooleanField(label=_("Interest during grace added to the loan"),
                                                   required=False, initial=True)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False,
                               widget=forms.TextInput(attrs={"size": 4}))

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()


class GrantForm(RowForm):
    amount = amount_field(_("Amount"))
    year = whole_field(_("Year"), min_value=0, max_value=engine.MAX_YEARS, initial=0)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False,
                               widget=forms.TextInput(attrs={"size": 4}))

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()


class DriverForm(RowForm):
    """A driver's multiplier as a distribution: 0.9 / 1.0 / 1.4 is -10 % / as modelled / +40 %."""

    driver = forms.ChoiceField(label=_("Driver"), choices=DriverName.choices, initial=DriverName.CAPEX)
    kind = forms.ChoiceField(label=_("Distribution"), choices=DistributionKind.choices,
                             initial=DistributionKind.TRIANGULAR)
    low = multiplier_field(_("Low"))
    mode = multiplier_field(_("Most likely"))
    high = multiplier_field(_("High"))
    mean = multiplier_field(_("Mean"))
    sd = multiplier_field(_("Std. dev."))


class RemoveMark(forms.CheckboxInput):
    """A row's removal mark: hidden, set by the row's Remove button (static/js/case_editor.js)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"hidden": True, "data-remove-mark": "", **(attrs or {})})


class RowFormSet(forms.BaseFormSet[Any]):
    """A table of the editor: rows are added and removed in place, a removed row keeps its place with its
    removal mark set until the case is saved."""

    deletion_widget = RemoveMark


def _formset(form: type[RowForm], extra: int, max_num: int) -> type[forms.BaseFormSet[Any]]:
    return forms.formset_factory(form, formset=RowFormSet, extra=extra, max_num=max_num, validate_max=True,
                                 can_delete=True)


LineFormSet = _formset(LineForm, 1, engine.MAX_LINES)
LoanFormSet = _formset(LoanForm, 0, 20)
GrantFormSet = _formset(GrantForm, 0, 20)
DriverFormSet = _formset(DriverForm, 0, len(engine.DRIVERS))
FORMSETS: dict[str, type[forms.BaseFormSet[Any]]] = {
    "lines": LineFormSet, "loans": LoanFormSet, "grants": GrantFormSet, "drivers": DriverFormSet}


class TableFull(ValueError):
    """The table already has as many rows as it may."""


@dataclass
class NewRow:
    """A row added to a table of the editor: its form, numbered after the rows the page has, and the
    table's form count with it (the page's TOTAL_FORMS from now on); `last`: no row may follow it."""

    form: RowForm
    total: int
    last: bool


def new_row(data: QueryDict, prefix: str) -> NewRow:
    """An empty row for the table `prefix` (one of FORMSETS) of the editor posted in `data`, with the
    defaults of a first row: its kind, currency (the model's), first year and, for a line, a placeholder
    as long as the horizon typed so far; a driver not yet in the table. Unbound, so it shows no error until
    it is typed in or saved. ValueError when the posted form count is not a number, TableFull when the
    table's rows (but the removed ones) are already as many as it may have."""
    formset = FORMSETS[prefix](prefix=prefix)
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
    except ValueError:
        raise ValueError(f"{prefix}-TOTAL_FORMS is not a number") from None
    if not 0 <= total <= formset.absolute_max:
        raise ValueError(f"{prefix}-TOTAL_FORMS is out of range")
    kept = [i for i in range(total) if not data.get(f"{prefix}-{i}-{DELETE}")]
    if len(kept) >= formset.max_num:
        raise TableFull(prefix)
    initial = {}
    if prefix == "drivers":
        used = {data.get(f"drivers-{i}-driver") for i in kept}
        initial["driver"] = next((name for name in engine.DRIVERS if name not in used), engine.DRIVERS[0])
    form = formset.form(auto_id=formset.auto_id, prefix=formset.add_prefix(total), initial=initial,
                        empty_permitted=True, use_required_attribute=False)
    formset.add_fields(form, total)
    if isinstance(form, LineForm):
        form.fit(_whole(data.get("years")))
    return NewRow(form, total + 1, len(kept) + 1 >= formset.max_num)


def _whole(text: object) -> int | None:
    try:
        return int(str(text))
    except ValueError:
        return None


@dataclass
class CaseEditor:
    """The case form and its four tables, to and from a business case's stored JSON."""

    form: CaseForm
    formsets: dict[str, forms.BaseFormSet[Any]]
    # Lines padded to the horizon by the last `data()`: (the row's form index, what was padded).
    paddings: list[tuple[int, engine.Padding]] = field(default_factory=list)

    def __post_init__(self) -> None:
        years = _whole(self.form.data.get("years")) if self.form.is_bound else self.form.initial.get("years")
        for form in [*self.formsets["lines"].forms, self.formsets["lines"].empty_form]:
            form.fit(years)

    @classmethod
    def bound(cls, data: QueryDict) -> CaseEditor:
        """From a POST."""
        return cls(CaseForm(data), {prefix: formset_class(data, prefix=prefix)
                                    for prefix, formset_class in FORMSETS.items()})

    @classmethod
    def for_case(cls, case: BusinessCase | None, project: Project) -> CaseEditor:
        if case is None:
            years = DEFAULT_YEARS
            initial = {"currency": project.currency or "USD", "years": years,
                       "start_year": project.start_date.year if project.start_date else None}
            lines = [{"kind": "capex", "label": _("Capital cost"),
                      "values": format_amounts([float(project.cost_estimate or 0)] + [0.0] * years)}]
            return cls(CaseForm(initial=initial),
                       {prefix: formset_class(prefix=prefix, initial=lines if prefix == "lines" else None)
                        for prefix, formset_class in FORMSETS.items()})
        inputs, risk, sensitivity = case.inputs, case.risk, case.sensitivity
        factors = inputs.get("conversion_factors") or {}
        initial = {
            "scenario": case.scenario, "description": case.description, "currency": inputs.get("currency", "USD"),
            "start_year": inputs.get("start_year"), "years": inputs["years"],
            "discount_rate": _percent(inputs["discount_rate"]),
            "economic_discount_rate": _percent(inputs.get("economic_discount_rate")),
            "inflation": _percent(inputs.get("inflation", 0.0)), "residual_value": inputs.get("residual_value") or None,
            "factor_capex": factors.get("capex", 1), "factor_opex": factors.get("opex", 1),
            "factor_revenue": factors.get("revenue", 1),
            "rates": ", ".join(f"{code}={plain(rate)}" for code, rate in (inputs.get("rates") or {}).items()),
            "sensitivity_change": _percent(sensitivity.get("change", 0.2)),
            "scenarios": "\n".join(f"{name}: " + ", ".join(f"{k}={plain(v)}" for k, v in multipliers.items())
                                   for name, multipliers in (sensitivity.get("scenarios") or {}).items()),
            "iterations": risk.get("iterations", 10_000), "seed": risk.get("seed"),
            "is_preferred": case.is_preferred, "is_published": case.is_published,
        }
        tables = {
            "lines": [{**line, "values": format_amounts(line["values"])} for line in inputs.get("lines", [])],
            "loans": [{**loan, "rate": _percent(loan["rate"])} for loan in inputs.get("loans", [])],
            "grants": list(inputs.get("grants", [])),
            "drivers": [{"driver": name, **spec} for name, spec in (risk.get("drivers") or {}).items()],
        }
        formsets = {prefix: formset_class(prefix=prefix, initial=tables[prefix])
                    for prefix, formset_class in FORMSETS.items()}
        for prefix in ("loans", "grants", "drivers"):
            formsets[prefix].extra = 0
        return cls(CaseForm(initial=initial), formsets)

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), *(f.is_valid() for f in self.formsets.values())])

    def _rows(self, prefix: str) -> list[tuple[int, dict[str, Any]]]:
        """The filled rows of a table with their form index, without their removal mark (empty extra rows
        and removed rows are skipped)."""
        return [(i, {name: value for name, value in form.cleaned_data.items() if name != DELETE})
                for i, form in enumerate(self.formsets[prefix].forms)
                if form.has_changed() and form.cleaned_data and not form.cleaned_data.get(DELETE)]

    def data(self) -> dict[str, Any]:
        """What `actions.create_business_case` takes, lines padded to the horizon (`paddings` says which,
        and each padded row gets its note); call after is_valid()."""
        d = self.form.cleaned_data
        inputs: dict[str, Any] = {
            "years": d["years"], "discount_rate": _fraction(d["discount_rate"]), "currency": d["currency"],
            "start_year": d["start_year"], "rates": d["rates"], "inflation": _fraction(d["inflation"]) or 0.0,
            "residual_value": float(d["residual_value"] or 0), "economic_discount_rate":
                _fraction(d["economic_discount_rate"]),
            "conversion_factors": {"capex": float(d["factor_capex"]), "opex": float(d["factor_opex"]),
                                   "revenue": float(d["factor_revenue"])},
            "lines": [{"kind": r["kind"], "values": r["values"], "label": r["label"], "currency": r["currency"],
                       "escalate": r["escalate"]} for _i, r in self._rows("lines")],
            "loans": [{**r, "principal": float(r["principal"]), "rate": _fraction(r["rate"])}
                      for _i, r in self._rows("loans")],
            "grants": [{**r, "amount": float(r["amount"])} for _i, r in self._rows("grants")],
        }
        inputs, paddings = calculation.pad_inputs(inputs)
        self._note_paddings(paddings, d["start_year"])
        drivers = {r["driver"]: {k: r[k] for k in ("kind", "low", "mode", "high", "mean", "sd")}
                   for _i, r in self._rows("drivers")}
        risk = {"drivers": drivers, "iterations": d["iterations"], "seed": d["seed"]} if drivers else {}
        sensitivity = {"change": _fraction(d["sensitivity_change"]), "scenarios": d["scenarios"]}
        return {"scenario": d["scenario"].strip(), "description": d["description"], "inputs": inputs, "risk": risk,
                "sensitivity": sensitivity, "is_preferred": d["is_preferred"], "is_published": d["is_published"]}

    def _note_paddings(self, paddings: tuple[engine.Padding, ...], start_year: int | None) -> None:
        rows, forms_ = self._rows("lines"), self.formsets["lines"].forms
        self.paddings = [(rows[padding.line][0], padding) for padding in paddings]
        for index, padding in self.paddings:
            forms_[index].note = _("Padded with 0 for %(years)s.") % {
                "years": calculation.padded_years(padding, start_year)}

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the engine's problems ("inputs.lines[2].values") next to the field they name."""
        for name, messages in errors.items():
            target = self._field_for(name)
            for message in messages:
                if target is None:
                    self.form.add_error(None, f"{name}: {message}")
                else:
                    form, field = target
                    form.add_error(field if field in form.fields else None, message)

    def _field_for(self, name: str) -> tuple[forms.Form, str] | None:
        match = re.fullmatch(r"inputs\.(lines|loans|grants)\[(\d+)\](?:\.(\w+))?", name)
        if match:
            prefix, position, field = match.group(1), int(match.group(2)), match.group(3) or ""
            rows = self._rows(prefix)
            if position < len(rows):
                return self.formsets[prefix].forms[rows[position][0]], field
            return None
        match = re.fullmatch(r"risk\.drivers\.(\w+)(?:\.(\w+))?", name)
        if match:
            for index, row in self._rows("drivers"):
                if row["driver"] == match.group(1):
                    return self.formsets["drivers"].forms[index], match.group(2) or ""
            return None
        simple = {"inputs.years": "years", "inputs.discount_rate": "discount_rate", "inputs.currency": "currency",
                  "inputs.inflation": "inflation", "inputs.residual_value": "residual_value",
                  "inputs.economic_discount_rate": "economic_discount_rate", "risk.iterations": "iterations",
                  "risk.seed": "seed", "sensitivity.change": "sensitivity_change", "scenario": "scenario"}
        if name in simple:
            return self.form, simple[name]
        if name.startswith(("inputs.rates", "inputs.lines")):
            return self.form, "rates" if "rates" in name else ""
        if name.startswith("sensitivity.scenarios"):
            return self.form, "scenarios"
        if name.startswith("inputs.conversion_factors."):
            return self.form, "factor_" + name.rsplit(".", 1)[1]
        return None

