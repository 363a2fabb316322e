"""Fixtures of the finance tests: uploads under a temporary MEDIA_ROOT and a draft project."""

import pytest

from ascn.framework.models import FrameworkNode
from ascn.network.models import City
from ascn.plans.models import Project


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence documents are kept under pytest's temporary directory, never in the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def draft(db):
    """An unpublished project of Da Nang."""
    return Project.objects.create(city=City.objects.get(slug="da-nang"), title="Smart parking (draft)",
                                  focus_area=FrameworkNode.objects.get(code="built_infrastructure"),
                                  is_published=False)
