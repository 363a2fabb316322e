"""The cooperation pipeline as data: which action moves a cooperation record from which state to which, and who
may take it. No Django: the actions work out the role a user holds on a record (a party, the National
Representative of a party city's country, the Secretariat), check it against `roles` and record the step.

interest → proposal (either party) → review (either party submits it) → agreed (either party, or the
Secretariat, records the LoI or MoU both sides signed: its kind, date and the signatories' roles) → implementation
→ completed. During review the Secretariat and the National Representative comment and may return the proposal
for changes, with a reason. Either party may decline before the agreement, or withdraw at any open step, always
with a reason. The Secretariat may take any step on behalf of a party.

The parties are the partner's users and the city's officers (and, for a city-to-city twinning, the twin
city's officers); their role here is PARTNER or CITY.
"""

from __future__ import annotations

from dataclasses import dataclass

INTEREST, PROPOSAL, REVIEW, AGREED = "interest", "proposal", "review", "agreed"
IMPLEMENTATION, COMPLETED, DECLINED, WITHDRAWN = "implementation", "completed", "declined", "withdrawn"
STATES = (INTEREST, PROPOSAL, REVIEW, AGREED, IMPLEMENTATION, COMPLETED, DECLINED, WITHDRAWN)

PROPOSE, SUBMIT, RETURN, AGREE, START, COMPLETE, DECLINE, WITHDRAW = (
    "propose", "submit", "return", "agree", "start", "complete", "decline", "withdraw")
ACTIONS = (PROPOSE, SUBMIT, RETURN, AGREE, START, COMPLETE, DECLINE, WITHDRAW)

SECRETARIAT, NATIONAL_REP, CITY, PARTNER = "secretariat", "national_rep", "city_officer", "partner"
PARTIES = frozenset({CITY, PARTNER, SECRETARIAT})  # a party, or the Secretariat acting for one
REVIEWERS = frozenset({NATIONAL_REP, SECRETARIAT})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_reason: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(PROPOSE, frozenset({INTEREST}), PROPOSAL, PARTIES),
    Transition(SUBMIT, frozenset({PROPOSAL}), REVIEW, PARTIES),
    Transition(RETURN, frozenset({REVIEW}), PROPOSAL, REVIEWERS, needs_reason=True),
    Transition(AGREE, frozenset({REVIEW}), AGREED, PARTIES),
    Transition(START, frozenset({AGREED}), IMPLEMENTATION, PARTIES),
    Transition(COMPLETE, frozenset({IMPLEMENTATION}), COMPLETED, PARTIES),
    Transition(DECLINE, frozenset({INTEREST, PROPOSAL, REVIEW}), DECLINED, PARTIES, needs_reason=True),
    Transition(WITHDRAW, frozenset({INTEREST, PROPOSAL, REVIEW, AGREED, IMPLEMENTATION}), WITHDRAWN, PARTIES,
               needs_reason=True),
)
EDITABLE_STATES = frozenset({INTEREST, PROPOSAL})  # the proposal's fields change only before review
AGREED_STATES = frozenset({AGREED, IMPLEMENTATION, COMPLETED})  # public, and may update the linked projects
CLOSED_STATES = frozenset({COMPLETED, DECLINED, WITHDRAWN})


def find(action: str, state: str) -> Transition | None:
    """The transition `action` takes from `state`, or None when it cannot be taken from there."""
    return next((t for t in TRANSITIONS if t.action == action and state in t.sources), None)


def available(state: str, role: str | None) -> list[Transition]:
    """The actions a role may take on a record in `state`, in workflow order."""
    return [t for t in TRANSITIONS if state in t.sources and role in t.roles]


def roles_for(action: str) -> frozenset[str]:
    """Every role that may take `action` from some state."""
    return frozenset().union(*(t.roles for t in TRANSITIONS if t.action == action))

