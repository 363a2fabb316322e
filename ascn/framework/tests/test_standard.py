"""The standard tests of the framework's nodes (ascn.core.testing.bases): public to every role, changed by
the Secretariat only (in the back office), and the list endpoint's shape, pages and query count; the nodes
made are project types, so that each item names its parent."""

import itertools

import pytest

from ascn.core.testing.bases import FOREIGN, OWN, ListApi, ModelCase, Scope, every_role, standard_tests
from ascn.framework.models import FrameworkNode

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count()


def make_node(scope: Scope, n: int) -> FrameworkNode:
    """A new project type under a focus area (nodes have no scope: the framework is the same for all)."""
    number = next(NUMBERS)
    return FrameworkNode.objects.create(code=f"civic_social.zeta_{number}", kind="project_type", name=f"Zeta {number}",
                                        parent=FrameworkNode.objects.get(code="civic_social"), position=900)


NODE = ModelCase(
    name="framework_node", model=FrameworkNode, key="code", make=make_node, scopes=(OWN, FOREIGN),
    visible=every_role("own", "foreign"), editable={"secretariat": {"own", "foreign"}},
    list_api=ListApi("/framework"),
)
globals().update(standard_tests(NODE))
