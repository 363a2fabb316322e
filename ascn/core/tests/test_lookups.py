"""The shared way to fetch the record a page or endpoint is about: 404 when not visible, 403 when not editable."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ascn.core.lookups import editable_or_403, visible_or_404
from ascn.network.models import City

pytestmark = pytest.mark.django_db


def test_a_visible_row_is_returned_and_a_missing_one_is_a_404_with_the_message(csco_danang):
    rows = City.objects.visible_to(csco_danang)
    assert visible_or_404(rows, "no city", slug="ha-noi").slug == "ha-noi"
    with pytest.raises(Http404, match=r"^no city$"):
        visible_or_404(rows, "no city", slug="atlantis")


def test_a_row_the_user_sees_but_may_not_change_is_a_403(csco_danang):
    rows = City.objects.visible_to(csco_danang)
    assert editable_or_403(csco_danang, rows, "no city", slug="da-nang").slug == "da-nang"
    with pytest.raises(PermissionDenied):
        editable_or_403(csco_danang, rows, "no city", slug="ha-noi")
    with pytest.raises(Http404):
        editable_or_403(csco_danang, rows, "no city", slug="atlantis")
