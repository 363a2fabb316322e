"""The city report workflow as data: which action moves a report from which state to which, and who
may take it. No Django: the actions check a user against `allowed` and record the transition.

draft → submitted (city) → endorsed (National Representative) → accepted (Secretariat); the National
Representative can return a submitted report and the Secretariat an endorsed one, always with a
reason; an accepted report is locked until the Secretariat reopens it, again with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT, SUBMITTED, ENDORSED, ACCEPTED, RETURNED = "draft", "submitted", "endorsed", "accepted", "returned"
SUBMIT, ENDORSE, ACCEPT, RETURN, REOPEN = "submit", "endorse", "accept", "return", "reopen"
SECRETARIAT, NATIONAL_REP, CITY_OFFICER = "secretariat", "national_rep", "city_officer"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]          # who may take it (the Secretariat may always act for the city and NR)
    needs_reason: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(SUBMIT, frozenset({DRAFT, RETURNED}), SUBMITTED, frozenset({CITY_OFFICER, SECRETARIAT})),
    Transition(ENDORSE, frozenset({SUBMITTED}), ENDORSED, frozenset({NATIONAL_REP, SECRETARIAT})),
    Transition(ACCEPT, frozenset({ENDORSED}), ACCEPTED, frozenset({SECRETARIAT})),
    Transition(RETURN, frozenset({SUBMITTED}), RETURNED, frozenset({NATIONAL_REP, SECRETARIAT}), needs_reason=True),
    Transition(RETURN, frozenset({ENDORSED}), RETURNED, frozenset({SECRETARIAT}), needs_reason=True),
    Transition(REOPEN, frozenset({ACCEPTED}), RETURNED, frozenset({SECRETARIAT}), needs_reason=True),
)
ACTIONS = (SUBMIT, ENDORSE, ACCEPT, RETURN, REOPEN)
EDITABLE_STATES = frozenset({DRAFT, RETURNED})


def find(action: str, state: str) -> Transition | None:
    """The transition `action` takes from `state`, or None when it cannot be taken from there."""
    return next((t for t in TRANSITIONS if t.action == action and state in t.sources), None)


def available(state: str, role: str | None) -> list[Transition]:
    """The actions a role may take on a report in `state`, in workflow order."""
    return [t for t in TRANSITIONS if state in t.sources and role in t.roles]


def waiting_on(state: str) -> str | None:
    """Whose move it is: the city while drafting or returned, then the NR, then the Secretariat."""
    return {DRAFT: CITY_OFFICER, RETURNED: CITY_OFFICER, SUBMITTED: NATIONAL_REP, ENDORSED: SECRETARIAT}.get(state)
