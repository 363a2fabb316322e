"""Writes of the core app: the audit trail, generic field updates and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .choices import AuditAction, Role
from .models import ApiToken, AuditEntry, User

TOKEN_PREFIX = "ascn_"


def only_fields(data: Any, allowed: set[str]) -> dict[str, Any]:
    """`data` as a dict, refused with each field named if it sets a field the action does not take."""
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(unknown)})
    return dict(data)


def record(
    actor: Any, action: str, obj: models.Model, changes: dict[str, Any] | None = None, via: str = ""
) -> AuditEntry:
    """Write one audit entry. Call it inside the action's transaction."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
        via=via,
    )


def create_audited(actor: Any, obj: models.Model, via: str = "") -> models.Model:
    """Validate and insert `obj`, then record its initial values."""
    obj.full_clean()
    obj.save()
    initial = audit.as_json(audit.snapshot(obj))
    record(actor, AuditAction.CREATE, obj, {k: [None, v] for k, v in initial.items()}, via)
    return obj


def update_audited(actor: Any, obj: models.Model, data: dict[str, Any], via: str = "") -> dict[str, list]:
    """Apply `data` to `obj`, validate, save only if something changed, and record the change.

    Returns {field: [old, new]}; an empty dict means nothing changed and nothing was written.
    """
    before = audit.snapshot(obj)
    for name, value in data.items():
        setattr(obj, name, value)
    changes = audit.diff(before, audit.snapshot(obj))
    if not changes:
        return {}
    obj.full_clean()
    obj.save()
    record(actor, AuditAction.UPDATE, obj, changes, via)
    return changes


def delete_audited(actor: Any, obj: models.Model, via: str = "") -> None:
    values = audit.as_json(audit.snapshot(obj))
    record(actor, AuditAction.DELETE, obj, {k: [v, None] for k, v in values.items()}, via)
    obj.delete()


# --- API tokens -----------------------------------------------------------------------------------


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(user: User, name: str, expires_at=None, via: str = "web") -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the record and the secret, which is never stored."""
    from .tasks import notify_token_created

    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken(user=user, name=name.strip(), prefix=secret[:12], key_hash=hash_token(secret),
                         expires_at=expires_at)
        token.full_clean()
        token.save()
        record(user, AuditAction.CREATE, token, {"name": [None, token.name]}, via)
        transaction.on_commit(lambda: notify_token_created.enqueue(token.pk))
    return token, secret


def revoke_api_token(actor: User, token: ApiToken, via: str = "web") -> None:
    if token.revoked_at:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, AuditAction.UPDATE, token, {"revoked_at": [None, token.revoked_at.isoformat()]}, via)


def authenticate_token(secret: str) -> User | None:
    """The active user behind a bearer token, or None. Marks the token used (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(secret)).first()
    now = timezone.now()
    if token is None or not token.is_active(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Reference data -------------------------------------------------------------------------------

SEED_MODULES = ("ascn.framework.seed", "ascn.network.seed", "ascn.partnerships.seed", "ascn.plans.seed",
                "ascn.finance.seed", "ascn.knowledge.seed", "ascn.monitoring.seed")


def seed_reference_data(modules: tuple[str, ...] = SEED_MODULES) -> list:
    """Load every app's reference CSVs in one transaction; any bad row rolls all of it back."""
    import importlib

    counts = []
    with transaction.atomic():
        for name in modules:
            for loader in importlib.import_module(name).LOADERS:
                counts.append(loader.load())
    return counts


# --- Demo accounts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    scope: str  # ISO3, city slug or partner slug
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("secretariat", "demo-secretariat", Role.SECRETARIAT, "", "Secretariat (all; back office)"),
    DemoAccount("nr.vietnam", "demo-nr-vietnam", Role.NATIONAL_REP, "VNM", "National Representative, Viet Nam"),
    DemoAccount("csco.danang", "demo-csco-danang", Role.CITY_OFFICER, "da-nang", "City officer / CSCO, Da Nang"),
    DemoAccount("partner.jica", "demo-partner-jica", Role.PARTNER, "jica", "Partner, JICA"),
)


def ensure_demo_accounts() -> list[User]:
    """Create the fictional demo accounts, or reset their role, scope and password."""
    from ascn.network.models import City, Country
    from ascn.partnerships.models import Partner

    scopes = {Role.NATIONAL_REP: (Country, "iso3", "country"), Role.CITY_OFFICER: (City, "slug", "city"),
              Role.PARTNER: (Partner, "slug", "partner")}
    users = []
    with transaction.atomic():
        for demo in DEMO_ACCOUNTS:
            user = User.objects.filter(username=demo.username).first() or User(username=demo.username)
            user.role = demo.role
            user.country = user.city = user.partner = None
            if demo.role in scopes:
                model, key, attr = scopes[demo.role]
                target = model.objects.filter(**{key: demo.scope}).first()
                if target is None:
                    raise LookupError(f"The demo account {demo.username} needs {model.__name__} {demo.scope!r}.")
                setattr(user, attr, target)
            user.email = f"{demo.username}@demo.invalid"
            user.first_name = demo.description
            user.is_staff = demo.role == Role.SECRETARIAT
            user.set_password(demo.password)
            user.full_clean()
            user.save()
            users.append(user)
    return users
