"""Every write of the cooperation pipeline: opening a record, its proposal, the steps of `workflow`, comments, the
projects it funds, and updating those projects from an agreement. Each checks the role the actor holds on the
record (`queries.cooperation.role_on`), validates, writes inside one transaction and records the audit entry.

Permission problems raise PermissionDenied, workflow and input problems ValidationError naming the field; either
way nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core import audit
from ascn.core.choices import AuditAction, Role
from ascn.core.models import User
from ascn.core.money import to_usd
from ascn.core.permissions import Principal, can_edit
from ascn.plans import actions as plans

from .. import workflow
from ..choices import AgreementKind, CooperationState
from ..models import CooperationComment, CooperationRecord, CooperationTransition
from ..queries import cooperation as queries
from .offers import CENT, _set_tags, _tag_links, _update

if TYPE_CHECKING:
    from ascn.core.permissions import Actor
    from ascn.framework.models import FrameworkNode
    from ascn.plans.models import Project

PROPOSAL_FIELDS = {"title", "kind", "programme", "scope", "budget", "currency", "start_date", "end_date",
                   "documents", "source"}
CREATE_FIELDS = PROPOSAL_FIELDS | {"partner", "city", "twin_city", "offer", "need_key"}
AGREEMENT_FIELDS = {"agreement", "agreed_on", "signatories"}
APPLIED = "apply"  # the step recorded when an agreement updated its projects (from and to the same state)


def _state_name(state: str) -> str:
    return str(CooperationState(state).label).lower()


def _action_name(action: str) -> str:
    return {workflow.PROPOSE: _("answer with a proposal"), workflow.SUBMIT: _("submit for review"),
            workflow.RETURN: _("return for changes"), workflow.AGREE: _("record the agreement"),
            workflow.START: _("start implementing"), workflow.COMPLETE: _("complete"),
            workflow.DECLINE: _("decline"), workflow.WITHDRAW: _("withdraw")}[action]


def action_label(action: str) -> str:
    """The name of a step as its button says it."""
    return {workflow.PROPOSE: _("Answer with a proposal"), workflow.SUBMIT: _("Submit for review"),
            workflow.RETURN: _("Return for changes"), workflow.AGREE: _("Record the agreement"),
            workflow.START: _("Start implementation"), workflow.COMPLETE: _("Mark completed"),
            workflow.DECLINE: _("Decline"), workflow.WITHDRAW: _("Withdraw"),
            APPLIED: _("Projects updated from the agreement")}.get(action, action)


def _user(actor: Actor | None) -> User | None:
    return actor if isinstance(actor, User) else None


def _money(data: dict[str, Any]) -> dict[str, Any]:
    value = data.get("budget")
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if amount.is_finite():
            data["budget"] = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if isinstance(data.get("currency"), str):
        data["currency"] = data["currency"].strip().upper()
    for name in ("scope", "source", "need_key"):
        if name in data and data[name] is None:
            data[name] = ""
    if "documents" in data and data["documents"] is None:
        data["documents"] = []
    return data


def _require_party(actor: Actor | None, record: CooperationRecord, what: str) -> str:
    """The actor's role on the record, refused unless it is a party or the Secretariat."""
    role = queries.role_on(actor, record)
    if role not in workflow.PARTIES:
        raise PermissionDenied(_("Only the partner, the city and the Secretariat may %(what)s.") % {"what": what})
    return role or ""


# --- Opening a record ----------------------------------------------------------------------------------------


def _may_open(principal: Principal, record: CooperationRecord) -> bool:
    if principal.is_secretariat:
        return True
    if principal.role == Role.PARTNER:
        return principal.partner_id is not None and principal.partner_id == record.partner_id
    if principal.role == Role.CITY_OFFICER:
        return principal.city_id is not None and principal.city_id in (record.city_id, record.twin_city_id)
    return False


