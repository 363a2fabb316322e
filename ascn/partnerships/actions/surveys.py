"""Every write of needs surveys: building a survey and its questions, choosing cities, opening and closing it,
a city's answers (draft, submit; refused once the survey has closed), answers uploaded for cities that
answered on paper, and a need made from an answer. Permission checked, validated, atomic, one audit entry
per write."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.formats import date_format
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core import audit, imports, tabular
from ascn.core.choices import AuditAction
from ascn.core.models import User
from ascn.core.money import is_currency
from ascn.core.permissions import can_edit, require_create, require_edit, require_secretariat
from ascn.framework.choices import NodeKind
from ascn.framework.models import FrameworkNode
from ascn.network.models import City
from ascn.plans.models import Project

from ..choices import NeedState, QuestionKind, ResponseState, SurveyState
from ..models import Need, Question, Survey, SurveyResponse
from ..queries.surveys import closed_for_answers
from .offers import _need_data, _set_tags

if TYPE_CHECKING:
    from ascn.core.permissions import Actor
    from ascn.network.models import Partner

SURVEY_FIELDS = {"title", "description", "closes_at"}
QUESTION_FIELDS = {"kind", "text", "help_text", "choices", "required"}
CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
MAX_TEXT = 4000
MAX_CHOICES = 50
CENT = Decimal("0.01")
UPLOADS = "survey-uploads"


def _when(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# --- Surveys --------------------------------------------------------------------------------------------


def _require_owner(actor: Actor, owner: Partner | None) -> None:
    """The Secretariat builds its own surveys and anyone's; a partner only its own organisation's."""
    if owner is None:
        require_secretariat(actor)
    else:
        require_create(actor, Survey, partner_id=owner.pk)


def _check_closes_at(survey: Survey) -> None:
    if survey.state != SurveyState.CLOSED and survey.closes_at is not None and survey.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing time has passed: give a later one.")})


def create_survey(actor: Actor, owner: Partner | None, data: dict[str, Any], *, cities: Iterable[City] = (),
                  via: str = "web") -> Survey:
    """A new draft survey of `owner` (None: the Secretariat's own) sent to `cities` once opened."""
    _require_owner(actor, owner)
    survey = Survey(owner=owner, state=SurveyState.DRAFT, **core.only_fields(data, SURVEY_FIELDS))
    survey.full_clean()
    _check_closes_at(survey)
    with transaction.atomic():
        survey.save()
        values = audit.as_json(audit.snapshot(survey))
        changes: dict[str, list[Any]] = {name: [None, value] for name, value in values.items()}
        change = core.set_links(survey.cities, cities, "slug")
        if change is not None:
            changes["cities"] = change
        core.record(actor, AuditAction.CREATE, survey, changes, via)
    return survey


def update_survey(actor: Actor, survey: Survey, data: dict[str, Any], *, cities: Iterable[City] | None = None,
                  via: str = "web") -> dict[str, list[Any]]:
    """Change a survey's title, description, closing time and cities (the cities not once it is closed);
    returns {field: [old, new]} ({} when nothing changed, nothing written)."""
    require_edit(actor, survey)
    before = audit.snapshot(survey)
    for name, value in core.only_fields(data, SURVEY_FIELDS).items():
        setattr(survey, name, value)
    survey.full_clean()
    if survey.closes_at != before["closes_at"]:
        _check_closes_at(survey)
    if cities is not None and survey.state == SurveyState.CLOSED:
        cities = list(cities)
        if sorted(c.slug for c in cities) != sorted(survey.cities.values_list("slug", flat=True)):
            raise ValidationError({"cities": _("The survey is closed: its cities no longer change.")})
    with transaction.atomic():
        changes = audit.diff(before, audit.snapshot(survey))
        if changes:
            survey.save()
        if cities is not None:
            change = core.set_links(survey.cities, cities, "slug")
            if change is not None:
                changes["cities"] = change
        if changes:
            core.record(actor, AuditAction.UPDATE, survey, changes, via)
    return changes


def open_survey(actor: Actor, survey: Survey, via: str = "web") -> dict[str, list[Any]]:
    """Open a draft (or reopen a closed survey) for the chosen cities' answers. Refused without a question,
    without a city, or with a closing time already past."""
    require_edit(actor, survey)
    if survey.state == SurveyState.OPEN:
        return {}
    if not survey.questions.exists():
        raise ValidationError({"questions": _("Add at least one question before opening the survey.")})
    if not survey.cities.exists():
        raise ValidationError({"cities": _("Choose the cities asked before opening the survey.")})
    if survey.closes_at is not None and survey.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing time %(when)s has passed: give a later one to open "
                                              "the survey.") % {"when": _when(survey.closes_at)}})
    data: dict[str, Any] = {"state": SurveyState.OPEN, "closed_at": None}
    if survey.opened_at is None:
        data["opened_at"] = timezone.now()
    with transaction.atomic():
        return core.update_audited(actor, survey, data, via)


