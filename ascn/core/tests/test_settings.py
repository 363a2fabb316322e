"""Production settings refuse to start without what they need, and say what is missing."""

import os
import subprocess
import sys

from django.conf import settings


def run_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import ascn.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"],
        env={**base, **env}, capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=60,
    )


def test_missing_secret_key_in_production_stops_with_a_clear_message():
    result = run_settings({"ALLOWED_HOSTS": "ascn.example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_missing_allowed_hosts_in_production_stops_with_a_clear_message():
    result = run_settings({"SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_bad_boolean_is_named():
    result = run_settings({"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_production_settings_start_when_complete():
    result = run_settings({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a.example.org,b.example.org"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['a.example.org', 'b.example.org']"


def test_development_mode_needs_nothing():
    result = run_settings({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True ['localhost', '127.0.0.1', '[::1]']"
