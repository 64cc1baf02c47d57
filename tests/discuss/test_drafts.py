"""Drafts: the JSON API (round trip, sequence conflicts, bad input, privacy), forms filled
from a draft, and the draft gone once the post is created."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugins.discuss.models import Draft, Post
from plugins.discuss.services import drafts
from space.db import db
from space.trust import TrustLevel
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def api(client, login, make):
    """``api(method, key, json=None)`` as a signed-in member, with the CSRF header."""
    make.category()
    member = factories.user("drafter", trust_level=TrustLevel.MEMBER)
    login(member)
    token = csrf_token(client, "/discuss/new")

    def call(method, key, json=None, **kwargs):
        return client.open(
            f"/discuss/drafts/{key}",
            method=method,
            json=json,
            headers={"X-CSRFToken": token},
            **kwargs,
        )

    call.user = member
    return call


def test_round_trip(api):
    assert api("GET", "topic").get_json() == {"draft": None, "sequence": 0}
    data = {
        "title": "A title in progress",
        "raw": "Some text",
        "category": "general",
        "tags": "a, b",
        "unknown": "dropped",
    }
    saved = api("PUT", "topic", {"data": data, "sequence": 0})
    assert saved.status_code == 200 and saved.get_json()["sequence"] == 1
    got = api("GET", "topic").get_json()
    assert got["draft"] == {
        "title": "A title in progress",
        "raw": "Some text",
        "category": "general",
        "tags": "a, b",
    }
    assert got["sequence"] == 1
    again = api("PUT", "topic", {"data": {"raw": "More text"}, "sequence": 1})
    assert again.get_json()["sequence"] == 2
    assert api("DELETE", "topic").status_code == 200
    assert api("GET", "topic").get_json()["draft"] is None


def test_an_older_sequence_is_refused(api):
    api("PUT", "reply:7", {"data": {"raw": "From the first window"}, "sequence": 0})
    api("PUT", "reply:7", {"data": {"raw": "First window again"}, "sequence": 1})
    stale = api("PUT", "reply:7", {"data": {"raw": "From a stale window"}, "sequence": 1})
    assert stale.status_code == 409
    assert stale.get_json()["sequence"] == 2
    assert api("GET", "reply:7").get_json()["draft"]["raw"] == "First window again"
    # A second window that never loaded the draft (sequence 0) does not overwrite it either.
    assert api("PUT", "reply:7", {"data": {"raw": "x"}, "sequence": 0}).status_code == 409


@pytest.mark.parametrize(
    "key", ["nope", "reply:", "reply:abc", "edit:0", "reply:1:2", "topic2", "edit:99999999999"]
)
def test_bad_keys(api, key):
    for method in ("GET", "PUT", "DELETE"):
        response = api(method, key, {"data": {"raw": "x"}, "sequence": 0})
        assert response.status_code in (400, 404), (method, key)


@pytest.mark.parametrize(
    "body",
    [
        {"data": "text", "sequence": 0},
        {"data": {"raw": 5}, "sequence": 0},
        {"data": {"raw": "x"}, "sequence": "1"},
        {"data": {"raw": "x"}, "sequence": -1},
        {"data": {"reply_to": "abc"}, "sequence": 0},
        {"data": {"raw": "x"}, "sequence": True},
        [1, 2],
    ],
)
def test_bad_bodies(api, body):
    assert api("PUT", "topic", body).status_code == 400


def test_too_large(api):
    response = api("PUT", "topic", {"data": {"raw": "x" * 32_001}, "sequence": 0})
    assert response.status_code == 413
    response = api("PUT", "topic", {"data": {"title": "x" * 5000}, "sequence": 0})
    assert response.status_code == 413


def test_not_json(api, client):
    token = csrf_token(client, "/discuss/new")
    response = client.put(
        "/discuss/drafts/topic",
        data=b"{not json",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 400


def test_only_the_owner_sees_a_draft(api, client, login):
    api("PUT", "topic", {"data": {"raw": "My secret plans"}, "sequence": 0})
    other = factories.user("snoop", trust_level=TrustLevel.MEMBER)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/discuss/new")})
    login(other)
    response = client.get("/discuss/drafts/topic")
    assert response.get_json() == {"draft": None, "sequence": 0}
    assert "My secret plans" not in client.get("/discuss/new").get_data(as_text=True)


def test_anonymous_gets_401(client):
    assert client.get("/discuss/drafts/topic").status_code == 401


def test_new_topic_form_is_filled_from_the_draft(api, client, post, make):
    category = make.category("Ideas")
    api(
        "PUT",
        "topic",
        {
            "data": {
                "title": "A draft title for later",
                "raw": "Draft body text",
                "category": category.slug,
                "tags": "x",
            },
            "sequence": 0,
        },
    )
    page = client.get("/discuss/new").get_data(as_text=True)
    assert 'value="A draft title for later"' in page and "Draft body text" in page
    assert f'<option selected value="{category.slug}">' in page
    assert 'data-draft-sequence="1"' in page
    # Posting the topic deletes the draft.
    response = post(
        "/discuss/new",
        {
            "title": "A draft title for later",
            "category": category.slug,
            "raw": "Draft body text, now finished and long.",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Draft).where(Draft.user_id == api.user.id)) is None


def test_reply_draft_is_deleted_when_the_reply_is_created(api, client, post, make):
    topic = make.topic()
    key = f"reply:{topic.id}"
    api("PUT", key, {"data": {"raw": "Half a reply"}, "sequence": 0})
    page = client.get(f"/discuss/t/{topic.id}/reply").get_data(as_text=True)
    assert "Half a reply" in page
    response = post(f"/discuss/t/{topic.id}/reply", {"raw": "A whole reply, finished now."})
    assert response.status_code == 302
    assert api("GET", key).get_json()["draft"] is None


def test_refused_post_keeps_the_draft(api, client, post, make):
    topic = make.topic()
    key = f"reply:{topic.id}"
    api("PUT", key, {"data": {"raw": "Half"}, "sequence": 0})
    assert post(f"/discuss/t/{topic.id}/reply", {"raw": "Half"}).status_code == 422
    assert api("GET", key).get_json()["draft"]["raw"] == "Half"


def test_discard_button_without_javascript(api, client, post, make):
    api("PUT", "topic", {"data": {"raw": "Throw me away"}, "sequence": 0})
    response = post("/discuss/new", {"raw": "Throw me away", "discard_draft": "1"})
    assert response.status_code == 302
    assert api("GET", "topic").get_json()["draft"] is None


def test_edit_draft_fills_the_edit_form(api, client, make):
    topic = make.topic(api.user)
    first = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))
    api("PUT", f"edit:{first}", {"data": {"raw": "An edit in progress"}, "sequence": 0})
    page = client.get(f"/discuss/p/{first}/edit").get_data(as_text=True)
    assert "An edit in progress" in page


def test_service_refuses_bad_input(app):
    user = factories.user()
    with pytest.raises(drafts.DraftError):
        drafts.save(user, "bogus", {}, 0)
    with pytest.raises(drafts.DraftError):
        drafts.save(user, "topic", {"raw": ["list"]}, 0)
    assert drafts.get(user, "bogus") is None


def test_old_drafts_are_forgotten_beyond_the_cap(app, monkeypatch):
    monkeypatch.setattr(drafts, "MAX_DRAFTS", 3)
    user = factories.user()
    for topic_id in range(1, 6):
        drafts.save(user, f"reply:{topic_id}", {"raw": f"draft {topic_id}"}, 0)
        db.session.commit()
    keys = set(db.session.scalars(select(Draft.key).where(Draft.user_id == user.id)))
    assert keys == {"reply:3", "reply:4", "reply:5"}