def close_survey(actor: Actor, survey: Survey, via: str = "web") -> dict[str, list[Any]]:
    """Close an open survey: no more answers are taken; the results stay."""
    require_edit(actor, survey)
    if survey.state == SurveyState.CLOSED:
        return {}
    if survey.state == SurveyState.DRAFT:
        raise ValidationError({"state": _("A draft survey is not open: there is nothing to close.")})
    with transaction.atomic():
        return core.update_audited(actor, survey, {"state": SurveyState.CLOSED, "closed_at": timezone.now()}, via)


# --- Questions (while the survey is a draft) -----------------------------------------------------------


def _require_draft(actor: Actor, survey: Survey) -> None:
    require_edit(actor, survey)
    if survey.state != SurveyState.DRAFT:
        raise ValidationError({"questions": _("The survey has been opened: its questions no longer change.")})


def _clean_choices(kind: str, choices: Any) -> list[str]:
    if kind not in CHOICE_KINDS:
        return []
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise ValidationError({"choices": _("Give the choices as a list of texts.")})
    cleaned = [c.strip() for c in choices if c.strip()]
    if not cleaned:
        raise ValidationError({"choices": _("Give at least one choice, one a line.")})
    if len(cleaned) > MAX_CHOICES:
        raise ValidationError({"choices": _("Give at most %(n)s choices.") % {"n": MAX_CHOICES}})
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError({"choices": _("A choice is given twice.")})
    return cleaned


def _question_data(data: dict[str, Any], kind: str) -> dict[str, Any]:
    data = core.only_fields(data, QUESTION_FIELDS)
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Unknown kind “%(value)s” (known: %(known)s).") % {
            "value": kind, "known": ", ".join(QuestionKind.values)}})
    data["choices"] = _clean_choices(kind, data.get("choices", []))
    return data


def add_question(actor: Actor, survey: Survey, data: dict[str, Any], via: str = "web") -> Question:
    """Add a question at the end of a draft survey."""
    _require_draft(actor, survey)
    kind = str(data.get("kind", ""))
    last = survey.questions.order_by("-position").values_list("position", flat=True).first()
    question = Question(survey=survey, position=0 if last is None else last + 1, **_question_data(data, kind))
    question.full_clean()
    with transaction.atomic():
        return core.create_audited(actor, question, via)


def update_question(actor: Actor, question: Question, data: dict[str, Any], via: str = "web") -> dict[str, list]:
    """Change a question of a draft survey; {} when nothing changed."""
    _require_draft(actor, question.survey)
    kind = str(data.get("kind", question.kind))
    cleaned = _question_data({"kind": kind, "choices": question.choices, **data}, kind)
    with transaction.atomic():
        return core.update_audited(actor, question, cleaned, via)


def delete_question(actor: Actor, question: Question, via: str = "web") -> None:
    _require_draft(actor, question.survey)
    with transaction.atomic():
        core.delete_audited(actor, question, via)


