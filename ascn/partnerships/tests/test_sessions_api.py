# ruff: noqa: F811  (the fixtures of test_sessions are imported by name and taken as arguments)
"""The business-matching sessions' API: reads with the pages' permissions (a draft is not found but by the
Secretariat), paginated lists, the Secretariat's writes (a denied one changes nothing), solving in the
background (202), a refusal with each problem (422, nothing changed), and the OpenAPI document."""

import datetime as dt

import pytest

from ascn.partnerships.actions import sessions as actions
from ascn.partnerships.models import MatchingSession, SessionRule

from .test_sessions import DAY, fixed_scores, schedule_of, session, solve, state, who  # noqa: F401

pytestmark = pytest.mark.django_db

DENIED = ("none", "partner", "csco", "nr")


@pytest.fixture
def published(session, secretariat, django_capture_on_commit_callbacks):
    solve(secretariat, session, django_capture_on_commit_callbacks)
    actions.publish_session(secretariat, session)
    session.refresh_from_db()
    return session


def test_a_draft_is_not_found_but_by_the_secretariat(session, api, api_as, accounts):
    assert api.get("/partnerships/sessions").json() == {"items": [], "count": 0}
    assert api.get(f"/partnerships/sessions/{session.pk}").status_code == 404
    for role in DENIED:
        assert api_as(accounts[role]).get(f"/partnerships/sessions/{session.pk}/meetings").status_code == 404
    body = api_as(accounts["secretariat"]).get(f"/partnerships/sessions/{session.pk}").json()
    assert {k: body[k] for k in ("title", "state", "slots", "participants", "meetings", "tables", "timezone",
                                 "solve_status", "score", "stale", "problems")} == {
        "title": "ASEAN-Japan business matching", "state": "draft", "slots": 2, "participants": 4, "meetings": 0,
        "tables": 1, "timezone": "Asia/Bangkok", "solve_status": "", "score": None, "stale": False, "problems": []}


