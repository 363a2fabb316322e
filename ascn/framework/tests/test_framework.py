"""The framework as data and the tagging relation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from ascn.core.models import AuditEntry
from ascn.framework.actions import set_framework_tags
from ascn.framework.models import FrameworkNode, FrameworkTag
from ascn.network.models import Partner

pytestmark = pytest.mark.django_db


def node(code):
    return FrameworkNode.objects.get(code=code)


def test_framework_structure():
    counts = {kind: FrameworkNode.objects.filter(kind=kind).count()
              for kind in ["outcome", "urban_system", "focus_area", "project_type", "enabler"]}
    assert counts == {"outcome": 3, "urban_system": 2, "focus_area": 6, "project_type": 19, "enabler": 2}
    assert list(FrameworkNode.objects.filter(kind="outcome").values_list("name", flat=True)) == [
        "Competitive Economy", "Sustainable Environment", "High Quality of Life"]
    assert list(FrameworkNode.objects.filter(kind="enabler").values_list("name", flat=True)) == [
        "Technological and Digital Solutions", "Partnership and Funding"]
    assert not FrameworkNode.objects.filter(kind="project_type", parent__isnull=True).exists()
    assert node("safety_security").children.count() == 2
    assert set(FrameworkNode.objects.filter(kind="project_type").values_list("parent__kind", flat=True)) == {
        "focus_area"}


def test_node_validation():
    orphan = FrameworkNode(code="x.y", kind="project_type", name="Y")
    with pytest.raises(ValidationError) as excinfo:
        orphan.full_clean()
    assert excinfo.value.message_dict == {"parent": ["A project type belongs to a focus area."]}
    bad_code = FrameworkNode(code="Bad Code", kind="enabler", name="Z")
    with pytest.raises(ValidationError) as excinfo:
        bad_code.full_clean()
    assert list(excinfo.value.message_dict) == ["code"]


def test_tagging_a_record_with_primary_and_secondary_nodes(secretariat):
    jica = Partner.objects.get(slug="jica")
    changes = set_framework_tags(secretariat, jica, node("built_infrastructure"),
                                 [node("technological_digital_solutions"), node("built_infrastructure"),
                                  node("quality_environment.urban_resilience")])
    assert changes == {
        "primary": [None, "built_infrastructure"],
        "secondary": [[], ["quality_environment.urban_resilience", "technological_digital_solutions"]],
    }
    jica = Partner.objects.prefetch_related("framework_tags__node").get(slug="jica")
    assert jica.primary_focus_area.code == "built_infrastructure"
    assert sorted(n.code for n in jica.secondary_nodes) == [
        "quality_environment.urban_resilience", "technological_digital_solutions"]
    assert list(Partner.objects.filter(framework_tags__node__code="built_infrastructure")) == [jica]
    assert set_framework_tags(secretariat, jica, node("built_infrastructure"),
                              [node("technological_digital_solutions"),
                               node("quality_environment.urban_resilience")]) == {}
    entry = AuditEntry.objects.filter(content_type__model="partner").latest("id")
    assert entry.changes["framework_primary"] == [None, "built_infrastructure"]


def test_primary_must_be_a_focus_area_and_is_unique(secretariat):
    jica = Partner.objects.get(slug="jica")
    with pytest.raises(ValidationError):
        set_framework_tags(secretariat, jica, node("partnership_funding"))
    assert FrameworkTag.objects.count() == 0
    set_framework_tags(secretariat, jica, node("civic_social"))
    tag = FrameworkTag.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        FrameworkTag.objects.create(content_type=tag.content_type, object_id=tag.object_id,
                                    node=node("health_wellbeing"), is_primary=True)


def test_tagging_needs_edit_rights(partner_jica, nr_vietnam):
    jica = Partner.objects.get(slug="jica")
    with pytest.raises(PermissionDenied):
        set_framework_tags(nr_vietnam, jica, node("civic_social"))
    assert set_framework_tags(partner_jica, jica, node("civic_social")) == {"primary": [None, "civic_social"]}