def create_record(actor: Actor, data: dict[str, Any], *, tags: Iterable[FrameworkNode] = (),
                  projects: Iterable[Project] = (), via: str = "web") -> CooperationRecord:
    """Open a record at the expression of interest: the Secretariat for anyone, a partner for its own
    organisation, a city officer for its own city (or as the twin city of a city-to-city twinning)."""
    record = CooperationRecord(**_money(core.only_fields(data, CREATE_FIELDS)))
    record.state = CooperationState.INTEREST
    if not _may_open(Principal.of(actor), record):
        raise PermissionDenied(_("You may open cooperation records only for your own organisation or city."))
    record.full_clean()
    wanted = list(projects)
    _check_projects(record, wanted)
    with transaction.atomic():
        record.save()
        changes: dict[str, list[Any]] = {k: [None, v] for k, v in audit.as_json(audit.snapshot(record)).items()}
        change = _set_tags(record, tags)
        if change is not None:
            changes["tags"] = change
        if wanted:
            changes["projects"] = core.set_links(record.projects, wanted, "pk") or []
        core.record(actor, AuditAction.CREATE, record, changes, via)
    return record


# --- The proposal ---------------------------------------------------------------------------------------------


def update_proposal(actor: Actor, record: CooperationRecord, data: dict[str, Any], *,
                    tags: Iterable[FrameworkNode] | None = None, via: str = "web") -> dict[str, list[Any]]:
    """Change the proposal (scope, budget, timeline, documents, ...) while the record is an interest or a
    proposal; returns {field: [old, new]} ({} when nothing changed, nothing written)."""
    _require_party(actor, record, _("change the proposal"))
    if record.state not in workflow.EDITABLE_STATES:
        raise ValidationError({"state": _("A record that is %(state)s is not changed any more; the proposal is "
                                          "changed while it is an expression of interest or a proposal.")
                               % {"state": _state_name(record.state)}})
    return _update(actor, record, _money(core.only_fields(data, PROPOSAL_FIELDS)), via, _tag_links(record, tags))


# --- The workflow --------------------------------------------------------------------------------------------


def _check_step(step: workflow.Transition, record: CooperationRecord, reason: str,
                agreement: dict[str, Any]) -> None:
    if step.needs_reason and not reason:
        raise ValidationError({"reason": _("Give the reason to %(action)s.") % {"action": _action_name(step.action)}})
    if step.action == workflow.SUBMIT and not record.scope.strip():
        raise ValidationError({"scope": _("Describe the scope of the proposal before submitting it for review.")})
    if step.action == workflow.AGREE:
        errors: dict[str, str] = {}
        if agreement.get("agreement") not in AgreementKind.values:
            errors["agreement"] = _("Choose the kind of agreement: a letter of intent or a memorandum of "
                                    "understanding.")
        day = agreement.get("agreed_on")
        if not isinstance(day, dt.date):
            errors["agreed_on"] = _("Give the date the agreement was signed.")
        elif day > timezone.localdate():
            errors["agreed_on"] = _("The date of signature is in the future.")
        if not str(agreement.get("signatories") or "").strip():
            errors["signatories"] = _("Give the signatories' roles (offices, never a person's name).")
        if errors:
            raise ValidationError(errors)


def transition(actor: Actor, record: CooperationRecord, action: str, reason: str = "",
               agreement: dict[str, Any] | None = None, via: str = "web") -> CooperationTransition:
    """Take a step of the workflow: check the action, the actor's role on the record, the state, the reason (to
    decline, withdraw or return) and, to agree, the agreement's kind, date and signatories' roles; then record
    the new state, the step and the audit entry together."""
    if action not in workflow.ACTIONS:
        raise ValidationError({"action": _("Unknown action “%(action)s”; use one of %(actions)s.")
                               % {"action": action, "actions": ", ".join(workflow.ACTIONS)}})
    agreement = core.only_fields(agreement or {}, AGREEMENT_FIELDS)
    if action != workflow.AGREE and agreement:
        raise ValidationError({name: _("The agreement is given only to record it.") for name in agreement})
    reason = (reason or "").strip()
    with transaction.atomic():
        current = (CooperationRecord.objects.select_for_update(of=("self",)).select_related("city", "twin_city")
                   .get(pk=record.pk))
        role = queries.role_on(actor, current)
        if role is None:
            raise PermissionDenied(_("You may not take steps on this cooperation record."))
        step = workflow.find(action, current.state)
        if step is None:
            raise ValidationError({"action": _("A record that is %(state)s cannot %(action)s: choose another "
                                               "step.") % {"state": _state_name(current.state),
                                                           "action": _action_name(action)}})
        if role not in step.roles:
            raise PermissionDenied(_("Your role may not take the step “%(step)s” on a record that is %(state)s.")
                                   % {"step": action_label(action), "state": _state_name(current.state)})
        _check_step(step, current, reason, agreement)
        before = audit.snapshot(current)
        current.state = step.target
        if step.action == workflow.AGREE:
            current.agreement = agreement["agreement"]
            current.agreed_on = agreement["agreed_on"]
            current.signatories = str(agreement["signatories"]).strip()
        if step.action in (workflow.DECLINE, workflow.WITHDRAW):
            current.reason = reason
        current.save()
        done = CooperationTransition.objects.create(record=current, action=action, from_state=before["state"],
                                                    to_state=step.target, by=_user(actor), role=role,
                                                    at=timezone.now(), reason=reason)
        changes = audit.diff(before, audit.snapshot(current))
        changes.pop("updated_at", None)
        if reason and "reason" not in changes:
            changes["reason"] = [None, reason]
        core.record(actor, AuditAction.UPDATE, current, changes, via)
    for name in ("state", "agreement", "agreed_on", "signatories", "reason", "updated_at"):
        setattr(record, name, getattr(current, name))
    return done