def move_question(actor: Actor, question: Question, step: int, via: str = "web") -> dict[str, list]:
    """Move a question one place up (`step` -1) or down (+1) among its survey's questions: the questions are
    renumbered 0, 1, 2… in their new order; the audit entry (on the survey) holds the order before and
    after, by question id."""
    survey = question.survey
    _require_draft(actor, survey)
    order = list(survey.questions.order_by("position", "id"))
    index = next(i for i, q in enumerate(order) if q.pk == question.pk)
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(order):
        return {}
    before = [q.pk for q in order]
    order[index], order[target] = order[target], order[index]
    with transaction.atomic():
        for position, item in enumerate(order):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
        changes = {"question_order": [before, [q.pk for q in order]]}
        core.record(actor, AuditAction.UPDATE, survey, changes, via)
    return changes


# --- Answers ---------------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    return value is None or value == "" or value == []


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "")) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _as_list(value: Any) -> list[Any] | None:
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return list(value) if isinstance(value, list | tuple) else None


@dataclass
class AnswerContext:
    """What answers are checked against: the focus areas' codes and the ids of the projects of the city the
    actor may see."""

    focus_codes: set[str]
    project_ids: set[int] = field(default_factory=set)


def answer_context(actor: Actor | None, city: City) -> AnswerContext:
    codes = set(FrameworkNode.objects.filter(kind=NodeKind.FOCUS_AREA).values_list("code", flat=True))
    projects = set(Project.objects.visible_to(actor).filter(city=city).values_list("pk", flat=True))
    return AnswerContext(codes, projects)


def clean_value(question: Question, value: Any, context: AnswerContext) -> Any:
    """One answer as stored (see `clean_answers`), or ValidationError naming the question's field."""
    key = f"q{question.pk}"
    kind = question.kind
    if kind == QuestionKind.SINGLE:
        if not isinstance(value, str) or value not in question.choices:
            raise ValidationError({key: _("Choose one of the listed answers (“%(value)s” is not one).")
                                   % {"value": str(value)[:80]}})
        return value
    if kind in (QuestionKind.MULTIPLE, QuestionKind.FOCUS_AREAS):
        values = _as_list(value)
        allowed = set(question.choices) if kind == QuestionKind.MULTIPLE else context.focus_codes
        if values is None or not all(isinstance(v, str) for v in values):
            raise ValidationError({key: _("Give a list of answers.")})
        unknown = [v for v in values if v not in allowed]
        if unknown:
            message = (_("“%(value)s” is not one of the listed answers.") if kind == QuestionKind.MULTIPLE
                       else _("“%(value)s” is not a focus area of the framework."))
            raise ValidationError({key: message % {"value": unknown[0][:80]}})
        return list(dict.fromkeys(values))
    if kind == QuestionKind.NUMBER:
        number = _decimal(value)
        if number is None:
            raise ValidationError({key: _("Give a number (“%(value)s” is not one).") % {"value": str(value)[:80]}})
        return _plain(number)
    if kind == QuestionKind.MONEY:
        return _clean_money(key, value)
    if kind == QuestionKind.TEXT:
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValidationError({key: _("Keep the answer within %(n)s characters.") % {"n": MAX_TEXT}})
        return text
    pk = value if isinstance(value, int) and not isinstance(value, bool) else (
        int(str(value).lstrip("#").split()[0]) if str(value).lstrip("#").split()[:1]
        and str(value).lstrip("#").split()[0].isdigit() else None)
    if pk is None or pk not in context.project_ids:
        raise ValidationError({key: _("Choose a project of the city.")})
    return pk


def _plain(number: Decimal) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _clean_money(key: str, value: Any) -> dict[str, str]:
    if isinstance(value, str):
        parts = value.split()
        value = ({"currency": parts[0], "amount": parts[1]} if len(parts) == 2 and parts[0].isalpha()
                 else {"currency": "", "amount": value})
    if not isinstance(value, dict):
        raise ValidationError({key: _("Give an amount and its currency.")})
    amount = _decimal(value.get("amount"))
    if amount is None:
        raise ValidationError({f"{key}_amount": _("Give an amount (“%(value)s” is not one).")
                               % {"value": str(value.get("amount", ""))[:80]}})
    if amount < 0:
        raise ValidationError({f"{key}_amount": _("The amount cannot be below zero.")})
    currency = str(value.get("currency") or "").strip().upper()
    if not currency:
        raise ValidationError({f"{key}_currency": _("Give the currency of the amount.")})
    if not is_currency(currency):
        raise ValidationError({f"{key}_currency": _("“%(code)s” is not an ISO 4217 currency code.")
                               % {"code": currency}})
    return {"amount": f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):f}", "currency": currency}


