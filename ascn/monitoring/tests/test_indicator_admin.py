"""The Secretariat sets an indicator's unit, direction and framework tags in the back office."""

from django.test import Client

from ascn.core.models import AuditEntry
from ascn.framework.models import FrameworkNode
from ascn.monitoring.models import Indicator


def test_the_admin_sets_unit_direction_and_framework_tags(secretariat):
    indicator = Indicator.objects.get(code="EC: ICT: ICT: 1C")
    area = FrameworkNode.objects.get(code="industry_innovation")
    other = FrameworkNode.objects.get(kind="outcome", code="competitive_economy")
    client = Client()
    client.force_login(secretariat)
    page = client.get(f"/admin/monitoring/indicator/{indicator.pk}/change/")
    assert page.status_code == 200 and 'name="focus_area"' in page.content.decode()
    data = {"code": indicator.code, "name": indicator.name, "family": "u4ssc", "dimension": indicator.dimension,
            "sub_dimension": indicator.sub_dimension, "category": indicator.category, "level": indicator.level,
            "unit": "%", "direction": "higher", "aggregation": "population_weighted", "numerator": "",
            "denominator": "", "sdgs": "[17]", "source": indicator.source, "is_published": "on", "i18n": "{}",
            "focus_area": area.pk, "other_nodes": [other.pk]}
    response = client.post(f"/admin/monitoring/indicator/{indicator.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    indicator.refresh_from_db()
    assert (indicator.unit, indicator.direction, indicator.aggregation) == ("%", "higher", "population_weighted")
    tags = sorted((t.node.code, t.is_primary) for t in indicator.framework_tags.select_related("node"))
    assert tags == [("competitive_economy", False), ("industry_innovation", True)]
    entry = AuditEntry.objects.filter(object_id=str(indicator.pk), via="admin").order_by("-id").first()
    assert entry is not None