# --- Comments --------------------------------------------------------------------------------------------------


COMMENT_LIMIT = 4000


def add_comment(actor: Actor, record: CooperationRecord, text: str, via: str = "web") -> CooperationComment:
    """A review comment by a party, the National Representative or the Secretariat."""
    role = queries.role_on(actor, record)
    if role is None:
        raise PermissionDenied(_("Only the partner, the city, its National Representative and the Secretariat may "
                                 "comment on this record."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    if len(text) > COMMENT_LIMIT:
        raise ValidationError({"text": _("A comment has at most %(limit)s characters; this one has %(count)s.")
                               % {"limit": COMMENT_LIMIT, "count": len(text)}})
    with transaction.atomic():
        comment = CooperationComment(record=record, author=_user(actor), role=role, text=text)
        return core.create_audited(actor, comment, via)


# --- The projects it funds and supports --------------------------------------------------------------------


def _check_projects(record: CooperationRecord, projects: list[Project]) -> None:
    cities = {record.city_id, record.twin_city_id} - {None}
    foreign = [p.title for p in projects if p.city_id not in cities]
    if foreign:
        raise ValidationError({"projects": _("Link only projects of the record's cities; not: %(projects)s.")
                               % {"projects": "; ".join(foreign)}})


def link_projects(actor: Actor, record: CooperationRecord, projects: Iterable[Project],
                  via: str = "web") -> dict[str, list[Any]]:
    """Link exactly `projects` (of the record's city or twin city) as the projects the record funds or supports;
    returns the change ({} when they were already the links)."""
    _require_party(actor, record, _("link projects"))
    if record.state in workflow.CLOSED_STATES:
        raise ValidationError({"projects": _("A record that is %(state)s keeps its projects.")
                               % {"state": _state_name(record.state)}})
    wanted = list(projects)
    _check_projects(record, wanted)
    with transaction.atomic():
        change = core.set_links(record.projects, wanted, "pk")
        if change is None:
            return {}
        core.record(actor, AuditAction.UPDATE, record, {"projects": change}, via)
    return {"projects": change}


def convert(amount: Decimal, currency: str, target: str, on: dt.date) -> tuple[Decimal, list[tuple[str, dt.date]]]:
    """`amount` of `currency` in `target` through the US dollar, at each currency's latest rate on or before `on`
    (to the cent), with the rates used as (currency, as of). Raises ValidationError naming the currency without
    a rate."""
    if currency == target:
        return amount, []
    units: dict[str, Decimal] = {}
    used: list[tuple[str, dt.date]] = []
    for code in (currency, target):
        found = to_usd(Decimal(1), code, on)
        if found is None:
            raise ValidationError({"currency": _("No exchange rate for %(code)s on or before %(date)s is recorded: "
                                                 "the Secretariat adds it to the exchange rates first.")
                                   % {"code": code, "date": formats.date_format(on, "DATE_FORMAT")}})
        units[code] = found.units_per_usd
        if found.as_of is not None:
            used.append((code, found.as_of))
    value = (amount * units[target] / units[currency]).quantize(CENT, rounding=ROUND_HALF_UP)
    return value, used


def planned_changes(record: CooperationRecord) -> list[dict[str, Any]]:
    """What updating the projects from the agreement would change on each linked project: the partner added and
    the secured funding raised by the budget in the project's currency (with the rates' dates). Raises
    ValidationError when it cannot be done (not agreed, done already, no rate, above the cost estimate)."""
    if record.state not in workflow.AGREED_STATES:
        raise ValidationError({"state": _("Only an agreed record updates its projects; this one is %(state)s.")
                               % {"state": _state_name(record.state)}})
    if record.transitions.filter(action=APPLIED).exists():
        raise ValidationError({"projects": _("The projects were already updated from this agreement.")})
    projects = list(record.projects.select_related("city").prefetch_related("partners").order_by("title", "id"))
    if not projects:
        raise ValidationError({"projects": _("Link the projects this agreement funds or supports first.")})
    funds = record.budget is not None and record.budget > 0 and bool(record.currency)
    if funds and len(projects) > 1:
        raise ValidationError({"projects": _("The budget is for %(count)s projects: how it divides between them is "
                                             "not recorded. Update each project's secured funding on its page, or "
                                             "keep one project linked.") % {"count": len(projects)}})
    plans_: list[dict[str, Any]] = []
    day = record.agreed_on or timezone.localdate()
    for project in projects:
        partners = list(project.partners.all())
        add_partner = record.partner is not None and record.partner not in partners
        plan: dict[str, Any] = {"project": project, "partners": partners + ([record.partner] if add_partner else []),
                                "add_partner": add_partner, "amount": None, "rates": [],
                                "secured": project.funding_secured}
        if funds:
            assert record.budget is not None
            amount, used = convert(record.budget, record.currency, project.currency, day)
            secured = (project.funding_secured or Decimal(0)) + amount
            if project.cost_estimate is not None and secured > project.cost_estimate:
                raise ValidationError({"budget": _(
                    "“%(project)s” would have %(currency)s %(secured)s secured, above its cost estimate of "
                    "%(currency)s %(cost)s: correct the project's cost estimate or its secured funding first.")
                    % {"project": project.title, "currency": project.currency,
                       "secured": formats.number_format(secured, 2, force_grouping=True),
                       "cost": formats.number_format(project.cost_estimate, 2, force_grouping=True)}})
            plan.update(amount=amount, rates=used, secured=secured)
        plans_.append(plan)
    return plans_


def apply_to_projects(actor: Actor, record: CooperationRecord, via: str = "web") -> list[dict[str, Any]]:
    """Update the linked projects from the agreement in one step: add the partner to each project's partners and
    raise its secured funding by the agreed budget in the project's currency (`planned_changes`). The city's
    officers or the Secretariat (whoever may change the projects) take it; each project's change is recorded by
    `plans.update_project`, the step on the record as an "apply" transition with its audit entry."""
    role = queries.role_on(actor, record)
    if role not in (workflow.CITY, workflow.SECRETARIAT):
        raise PermissionDenied(_("Only the city's officers and the Secretariat update the city's projects from an "
                                 "agreement."))
    with transaction.atomic():
        current = (CooperationRecord.objects.select_for_update(of=("self",)).select_related("partner", "city")
                   .get(pk=record.pk))
        planned = planned_changes(current)
        refused = [p["project"].title for p in planned if not can_edit(actor, p["project"])]
        if refused:
            raise PermissionDenied(_("You may not change these projects: %(projects)s.")
                                   % {"projects": "; ".join(refused)})
        summary: dict[str, Any] = {}
        for plan in planned:
            project = plan["project"]
            data = {"funding_secured": plan["secured"]} if plan["amount"] is not None else {}
            partners = plan["partners"] if plan["add_partner"] else None
            changed = plans.update_project(actor, project, data, partners=partners, via=via)
            summary[str(project.pk)] = audit.as_json({k: v[1] for k, v in changed.items()})
        CooperationTransition.objects.create(record=current, action=APPLIED, from_state=current.state,
                                             to_state=current.state, by=_user(actor), role=role or "",
                                             at=timezone.now(), reason="")
        core.record(actor, AuditAction.UPDATE, current, {"applied_to_projects": [None, summary]}, via)
    return planned
