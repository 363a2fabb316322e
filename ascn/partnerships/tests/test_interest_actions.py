"""The writes of matchmaking (`actions.matching`): the Secretariat's weights, each side's interest, the
cooperation record and the e-mails of a mutual interest; every refusal changes nothing.

The world (`world`): Da Nang states a published need about traffic signals and Bangkok one about clinic
records; JICA publishes an offer for Viet Nam only (traffic signals) and keeps a draft; a published project of
Da Nang asks for financial support."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from ascn.core.choices import Role
from ascn.core.models import AuditEntry
from ascn.framework.models import FrameworkNode, FrameworkTag
from ascn.network.models import City, Country, Partner
from ascn.partnerships.actions import matching as actions
from ascn.partnerships.actions import offers as offer_actions
from ascn.partnerships.models import CooperationRecord, CooperationTransition, Interest, MatchWeights
from ascn.partnerships.queries import matching as board
from ascn.partnerships.queries import offers as queries
from ascn.plans.models import Project, SupportNeed
from conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(secretariat):
    mobility = FrameworkNode.objects.get(code="built_infrastructure")
    da_nang, bangkok = City.objects.get(slug="da-nang"), City.objects.get(slug="bangkok")
    jica = Partner.objects.get(slug="jica")
    project = Project.objects.create(city=da_nang, title="Quokka flood barrier", focus_area=mobility,
                                     stage="feasibility", currency="USD", cost_estimate=Decimal(1_000_000),
                                     funding_secured=Decimal(300_000), is_published=True)
    support = SupportNeed.objects.create(project=project, kind="technical", details="Signal timing studies.")
    return {
        "dn": offer_actions.create_need(secretariat, da_nang, {"title": "Traffic signal control", "kind": "technical",
                                                               "description": "adaptive traffic signals"},
                                        tags=[mobility], publish=True),
        "bk": offer_actions.create_need(secretariat, bangkok, {"title": "Clinic records", "kind": "technical"},
                                        publish=True),
        "dn_draft": offer_actions.create_need(secretariat, da_nang, {"title": "Kiosks", "kind": "technical"}),
        "project": support,
        "vn": offer_actions.create_offer(secretariat, jica, {"title": "Adaptive traffic signals", "kind":
                                                             "technical_assistance", "description": "traffic signals"},
                                         countries=[Country.objects.get(iso3="VNM")], tags=[mobility], publish=True),
        "draft": offer_actions.create_offer(secretariat, jica, {"title": "Draft help", "kind": "technical_assistance"}),
    }


def state() -> tuple:
    return (list(Interest.objects.values()), list(CooperationRecord.objects.values()),
            list(CooperationTransition.objects.values()), list(MatchWeights.objects.values()),
            FrameworkTag.objects.count(), AuditEntry.objects.count(), len(mail.outbox))


# --- The Secretariat's weights --------------------------------------------------------------------------


def test_the_secretariat_sets_the_weights_audited_and_the_ranking_follows(world, secretariat):
    row = queries.need(None, world["dn"].key)
    assert board.current_weights().text == 0.25
    changes = actions.set_weights(secretariat, {"framework": 0, "ticket": 0, "kind": 0, "stage_readiness": 0,
                                                "text": 2})
    assert changes == {"framework": [0.30, 0.0], "ticket": [0.20, 0.0], "kind": [0.15, 0.0],
                       "stage_readiness": [0.10, 0.0], "text": [0.25, 2.0]}
    weights = MatchWeights.objects.get()
    assert (weights.framework, weights.text, weights.updated_by) == (0.0, 2.0, secretariat)
    entry = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(MatchWeights)).get()
    assert (entry.action, entry.actor, entry.changes["text"]) == ("create", secretariat, [0.25, 2.0])
    match = board.offers_for_need(None, row)[0].match
    assert [c.weight for c in match.components] == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert match.score == pytest.approx(match.components[-1].value)


def test_setting_the_same_weights_again_writes_nothing(secretariat):
    actions.set_weights(secretariat, {"text": 0.5})
    entries = AuditEntry.objects.count()
    assert actions.set_weights(secretariat, {"text": 0.5}) == {}
    assert AuditEntry.objects.count() == entries
    changes = actions.set_weights(secretariat, {"kind": 0.4})
    assert changes == {"kind": [0.15, 0.4]}
    assert MatchWeights.objects.count() == 1
    assert AuditEntry.objects.count() == entries + 1


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"ticket": -1}, "ticket", "The weight must be zero or more."),
    ({"text": float("nan")}, "text", "The weight of “text” must be a finite number."),
    ({"kind": "much"}, "kind", "Give a number."),
    ({"framework": 0, "ticket": 0, "kind": 0, "stage_readiness": 0, "text": 0}, "__all__",
     "At least one weight must be above zero."),
    ({"colour": 1}, "colour", "This field cannot be set here."),
])
def test_bad_weights_are_refused_by_field_and_change_nothing(secretariat, data, field, message):
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.set_weights(secretariat, data)
    assert refused.value.message_dict[field] == [message]
    assert state() == before


@pytest.mark.parametrize("role", ["nr", "csco", "partner", "none"])
def test_only_the_secretariat_sets_the_weights(accounts, role):
    before = state()
    with pytest.raises(PermissionDenied):
        actions.set_weights(accounts[role], {"text": 1})
    assert state() == before


# --- Interest -------------------------------------------------------------------------------------------


def test_a_partner_expresses_interest_audited_and_nothing_opens_yet(world, partner_jica):
    interest = actions.express_interest(partner_jica, world["vn"], world["dn"].key, "partner", "  We can help.  ")
    assert (interest.offer, interest.need_key, interest.city.slug, interest.side, interest.note, interest.by,
            interest.record) == (world["vn"], world["dn"].key, "da-nang", "partner", "We can help.", partner_jica,
                                 None)
    entry = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Interest)).get()
    assert (entry.action, entry.actor, entry.changes["side"], entry.changes["note"]) == (
        "create", partner_jica, [None, "partner"], [None, "We can help."])
    assert CooperationRecord.objects.count() == 0


def test_mutual_interest_opens_a_record_and_tells_both_sides(world, partner_jica, csco_danang,
                                                               django_capture_on_commit_callbacks):
    make_user("jica-2", Role.PARTNER, partner="jica")
    no_mail = make_user("no-mail", Role.CITY_OFFICER, city="da-nang")  # no address: not written to
    no_mail.email = ""
    no_mail.save()
    make_user("csco-bkk", Role.CITY_OFFICER, city="bangkok")            # the other city: not written to
    actions.express_interest(partner_jica, world["vn"], world["dn"].key, "partner", "We can help.")
    records = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        answer = actions.express_interest(csco_danang, world["vn"], world["dn"].key, "city", "Welcome.")
    record = CooperationRecord.objects.get()
    assert (record.title, record.kind, record.partner.slug, record.city.slug, record.offer, record.need_key,
            record.state, record.programme) == (
        "Adaptive traffic signals · Traffic signal control", "technical_assistance", "jica", "da-nang",
        world["vn"], world["dn"].key, "interest", None)
    assert list(record.projects.all()) == []
    assert [t.node.code for t in record.framework_tags.all()] == ["built_infrastructure"]
    assert sorted(Interest.objects.values_list("side", "record_id")) == [("city", record.pk),
                                                                         ("partner", record.pk)]
    assert answer.record == record
    step = CooperationTransition.objects.get()
    assert (step.record, step.action, step.from_state, step.to_state, step.by, step.role) == (
        record, "open", "interest", "interest", csco_danang, "city_officer")
    entries = AuditEntry.objects.order_by("pk")[records:]
    assert [(e.content_type.model, e.action) for e in entries] == [("cooperationrecord", "create"),
                                                                    ("interest", "create")]
    assert sorted(m.to[0] for m in mail.outbox) == ["csco-dn@example.invalid", "jica-2@example.invalid",
                                                     "partner-jica@example.invalid"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert mail.outbox[0].subject == "Mutual interest: Adaptive traffic signals · Traffic signal control"
    assert f"/workspace/cooperation/{record.pk}/" in mail.outbox[0].body


def test_mutual_interest_in_a_projects_support_links_the_project(world, secretariat, partner_jica):
    key = f"p{world['project'].pk}"
    actions.express_interest(secretariat, world["vn"], key, "city")
    actions.express_interest(partner_jica, world["vn"], key, "partner")
    record = CooperationRecord.objects.get()
    assert (record.title, record.need_key) == ("Adaptive traffic signals · Quokka flood barrier", key)
    assert list(record.projects.all()) == [world["project"].project]


def test_the_secretariat_acts_for_either_side(world, secretariat):
    actions.express_interest(secretariat, world["vn"], world["dn"].key, "city")
    actions.express_interest(secretariat, world["vn"], world["dn"].key, "partner")
    assert CooperationRecord.objects.get().transitions.get().role == "secretariat"


@pytest.mark.parametrize(("role", "side"), [("csco", "partner"), ("partner", "city"), ("nr", "city"),
                                            ("nr", "partner"), ("none", "city"), ("adb", "partner"),
                                            ("bkk", "city")])
def test_only_a_sides_own_users_express_its_interest(world, accounts, role, side):
    users = {**accounts, "adb": make_user("adb-1", Role.PARTNER, partner="adb"),
             "bkk": make_user("bkk-1", Role.CITY_OFFICER, city="bangkok")}
    before = state()
    with pytest.raises(PermissionDenied):
        actions.express_interest(users[role], world["vn"], world["dn"].key, side, "Hello")
    assert state() == before


@pytest.mark.parametrize(("offer", "need", "side", "field", "message"), [
    ("vn", "bk", "partner", "need", "The city is outside the offer's countries."),
    ("draft", "dn", "partner", "offer", "No published offer with the id {offer}."),
    ("vn", "dn_draft", "city", "need", "No published need “{need}”."),
    ("vn", "dn", "both", "side", "Choose “city” or “partner”."),
])
def test_a_refused_interest_names_why_and_changes_nothing(world, secretariat, offer, need, side, field, message):
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.express_interest(secretariat, world[offer], world[need].key, side)
    assert refused.value.message_dict[field] == [message.format(offer=world[offer].pk, need=world[need].key)]
    assert state() == before


def test_a_long_note_is_refused(world, partner_jica):
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.express_interest(partner_jica, world["vn"], world["dn"].key, "partner", "x" * 1001)
    assert refused.value.message_dict["note"] == ["Keep the note to 1000 characters (it has 1001)."]
    assert state() == before


def test_interest_is_expressed_once_per_side(world, partner_jica):
    actions.express_interest(partner_jica, world["vn"], world["dn"].key, "partner")
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.express_interest(partner_jica, world["vn"], world["dn"].key, "partner", "Again")
    assert refused.value.message_dict["side"] == ["This side has already expressed interest in this match."]
    assert state() == before


def test_a_side_withdraws_its_interest_audited(world, partner_jica, csco_danang):
    interest = actions.express_interest(partner_jica, world["vn"], world["dn"].key, "partner")
    before = state()
    with pytest.raises(PermissionDenied):
        actions.withdraw_interest(csco_danang, interest)
    assert state() == before
    actions.withdraw_interest(partner_jica, interest)
    assert Interest.objects.count() == 0
    entry = AuditEntry.objects.order_by("-pk").first()
    assert (entry.action, entry.actor, entry.changes["side"]) == ("delete", partner_jica, ["partner", None])


def test_a_mutual_interest_is_not_withdrawn_the_record_is(world, partner_jica, csco_danang):
    interest = actions.express_interest(partner_jica, world["vn"], world["dn"].key, "partner")
    actions.express_interest(csco_danang, world["vn"], world["dn"].key, "city")
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.withdraw_interest(partner_jica, Interest.objects.get(pk=interest.pk))
    assert refused.value.message_dict["record"] == [
        "Both sides are interested and a cooperation record is open: withdraw the cooperation record instead."]
    assert state() == before


def test_a_failed_email_is_logged_and_the_record_stays(world, secretariat, csco_danang, monkeypatch, caplog,
                                                      django_capture_on_commit_callbacks):
    def fail(*args, **kwargs):
        raise OSError("no mail server")

    monkeypatch.setattr(actions, "send_mass_mail", fail)
    actions.express_interest(secretariat, world["vn"], world["dn"].key, "partner")
    with django_capture_on_commit_callbacks(execute=True):
        actions.express_interest(csco_danang, world["vn"], world["dn"].key, "city")
    assert CooperationRecord.objects.count() == 1
    assert "was not sent" in caplog.text
