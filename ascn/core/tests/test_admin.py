"""The back office: Secretariat staff only, tokens shown once, every save audited."""

import pytest

from ascn.core.models import ApiToken, AuditEntry
from ascn.network.models import City

pytestmark = pytest.mark.django_db


def test_secretariat_creates_a_token_in_the_back_office(client, secretariat, nr_vietnam):
    client.force_login(secretariat)
    response = client.post("/admin/core/apitoken/add/", {"user": nr_vietnam.pk, "name": "from admin"}, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get(name="from admin")
    assert token.user == nr_vietnam
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m.split(": ")[-1] for m in shown if "not shown again" in m)
    from ascn.core.actions import authenticate_token

    assert authenticate_token(secret) == nr_vietnam


def test_back_office_edits_are_audited(client, secretariat):
    client.force_login(secretariat)
    city = City.objects.get(slug="phuket")
    response = client.get(f"/admin/network/city/{city.pk}/change/")
    form = response.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    data.update({"local_name": "จังหวัดภูเก็ต", "aliases": '["Phuket City"]', "pilot": "on",
                 "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1",
                 "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000"})
    membership = city.memberships.get()
    data.update({"memberships-0-id": membership.pk, "memberships-0-city": city.pk,
                 "memberships-0-joined_on": "2018-04-28", "memberships-0-basis": membership.basis,
                 "memberships-0-source": membership.source})
    response = client.post(f"/admin/network/city/{city.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    city.refresh_from_db()
    assert (city.local_name, city.aliases) == ("จังหวัดภูเก็ต", ["Phuket City"])
    entry = AuditEntry.objects.filter(via="admin").latest("id")
    assert (entry.actor, entry.action) == (secretariat, "update")
    assert entry.changes["local_name"] == ["ภูเก็ต", "จังหวัดภูเก็ต"]
