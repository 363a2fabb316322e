"""Fixtures of the plans tests: uploads under a temporary MEDIA_ROOT, a draft project and a draft plan."""

import pytest

from ascn.core.choices import Role
from ascn.plans.models import ActionPlan, Project
from conftest import make_user

from .helpers import city, node


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded imports are kept under pytest's temporary directory, never in the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def draft(db):
    """An unpublished project of Da Nang."""
    return Project.objects.create(city=city("da-nang"), title="Smart parking pilot (draft)",
                                  focus_area=node("built_infrastructure"), is_published=False)


@pytest.fixture
def draft_plan(db):
    """An unpublished 2026 version of Da Nang's action plan."""
    return ActionPlan.objects.create(city=city("da-nang"), year=2026, vision="Draft vision", is_published=False)


@pytest.fixture
def csco_bangkok(db):
    return make_user("csco-bkk", Role.CITY_OFFICER, city="bangkok")