def test_a_published_sessions_schedule(published, api, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        listing = api.get("/partnerships/sessions").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == published.pk
    body = api.get(f"/partnerships/sessions/{published.pk}").json()
    assert (body["solve_status"], body["score"], body["bound"], body["gap"], body["greedy_score"]) == (
        "optimal", pytest.approx(1.7), pytest.approx(1.7), pytest.approx(0.0), pytest.approx(1.4))
    assert body["ratio_to_greedy"] == pytest.approx(1.7 / 1.4)
    with django_assert_max_num_queries(5):
        meetings = api.get(f"/partnerships/sessions/{published.pk}/meetings").json()
    assert meetings == {"count": 2, "items": [
        {"slot": published.slots.get(starts_at=DAY).pk, "starts_at": "2026-03-10T02:00:00Z",
         "ends_at": "2026-03-10T02:30:00Z", "table": 1, "city": "ha-noi", "partner": "jica", "score": 0.8,
         "pinned": False},
        {"slot": published.slots.get(starts_at=DAY + dt.timedelta(minutes=30)).pk,
         "starts_at": "2026-03-10T02:30:00Z", "ends_at": "2026-03-10T03:00:00Z", "table": 1, "city": "da-nang",
         "partner": "jica", "score": 0.9, "pinned": False}]}
    with django_assert_max_num_queries(5):
        people = api.get(f"/partnerships/sessions/{published.pk}/participants").json()
    first = published.slots.get(starts_at=DAY).pk
    assert [(p["side"], p["slug"], p["available"]) for p in people["items"]] == [
        ("city", "da-nang", []), ("city", "ha-noi", [first]), ("partner", "adb", []), ("partner", "jica", [])]
    slots = api.get(f"/partnerships/sessions/{published.pk}/slots?limit=1").json()
    assert slots == {"count": 2, "items": [{"id": first, "starts_at": "2026-03-10T02:00:00Z",
                                            "ends_at": "2026-03-10T02:30:00Z"}]}
    assert api.get(f"/partnerships/sessions/{published.pk}/rules").status_code == 401


def test_the_secretariat_prepares_and_solves_through_the_api(secretariat, api_as, fixed_scores,
                                                             django_capture_on_commit_callbacks):
    client = api_as(secretariat)
    created = client.post("/partnerships/sessions", {"title": "Side session", "timezone": "Asia/Bangkok",
                                                     "tables": 1})
    assert created.status_code == 201
    pk = created.json()["id"]
    slots = client.post(f"/partnerships/sessions/{pk}/slots/generate", {"first": "2026-03-10T09:00:00", "count": 2,
                                                                        "minutes": 30})
    assert slots.status_code == 201
    assert [s["starts_at"] for s in slots.json()] == ["2026-03-10T09:00:00+07:00", "2026-03-10T09:30:00+07:00"]
    added = client.post(f"/partnerships/sessions/{pk}/participants", {"cities": ["da-nang", "ha-noi"],
                                                                      "partners": ["jica", "adb"]})
    assert added.status_code == 201 and len(added.json()) == 4
    hanoi = next(p["id"] for p in added.json() if p["slug"] == "ha-noi")
    first = slots.json()[0]["id"]
    available = client.put(f"/partnerships/sessions/{pk}/participants/{hanoi}/availability", {"slots": [first]})
    assert available.status_code == 200 and available.json()["available"] == [first]
    rule = client.post(f"/partnerships/sessions/{pk}/rules", {"city": "da-nang", "partner": "adb", "kind": "pin",
                                                              "slot": first})
    assert rule.status_code == 201
    assert {k: rule.json()[k] for k in ("kind", "city", "partner", "slot")} == {
        "kind": "pin", "city": "da-nang", "partner": "adb", "slot": first}
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(f"/partnerships/sessions/{pk}/solve", {})
    assert queued.status_code == 202 and queued.json()["solve_status"] == "queued"
    done = client.get(f"/partnerships/sessions/{pk}").json()
    assert (done["solve_status"], done["meetings"], done["score"]) == ("optimal", 2, pytest.approx(1.4))
    published = client.patch(f"/partnerships/sessions/{pk}/state", {"state": "published"})
    assert published.status_code == 200 and published.json()["state"] == "published"


def test_a_session_that_cannot_be_scheduled_is_refused_and_nothing_changes(session, secretariat, api_as,
                                                                           django_capture_on_commit_callbacks):
    solve(secretariat, session, django_capture_on_commit_callbacks)
    actions.set_rule(secretariat, session, who(session, "ha-noi"), who(session, "jica"), "pin")
    actions.set_rule(secretariat, session, who(session, "ha-noi"), who(session, "adb"), "pin")
    client = api_as(secretariat)
    before = state(session)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/partnerships/sessions/{session.pk}/solve", {})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "rules",
                                          "message": "Ha Noi has 2 pinned meetings but is available in 1 slots"}]
    assert callbacks == []
    assert state(session) == before


@pytest.mark.parametrize(("path", "body", "errors"), [
    ("/slots", {"starts_at": "2026-03-10T09:15:00", "ends_at": "2026-03-10T09:45:00"},
     [{"field": "starts_at", "message": "The slot 2026-03-10 09:15-09:45 overlaps the slot 2026-03-10 09:00-09:30."}]),
    ("/participants", {"cities": ["atlantis"]}, [{"field": "cities", "message": "Unknown: atlantis."}]),
    ("/rules", {"city": "bangkok", "partner": "jica", "kind": "pin"},
     [{"field": "city", "message": "“bangkok” is not a city of this session."}]),
])
def test_bad_input_names_the_field_and_changes_nothing(session, secretariat, api_as, path, body, errors):
    client = api_as(secretariat)
    before = state(session)
    response = client.post(f"/partnerships/sessions/{session.pk}{path}", body)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert state(session) == before


WRITES = {
    "update": ("patch", "", {"title": "Changed"}),
    "state": ("patch", "/state", {"state": "draft"}),
    "slot": ("post", "/slots", {"starts_at": "2026-03-10T14:00:00", "ends_at": "2026-03-10T14:30:00"}),
    "generate": ("post", "/slots/generate", {"first": "2026-03-10T14:00:00", "count": 2, "minutes": 30}),
    "participants": ("post", "/participants", {"cities": ["bangkok"]}),
    "rule": ("post", "/rules", {"city": "da-nang", "partner": "adb", "kind": "forbid"}),
    "solve": ("post", "/solve", {}),
}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("role", DENIED)
def test_a_denied_write_changes_nothing(published, accounts, api, api_as, role, write,
                                        django_capture_on_commit_callbacks):
    method, path, body = WRITES[write]
    client = api_as(accounts[role])
    before = state(published)
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, method)(f"/partnerships/sessions/{published.pk}{path}", body)
        anonymous = getattr(api, method)(f"/partnerships/sessions/{published.pk}{path}", body)
    assert response.status_code == 403
    assert anonymous.status_code == 401
    assert state(published) == before