def clean_answers(questions: list[Question], raw: dict[str, Any], context: AnswerContext, *,
                  complete: bool) -> dict[str, Any]:
    """{str(question id): value} as stored: a choice's text; a list of choices or of focus-area codes; a
    number as text ("12.5"); money as {"amount": "1000.00", "currency": "JPY"}; text; a project's id. Blank
    answers are left out; with `complete` a required question left blank is refused. Every error is
    collected, each under its question's field ("q<id>"; a money question's "q<id>_amount" or
    "q<id>_currency")."""
    known = {str(q.pk) for q in questions}
    unknown = sorted(set(map(str, raw)) - known)
    if unknown:
        raise ValidationError({"answers": _("No question %(ids)s in this survey.") % {"ids": ", ".join(unknown)}})
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for question in questions:
        value = raw.get(str(question.pk))
        if _blank(value):
            if complete and question.required:
                errors[f"q{question.pk}"] = [_("Answer this question: it is required.")]
            continue
        try:
            cleaned[str(question.pk)] = clean_value(question, value, context)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def late_message(survey: Survey) -> str:
    """Why the survey takes no answers now, naming when it closed ("" while it takes them)."""
    if survey.state == SurveyState.DRAFT:
        return _("This survey is not open yet.")
    if not closed_for_answers(survey):
        return ""
    passed = survey.closes_at is not None and (survey.closed_at is None or survey.closes_at <= survey.closed_at)
    moment = survey.closes_at if passed else survey.closed_at
    return _("This survey closed on %(when)s: answers are no longer taken.") % {"when": _when(moment)}


def refuse_late(survey: Survey) -> None:
    """Refuse an answer to a survey that no longer takes them (or not yet), saying when it closed."""
    message = late_message(survey)
    if message:
        raise ValidationError({"survey": _("%(reason)s Nothing was saved.") % {"reason": message}})


def save_answers(actor: Actor, survey: Survey, city: City, raw: dict[str, Any], *, submit: bool,
                 via: str = "web") -> SurveyResponse:
    """Save the city's answers as a draft, or submit them (every required question answered). The city's
    officers (and the Secretariat) answer, while the survey is open and before its closing time; a
    submitted answer may be changed and submitted again until then, not put back to draft."""
    if not survey.cities.filter(pk=city.pk).exists():
        raise PermissionDenied(_("This survey was not sent to %(city)s.") % {"city": city.name})
    response = SurveyResponse.objects.filter(survey=survey, city=city).first()
    if response is None:
        require_create(actor, SurveyResponse, city_id=city.pk)
        response = SurveyResponse(survey=survey, city=city)
    else:
        require_edit(actor, response)
    refuse_late(survey)
    if response.state == ResponseState.SUBMITTED and not submit:
        raise ValidationError({"state": _("This answer is submitted: submit your changes, a submitted answer does "
                                          "not go back to draft.")})
    from ..queries.surveys import questions as survey_questions

    answers = clean_answers(survey_questions(survey), raw, answer_context(actor, city), complete=submit)
    creating = response.pk is None
    before = audit.snapshot(response) if not creating else {}
    response.answers = answers
    if submit:
        response.state = ResponseState.SUBMITTED
        response.submitted_at = timezone.now()
        response.submitted_by = actor if isinstance(actor, User) else None
    with transaction.atomic():
        if creating:
            core.create_audited(actor, response, via)
        else:
            changes = audit.diff(before, audit.snapshot(response))
            if changes:
                response.save()
                core.record(actor, AuditAction.UPDATE, response, changes, via)
    return response


# --- A need made from an answer --------------------------------------------------------------------------


