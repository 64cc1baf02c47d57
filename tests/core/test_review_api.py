"""The review queue in the API (/api/v1/review): private to reviewers, filters, one item with
its flags and history, decisions with 409 and 422, the OpenAPI document."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from space.accounts.models import User
from space.api import tokens
from space.db import db
from space.moderation import decisions, penalties, services
from space.moderation.models import Flag, FlagStatus, ReviewItem, ReviewStatus
from space.trust import TrustLevel
from tests import factories
from tests.plugins.reviewables import Note, create_tables, give_scope, make_note

API = "/api/v1/review"


@pytest.fixture
def app_config():
    return {"SPACE_PLUGINS": ["tests.plugins.reviewables"]}


@pytest.fixture(autouse=True)
def _tables(app):
    create_tables()


def bearer(user, scopes=("read", "write")) -> dict:
    _token, secret = tokens.create(user, "tests", list(scopes))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def moderator(app):
    return factories.moderator(locale="en")


@pytest.fixture
def auth(moderator):
    return bearer(moderator)


def flagged(note, *, levels=(1,), reason="inappropriate", message="") -> ReviewItem:
    item_type = "test.comment" if note.kind == "comment" else "test.note"
    for level in levels:
        services.flag(
            factories.user(trust_level=TrustLevel(level)), item_type, note.id, reason, message
        )
    db.session.commit()
    db.session.expire_all()
    return db.session.scalar(
        select(ReviewItem).where(ReviewItem.item_type == item_type, ReviewItem.item_id == note.id)
    )


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def test_the_openapi_document_lists_the_review_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert "get" in paths[API]
    assert "get" in paths[API + "/{item_id}"]
    decide = paths[API + "/{item_id}/decide"]["post"]
    assert decide["summary"] and {"200", "409", "422"} <= set(decide["responses"])
    assert "ReviewItemDetail" in str(document["components"]["schemas"].keys())


def test_nobody_but_reviewers_reaches_the_api(client):
    item = flagged(make_note(factories.user()))
    member = bearer(factories.user(trust_level=TrustLevel.LEADER))
    for headers in ({}, member):
        assert client.get(API, headers=headers).status_code == 404
        assert client.get(f"{API}/{item.id}", headers=headers).status_code == 404
        response = client.post(
            f"{API}/{item.id}/decide", json={"action": "ignore", "version": 1}, headers=headers
        )
        assert response.status_code in {401, 403, 404}
        assert response.status_code == 404 or not headers
    assert fresh(ReviewItem, item.id).status == ReviewStatus.PENDING


def test_list_and_filters(client, moderator, auth):
    alice = factories.user("alice")
    spam = flagged(make_note(alice, scope="notes:a"), reason="spam", levels=(1, 2))
    comment = flagged(make_note(factories.user(), kind="comment"), reason="off_topic")
    response = client.get(API, headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 2 and [row["id"] for row in body["items"]] == [spam.id, comment.id]
    first = body["items"][0]
    assert first["kind"] == "Note" and first["status"] == "pending"
    assert first["flag_counts"] == {"spam": 2} and first["score"] == 5
    assert first["author"]["username"] == "alice" and first["version"] == spam.version
    assert first["snapshot"]["url"] == f"/notes/{spam.item_id}"

    def ids(query):
        response = client.get(API + query, headers=auth)
        assert response.status_code == 200, response.get_json()
        return [row["id"] for row in response.get_json()["items"]]

    assert ids("?kind=test.comment") == [comment.id]
    assert ids("?scope=notes:a") == [spam.id]
    assert ids("?user=alice") == [spam.id]
    assert ids("?flag_reason=off_topic") == [comment.id]
    assert ids("?status=approved") == []
    assert ids("?reason=held") == []
    assert ids("?per_page=1&page=2") == [comment.id]


@pytest.mark.parametrize(
    "query, field",
    [
        ("?status=nope", "status"),
        ("?kind=nothing", "kind"),
        ("?scope=notes:z", "scope"),
        ("?user=nobody", "user"),
        ("?flag_reason=boring", "flag_reason"),
        ("?page=0", "page"),
        ("?per_page=1000", "per_page"),
    ],
)
def test_bad_filters_get_field_errors(client, auth, query, field):
    response = client.get(API + query, headers=auth)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]


def test_one_item_with_flags_history_and_record(client, moderator, auth):
    author = factories.user("writer")
    item = flagged(make_note(author), levels=(2, 2, 2), reason="other", message="An ad")
    response = client.get(f"{API}/{item.id}", headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert body["hidden"] is True and body["hide_count"] == 1
    assert [flag["reason"] for flag in body["flags"]] == ["other"] * 3
    assert body["flags"][0]["message"] == "An ad" and body["flags"][0]["weight"] == 3
    assert body["flags"][0]["status"] == "pending" and body["flags"][0]["user"]["username"]
    actions = [entry["action"] for entry in body["history"]]
    assert actions[0] == "flagged" and "hidden" in actions
    assert body["author_record"] == {"items": 1, "agreed": 0, "penalties": []}
    assert client.get(f"{API}/999999", headers=auth).status_code == 404


def test_a_decision_through_the_api(client, moderator, auth):
    author = factories.user()
    item = flagged(make_note(author), levels=(2, 2, 2))
    version = item.version
    response = client.post(
        f"{API}/{item.id}/decide",
        json={"action": "agree_silence", "version": version, "reason": "Spam", "days": 2},
        headers=auth,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "approved" and body["version"] == version + 1
    assert {flag["status"] for flag in body["flags"]} == {"agreed"}
    assert body["history"][-1]["action"] == "agree_silence"
    assert body["history"][-1]["actor"]["id"] == moderator.id
    assert penalties.is_silenced(fresh(User, author.id))
    # The same version again: someone (here, the same moderator) already handled it.
    again = client.post(
        f"{API}/{item.id}/decide", json={"action": "disagree", "version": version}, headers=auth
    )
    assert again.status_code == 409
    assert again.get_json()["message"] == "Another moderator already handled this item."


def test_a_stale_version_is_409_and_changes_nothing(client, moderator, auth):
    item = flagged(make_note(factories.user()))
    other = factories.moderator("other")
    decisions.decide(other, item, "ignore", version=item.version)
    db.session.commit()
    response = client.post(
        f"{API}/{item.id}/decide", json={"action": "agree_delete", "version": 1}, headers=auth
    )
    assert response.status_code == 409
    item = fresh(ReviewItem, item.id)
    assert item.status == ReviewStatus.IGNORED and item.resolved_by_id == other.id
    assert fresh(Note, item.item_id).deleted is False


@pytest.mark.parametrize(
    "body, field",
    [
        ({"action": "approve"}, "action"),  # only for held items
        ({"action": "agree_suspend", "reason": ""}, "reason"),
        ({"action": "explode"}, "action"),
        ({"action": "ignore", "version": "1"}, "version"),
        ({"action": "agree_silence", "reason": "x", "days": -3}, "days"),
        ({"action": "ignore", "extra": 1}, "extra"),
    ],
)
def test_refused_decisions_are_422(client, moderator, auth, body, field):
    item = flagged(make_note(factories.user()))
    payload = {"version": item.version, **body}
    response = client.post(f"{API}/{item.id}/decide", json=payload, headers=auth)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert fresh(ReviewItem, item.id).status == ReviewStatus.PENDING
    flags = db.session.scalars(select(Flag).where(Flag.review_item_id == item.id)).all()
    assert {row.status for row in flags} == {FlagStatus.PENDING}


def test_a_browser_session_may_read_but_not_decide(client, login, moderator):
    item = flagged(make_note(factories.user()))
    login(moderator)
    assert client.get(API).status_code == 200
    response = client.post(f"{API}/{item.id}/decide", json={"action": "ignore", "version": 1})
    assert response.status_code == 401 and "token" in response.get_json()["message"]
    assert fresh(ReviewItem, item.id).status == ReviewStatus.PENDING


def test_category_moderators_see_their_scopes_only(client):
    author = factories.user()
    mine = flagged(make_note(author, scope="notes:a"))
    theirs = flagged(make_note(author, scope="notes:b"))
    keeper = factories.user(trust_level=TrustLevel.REGULAR)
    give_scope(keeper, "notes:a")
    headers = bearer(keeper)
    body = client.get(API, headers=headers).get_json()
    assert [row["id"] for row in body["items"]] == [mine.id]
    assert client.get(f"{API}/{theirs.id}", headers=headers).status_code == 404
    assert client.get(API + "?scope=notes:b", headers=headers).status_code == 422
    response = client.post(
        f"{API}/{theirs.id}/decide", json={"action": "ignore", "version": 1}, headers=headers
    )
    assert response.status_code == 404
    response = client.post(
        f"{API}/{mine.id}/decide", json={"action": "agree_keep", "version": 1}, headers=headers
    )
    assert response.status_code == 200 and response.get_json()["status"] == "approved"


def test_the_list_costs_a_fixed_number_of_queries(client, auth, count_queries):
    def cost() -> int:
        with count_queries() as counter:
            assert client.get(API + "?per_page=3", headers=auth).status_code == 200
        return counter.count

    for _ in range(4):
        flagged(make_note(factories.user()))
    cost()
    one = cost()
    for _ in range(6):
        flagged(make_note(factories.user()), levels=(1, 2), reason="spam")
    assert cost() == one
