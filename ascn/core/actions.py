"""Writes of the core app: the audit trail, generic field updates and API tokens."""

from __future__ import annotations

import hashlib
import importlib
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _

from . import audit
from .choices import AuditAction
from .models import ApiToken, AuditEntry, User

if TYPE_CHECKING:
    from .permissions import Actor

M = TypeVar("M", bound=models.Model)
TOKEN_PREFIX = "ascn_"


def only_fields(data: Any, allowed: set[str]) -> dict[str, Any]:
    """`data` as a dict, refused with each field named if it sets a field the action does not take."""
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(unknown)})
    return dict(data)


def record(
    actor: Actor | None, action: str, obj: models.Model, changes: dict[str, Any] | None = None, via: str = ""
) -> AuditEntry:
    """Write one audit entry. Call it inside the action's transaction."""
    return AuditEntry.objects.create(
        actor=actor if isinstance(actor, User) else None,  # the public and seeds act as nobody
        action=action,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
        via=via,
    )


def create_audited(actor: Actor | None, obj: M, via: str = "") -> M:
    """Validate and insert `obj`, then record its initial values."""
    obj.full_clean()
    obj.save()
    initial = audit.as_json(audit.snapshot(obj))
    record(actor, AuditAction.CREATE, obj, {k: [None, v] for k, v in initial.items()}, via)
    return obj


def update_audited(actor: Actor | None, obj: models.Model, data: dict[str, Any], via: str = "") -> dict[str, list]:
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


def set_links(related: Any, values: Iterable[M], key: str) -> list[list[Any]] | None:
    """Link exactly `values` through a many-to-many manager; returns the audit change [keys before, keys
    after], or None (and writes nothing) when those were already the links. Call it inside a transaction."""
    items = list(values)
    before = sorted(related.values_list(key, flat=True))
    after = sorted(getattr(item, key) for item in items)
    if before == after:
        return None
    related.set(items)
    return [before, after]


def delete_audited(actor: Actor | None, obj: models.Model, via: str = "") -> None:
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

def seed_modules() -> tuple[str, ...]:
    """Each installed app's `seed` module, in `INSTALLED_APPS` order (which lists the layers bottom up)."""
    return tuple(f"{config.name}.seed" for config in apps.get_app_configs()
                 if config.name.startswith("ascn.") and module_has_submodule(config.module, "seed"))


def seed_reference_data(modules: tuple[str, ...] | None = None) -> list:
    """Load every app's reference CSVs (their `seed.LOADERS`) in one transaction; any bad row rolls all of it
    back. The apps are found, not listed: an app takes part by having a `seed` module."""
    counts = []
    with transaction.atomic():
        for name in seed_modules() if modules is None else modules:
            for loader in importlib.import_module(name).LOADERS:
                counts.append(loader.load())
    return counts