def make_need(actor: Actor, response: SurveyResponse, data: dict[str, Any], *,
              tags: Iterable[FrameworkNode] = (), via: str = "web") -> Need:
    """A draft need of the answer's city made from its submitted answer (`Need.response` keeps the link):
    the city's officers and the Secretariat, as for any need of the city."""
    require_create(actor, Need, city_id=response.city_id)
    if response.state != ResponseState.SUBMITTED:
        raise ValidationError({"response": _("Only a submitted answer becomes a need.")})
    need = Need(city=response.city, response=response, state=NeedState.DRAFT, **_need_data(data))
    need.full_clean()
    with transaction.atomic():
        need.save()
        values = audit.as_json(audit.snapshot(need))
        changes: dict[str, list[Any]] = {name: [None, value] for name, value in values.items()}
        change = _set_tags(need, tags)
        if change is not None:
            changes["tags"] = change
        core.record(actor, AuditAction.CREATE, need, changes, via)
    return need


# --- Answers uploaded for cities that answered on paper -------------------------------------------------

QUESTION_COLUMN = re.compile(r"^Q(\d+)\b", re.IGNORECASE)


@dataclass
class _Planned:
    row: int
    city: City
    answers: dict[str, Any]
    response: SurveyResponse | None


def require_upload(actor: Actor, survey: Survey) -> None:
    """Answers on paper are uploaded by the Secretariat and the partner that owns the survey, to an open or
    closed survey (answers on paper may be typed in after the closing time)."""
    if not can_edit(actor, survey):
        raise PermissionDenied(_("Only the ASEAN Secretariat and the survey's partner upload answers."))
    if survey.state == SurveyState.DRAFT:
        raise ValidationError({"survey": _("Open the survey before uploading answers.")})


def _columns(header: list[str], questions: list[Question]) -> dict[str, Question]:
    """{column name: question} of the header's "Q<n>…" columns (n: the question's number, from 1)."""
    found: dict[str, Question] = {}
    for name in header:
        match = QUESTION_COLUMN.match(name)
        if match:
            number = int(match[1])
            if not 1 <= number <= len(questions):
                raise tabular.FileProblem(_("Column “%(name)s”: the survey has no question %(n)s.")
                                          % {"name": name, "n": number})
            found[name] = questions[number - 1]
    if "city" not in header:
        raise tabular.FileProblem(_("The file has no “city” column (the city's slug or name)."))
    if not found:
        raise tabular.FileProblem(_("The file has no question column (“Q1”, “Q2”… as in the export)."))
    return found


def _cell_value(question: Question, cell: Any) -> Any:
    text = tabular.cell_text(cell)
    if question.kind in (QuestionKind.MULTIPLE, QuestionKind.FOCUS_AREAS):
        return [part.strip() for part in text.split(";") if part.strip()]
    if question.kind == QuestionKind.NUMBER and isinstance(cell, int | float) and not isinstance(cell, bool):
        return Decimal(str(cell))
    return text


def _answered_online(response: SurveyResponse | None) -> bool:
    return response is not None and not response.on_paper and response.state == ResponseState.SUBMITTED


def _read_upload(survey: Survey, name: str, data: bytes) -> tuple[tabular.Table, list[Question], dict[str, Question]]:
    """The file's rows, the survey's questions and its question columns (FileProblem: the file as a whole)."""
    from ..queries.surveys import questions as survey_questions

    table = tabular.read_table(name, data)
    questions = survey_questions(survey)
    return table, questions, _columns(table.header, questions)


