"""The one permission layer: every queryset shown to a user is filtered here.

A model opts in by declaring `access = Access(...)` and using `ScopedQuerySet` as its manager.
Scope comes from the account's role: the Secretariat sees and edits everything, a National
Representative its country, a city officer its city, a partner its organisation, and the public
(and any other account) only what `Access.public` lets through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self, TypeAlias, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from .choices import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

    Actor: TypeAlias = User | AnonymousUser  # who acts or asks: an account, or the public

M = TypeVar("M", bound=models.Model)
QS = TypeVar("QS", bound=models.QuerySet[Any])


@dataclass(frozen=True)
class Principal:
    """Who is asking, reduced to what permissions need."""

    role: str | None = None
    country_id: int | None = None
    city_id: int | None = None
    partner_id: int | None = None
    user_id: int | None = None

    @classmethod
    def of(cls, user: Actor | None) -> Principal:
        if user is None or not user.is_authenticated or not user.is_active:
            return PUBLIC
        return cls(
            role=user.role or None,
            country_id=user.country_id,
            city_id=user.city_id,
            partner_id=user.partner_id,
            user_id=user.pk,
        )

    @property
    def is_secretariat(self) -> bool:
        return self.role == Role.SECRETARIAT

    @property
    def is_network_member(self) -> bool:
        """Secretariat, National Representatives and city officers (not partners, not the public)."""
        return self.role in {Role.SECRETARIAT, Role.NATIONAL_REP, Role.CITY_OFFICER}


PUBLIC = Principal()


@dataclass(frozen=True)
class Access:
    """How a model is scoped.

    public: the rows anyone may see (`None`: nothing is public; `Q()`: everything is).
    country / city / partner: lookup paths from the model to the scoping object's id.
    editors: the roles that may edit rows inside their scope (the Secretariat always may).
    """

    public: Q | None = field(default_factory=Q)
    country: str | None = None
    city: str | None = None
    partner: str | None = None
    editors: frozenset[str] = frozenset()

    @classmethod
    def of_city(cls, public: Q | None, via: str = "") -> Access:
        """Rows that belong to one city, reached through `via` (e.g. "project__"): its city officers edit
        them, its country's National Representative sees them, the Secretariat all; the public sees what
        `public` lets through."""
        return cls(public=public, country=f"{via}city__country_id", city=f"{via}city_id",
                   editors=frozenset({Role.CITY_OFFICER}))

    def scope_filter(self, principal: Principal) -> Q | None:
        """The rows inside the principal's own scope, or None when its role has no scope here."""
        if principal.role == Role.NATIONAL_REP and self.country:
            return Q(**{self.country: principal.country_id})
        if principal.role == Role.CITY_OFFICER and self.city:
            return Q(**{self.city: principal.city_id})
        if principal.role == Role.PARTNER and self.partner:
            return Q(**{self.partner: principal.partner_id})
        return None

    def visible(self, qs: QS, principal: Principal) -> QS:
        if principal.is_secretariat:
            return qs
        scope = self.scope_filter(principal)
        if self.public is None:
            return qs.filter(scope) if scope is not None else qs.none()
        if not self.public:  # an empty Q: everything is public (and `Q() | scope` would narrow it)
            return qs
        if scope is None:
            return qs.filter(self.public)
        return qs.filter(self.public | scope)

    def editable(self, qs: QS, principal: Principal) -> QS:
        if principal.is_secretariat:
            return qs
        scope = self.scope_filter(principal)
        if principal.role in self.editors and scope is not None:
            return qs.filter(scope)
        return qs.none()


class ScopedQuerySet(models.QuerySet[M]):
    """`Model.objects.visible_to(user)` and `.editable_by(user)` for models that declare `access`."""

    def _access(self) -> Access:
        return self.model.access  # type: ignore[attr-defined]

    def visible_to(self, user: Actor | None) -> Self:
        return self._access().visible(self, Principal.of(user))

    def editable_by(self, user: Actor | None) -> Self:
        return self._access().editable(self, Principal.of(user))


def can_edit(user: Actor | None, obj: models.Model) -> bool:
    """Whether `user` may change `obj` (an instance of a model with `access`)."""
    rows: ScopedQuerySet[models.Model] = type(obj)._default_manager.all()  # type: ignore[assignment]
    return rows.editable_by(user).filter(pk=obj.pk).exists()


def can_create(user: Actor | None, model: type[models.Model], **scope: Any) -> bool:
    """Whether `user` may create a `model` row with the given scope values (e.g. country_id=3)."""
    access: Access = model.access  # type: ignore[attr-defined]
    principal = Principal.of(user)
    if principal.is_secretariat:
        return True
    if principal.role not in access.editors:
        return False
    wanted = {
        Role.NATIONAL_REP: ("country_id", principal.country_id),
        Role.CITY_OFFICER: ("city_id", principal.city_id),
        Role.PARTNER: ("partner_id", principal.partner_id),
    }.get(principal.role)  # type: ignore[call-overload]
    return wanted is not None and wanted[0] in scope and scope[wanted[0]] == wanted[1]


def require_secretariat(user: Actor | None) -> None:
    """For registry decisions only the Secretariat takes (removing a city, for example)."""
    if not Principal.of(user).is_secretariat:
        raise PermissionDenied(_("Only the ASEAN Secretariat may do this."))


def require_edit(user: Actor | None, obj: models.Model) -> None:
    if not can_edit(user, obj):
        raise PermissionDenied(_("You may not change this record."))


def require_create(user: Actor | None, model: type[models.Model], **scope: Any) -> None:
    if not can_create(user, model, **scope):
        raise PermissionDenied(_("You may not create this record here."))
