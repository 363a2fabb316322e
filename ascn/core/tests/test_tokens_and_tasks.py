"""API tokens (hashed, shown once, revocable, expiring) and background tasks (immediate and database worker)."""

import datetime as dt
import hashlib

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from ascn.core import actions
from ascn.core.models import ApiToken, AuditEntry

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_and_notifies_the_owner(secretariat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        token, secret = actions.create_api_token(secretariat, "  uploader  ")
    assert secret.startswith("ascn_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.name == "uploader"
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiToken.objects.values()))
    assert stored.prefix == secret[:12]
    assert [m.to for m in mail.outbox] == [["sec@example.invalid"]]
    assert "uploader" in mail.outbox[0].body
    assert AuditEntry.objects.filter(content_type__model="apitoken", action="create").count() == 1


def test_token_authenticates_until_revoked_or_expired(secretariat, api):
    token, secret = actions.create_api_token(secretariat, "t")
    assert actions.authenticate_token(secret) == secretariat
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert actions.authenticate_token(secret + "x") is None
    assert actions.authenticate_token("not-a-token") is None
    actions.revoke_api_token(secretariat, token)
    assert actions.authenticate_token(secret) is None
    _expired, expired_secret = actions.create_api_token(secretariat, "old", timezone.now() - dt.timedelta(seconds=1))
    assert actions.authenticate_token(expired_secret) is None
    response = api.__class__(expired_secret).patch("/cities/ha-noi", {"name": "X"})
    assert response.status_code == 401


def test_inactive_account_tokens_stop_working(secretariat):
    _token, secret = actions.create_api_token(secretariat, "t")
    secretariat.is_active = False
    secretariat.save()
    assert actions.authenticate_token(secret) is None


def test_workspace_token_page_creates_shows_once_and_revokes(client, nr_vietnam):
    client.force_login(nr_vietnam)
    response = client.post("/workspace/tokens/", {"name": "M&E upload", "expires_in_days": "30"})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    token = ApiToken.objects.get(user=nr_vietnam)
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=30)).date()
    again = client.get("/workspace/tokens/")
    assert secret not in again.content.decode()
    assert token.prefix in again.content.decode()
    client.post(f"/workspace/tokens/{token.pk}/revoke/")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_token_form_rejects_blank_names_and_other_peoples_tokens(client, nr_vietnam, secretariat):
    client.force_login(nr_vietnam)
    response = client.post("/workspace/tokens/", {"name": "   ", "expires_in_days": "7"})
    assert response.status_code == 422
    assert ApiToken.objects.count() == 0
    other, _secret = actions.create_api_token(secretariat, "theirs")
    assert client.post(f"/workspace/tokens/{other.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None


def test_database_worker_runs_enqueued_tasks(secretariat, django_capture_on_commit_callbacks, monkeypatch):
    """Production: tasks wait in the database until `make worker` (db_worker) runs them."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # The worker recycles connections between tasks; inside this test's transaction that would close it.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=tasks):  # django-tasks resets its backends on setting_changed
        with django_capture_on_commit_callbacks(execute=True):
            actions.create_api_token(secretariat, "queued")
        assert mail.outbox == []
        assert DBTaskResult.objects.filter(status="READY").count() == 1
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"
        assert [m.to for m in mail.outbox] == [["sec@example.invalid"]]