def _check_upload(actor: Actor, survey: Survey, read: tuple[tabular.Table, list[Question], dict[str, Question]],
                  summary: imports.ImportSummary) -> list[_Planned]:
    table, questions, columns = read
    asked = {c.slug: c for c in survey.cities.select_related("country")}
    by_name = {c.name.casefold(): c for c in asked.values()}
    existing = {r.city_id: r for r in SurveyResponse.objects.filter(survey=survey)}
    plan: list[_Planned] = []
    seen: set[int] = set()
    for row in tabular.rows_of(table):
        key = row.text("city")
        city = asked.get(key) or by_name.get(key.casefold())
        if city is None:
            row.fail("city", _("“%(value)s” is not a city this survey was sent to.") % {"value": key[:80]})
        elif city.pk in seen:
            row.fail("city", _("%(city)s is given twice.") % {"city": city.name})
        elif _answered_online(existing.get(city.pk)):
            row.fail("city", _("%(city)s answered in the workspace: its answer is not replaced.")
                     % {"city": city.name})
        answers: dict[str, Any] = {}
        if city is not None:
            context = answer_context(actor, city)
            raw = {str(q.pk): _cell_value(q, row.cells.get(name)) for name, q in columns.items()}
            try:
                answers = clean_answers(questions, raw, context, complete=True)
            except ValidationError as exc:
                names = {f"q{q.pk}": name for name, q in columns.items()}
                for field_name, messages in exc.message_dict.items():
                    base = field_name.split("_")[0]
                    row.fail(names.get(base, field_name), " ".join(messages))
        for problem in row.problems:
            summary.errors.append(problem.as_dict())
        if row.problems or city is None:
            continue
        seen.add(city.pk)
        response = existing.get(city.pk)
        if response is None:
            summary.created += 1
            summary.created_rows.append(imports.row_entry(row.number, city.name))
        elif response.answers == answers and response.state == ResponseState.SUBMITTED:
            summary.unchanged += 1
            continue
        else:
            summary.updated += 1
            summary.updated_rows.append(imports.row_entry(row.number, city.name,
                                                          {"answers": (response.answers, answers)}))
        plan.append(_Planned(row.number, city, answers, response))
    return plan


def _write_upload(actor: Actor, survey: Survey, plan: list[_Planned], kept: str, via: str) -> None:
    now = timezone.now()
    user = actor if isinstance(actor, User) else None
    for item in plan:
        response = item.response or SurveyResponse(survey=survey, city=item.city)
        before = audit.snapshot(response) if item.response is not None else None
        response.answers = item.answers
        response.state = ResponseState.SUBMITTED
        response.on_paper = True
        response.submitted_at = now
        response.submitted_by = user
        response.full_clean()
        response.save()
        values = audit.as_json(audit.snapshot(response))
        changes = ({name: [None, value] for name, value in values.items()} if before is None
                   else audit.diff(before, audit.snapshot(response)))
        changes["uploaded_file"] = [None, kept]
        core.record(actor, AuditAction.CREATE if before is None else AuditAction.UPDATE, response, changes, via)


def keep_survey_upload(survey: Survey, name: str, data: bytes) -> str:
    """Keep the uploaded file as it came (nothing uploaded is lost); returns its key in the storage."""
    safe = get_valid_filename(name.rsplit("/", 1)[-1])[:80] or "upload"
    return default_storage.save(f"{UPLOADS}/{survey.pk}/{get_random_string(8)}-{safe}", ContentFile(data))


def kept_upload(survey: Survey, key: str) -> tuple[str, bytes]:
    """The file kept under `key` for this survey (refused for any other key), and its original name."""
    prefix = f"{UPLOADS}/{survey.pk}/"
    if not key.startswith(prefix) or ".." in key or not default_storage.exists(key):
        raise ValidationError({"file": _("This upload is not one of this survey's: upload the file again.")})
    with default_storage.open(key, "rb") as handle:
        data = handle.read()
    return key[len(prefix):].split("-", 1)[-1], data


def import_answers(actor: Actor, survey: Survey, name: str, data: bytes, *, commit: bool, kept: str = "",
                   via: str = "web") -> imports.ImportSummary:
    """Check a CSV/XLSX of answers on paper (a "city" column, then "Q1", "Q2"… as the export names them)
    and, with `commit` and no error, write them all (submitted, marked on paper) or none. The file is kept
    (`kept`: its key when it already is); each answer's audit entry names it."""
    require_upload(actor, survey)
    key = kept or keep_survey_upload(survey, name, data)
    summary = imports.run(imports.ImportSummary(), lambda: _read_upload(survey, name, data),
                          lambda read, s: _check_upload(actor, survey, read, s),
                          lambda plan: _write_upload(actor, survey, plan, key, via), commit=commit)
    summary.errors.sort(key=lambda e: e["row"])
    return summary