@pytest.mark.parametrize("role", DENIED)
def test_denied_deletes_change_nothing(published, accounts, api_as, role):
    client = api_as(accounts[role])
    before = state(published)
    slot = published.slots.first()
    assert client.delete(f"/partnerships/sessions/{published.pk}/slots/{slot.pk}").status_code == 403
    assert client.delete(f"/partnerships/sessions/{published.pk}/participants/{who(published, 'adb').pk}"
                         ).status_code == 403
    assert state(published) == before


def test_the_secretariat_deletes(session, secretariat, api_as):
    client = api_as(secretariat)
    actions.set_rule(secretariat, session, who(session, "da-nang"), who(session, "adb"), "forbid")
    rule = SessionRule.objects.get(session=session)
    assert client.delete(f"/partnerships/sessions/{session.pk}/rules/{rule.pk}").status_code == 204
    assert client.delete(f"/partnerships/sessions/{session.pk}/participants/{who(session, 'adb').pk}"
                         ).status_code == 204
    slot = session.slots.order_by("starts_at").last()
    assert client.delete(f"/partnerships/sessions/{session.pk}/slots/{slot.pk}").status_code == 204
    session.refresh_from_db()
    assert (session.slots.count(), session.participants.count(), SessionRule.objects.count()) == (1, 3, 0)
    assert schedule_of(session) == []


def test_only_the_secretariat_creates(accounts, api_as):
    count = MatchingSession.objects.count()
    for role in DENIED:
        assert api_as(accounts[role]).post("/partnerships/sessions", {"title": "X"}).status_code == 403
    assert MatchingSession.objects.count() == count


def test_the_openapi_document_describes_the_sessions(api):
    schema = api.get("/openapi.json").json()
    paths = {path for path in schema["paths"] if path.startswith("/api/v1/partnerships/sessions")}
    assert paths == {
        "/api/v1/partnerships/sessions", "/api/v1/partnerships/sessions/{pk}",
        "/api/v1/partnerships/sessions/{pk}/state", "/api/v1/partnerships/sessions/{pk}/slots",
        "/api/v1/partnerships/sessions/{pk}/slots/generate", "/api/v1/partnerships/sessions/{pk}/slots/{slot_id}",
        "/api/v1/partnerships/sessions/{pk}/participants",
        "/api/v1/partnerships/sessions/{pk}/participants/{participant_id}",
        "/api/v1/partnerships/sessions/{pk}/participants/{participant_id}/availability",
        "/api/v1/partnerships/sessions/{pk}/meetings", "/api/v1/partnerships/sessions/{pk}/rules",
        "/api/v1/partnerships/sessions/{pk}/rules/{rule_id}", "/api/v1/partnerships/sessions/{pk}/solve"}
    assert "202" in schema["paths"]["/api/v1/partnerships/sessions/{pk}/solve"]["post"]["responses"]


def test_a_refusal_found_by_the_solver_is_read_from_the_session(session, secretariat, api_as,
                                                                django_capture_on_commit_callbacks):
    solve(secretariat, session, django_capture_on_commit_callbacks)
    actions.set_rule(secretariat, session, who(session, "ha-noi"), who(session, "jica"), "pin")
    actions.set_rule(secretariat, session, who(session, "da-nang"), who(session, "jica"), "pin",
                     slot=session.slots.get(starts_at=DAY))
    client = api_as(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/partnerships/sessions/{session.pk}/solve", {}).status_code == 202
    body = client.get(f"/partnerships/sessions/{session.pk}").json()
    assert (body["solve_status"], body["meetings"], body["stale"]) == ("refused", 2, True)
    assert body["problems"] == ["the pinned meetings cannot all be placed in the slots and tables available; "
                                "unpin some meetings or add slots or tables"]
    assert "problems" not in client.get("/partnerships/sessions").json()["items"][0]
