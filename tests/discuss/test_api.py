"""Discuss in the JSON API: reading with the pages' rules, writing through the services with
a Bearer token, refusals as 422 in the core's error shape, private stays private."""

from __future__ import annotations

import pytest

from plugins.discuss.models import Access, Bookmark, Post, PostLike, Topic
from space.accounts import groups
from space.api import tokens
from space.db import db, utcnow
from space.trust import TrustLevel
from tests import factories

API = "/api/v1/discuss"


def bearer(user, scopes=("read", "write")) -> dict:
    _token, secret = tokens.create(user, "tests", list(scopes))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def ada(app):
    return factories.user("ada", trust_level=TrustLevel.MEMBER, locale="en")


@pytest.fixture
def ada_auth(ada):
    return bearer(ada)


@pytest.fixture
def private(app, make):
    crew = factories.group("crew")
    member = factories.user("crewmate", trust_level=TrustLevel.MEMBER, locale="en")
    groups.add_member(crew, member)
    db.session.commit()
    return make.category("Backstage", groups={crew: Access.CREATE}), member


def first_post(topic) -> Post:
    return db.session.scalar(
        db.select(Post).where(Post.topic_id == topic.id, Post.post_number == 1)
    )


def test_the_openapi_document_lists_discuss_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters" and path.startswith(API)
    }
    assert operations == {
        ("GET", f"{API}/categories"),
        ("GET", f"{API}/topics"),
        ("POST", f"{API}/topics"),
        ("GET", f"{API}/topics/{{topic_id}}"),
        ("POST", f"{API}/topics/{{topic_id}}/posts"),
        ("PATCH", f"{API}/posts/{{post_id}}"),
        ("POST", f"{API}/posts/{{post_id}}/like"),
        ("DELETE", f"{API}/posts/{{post_id}}/like"),
        ("POST", f"{API}/posts/{{post_id}}/bookmark"),
        ("DELETE", f"{API}/posts/{{post_id}}/bookmark"),
        ("POST", f"{API}/posts/{{post_id}}/accept"),
        ("DELETE", f"{API}/posts/{{post_id}}/accept"),
    }
    paths = document["paths"]
    assert paths[f"{API}/topics"]["post"]["security"] == [{"bearerAuth": []}]
    assert {} in paths[f"{API}/topics"]["get"]["security"]
    for path, item in paths.items():
        for method, operation in item.items():
            if path.startswith(API) and method != "parameters":
                assert operation.get("summary"), (method, path)


def test_categories_are_those_you_may_see(client, make, private, ada_auth):
    backstage, member = private
    general = make.category("General")
    sub = make.category("Local", parent=general)
    body = client.get(f"{API}/categories").get_json()
    slugs = [c["slug"] for c in body["items"]]
    assert slugs == [general.slug, sub.slug] and body["total"] == 2
    assert body["items"][0]["can_create"] is False, "anonymous readers create nothing"
    assert body["items"][0]["url"] == f"http://localhost/discuss/c/{general.slug}"
    mine = client.get(f"{API}/categories", headers=bearer(member)).get_json()
    assert backstage.slug in [c["slug"] for c in mine["items"]]
    assert all(c["can_create"] for c in mine["items"])
    assert client.get(f"{API}/categories", headers=ada_auth).get_json()["total"] == 2


def test_topics_list_filters_and_privacy(client, make, private, ada):
    backstage, member = private
    leila = factories.user("leila", trust_level=TrustLevel.REGULAR)
    events = make.category("Events")
    local = make.category("Local meetups", parent=events)
    a = make.topic(leila, events, title="Spring events calendar", tags=["calendar"])
    b = make.topic(leila, local, title="Meetup in Lagos next Friday")
    c = make.topic(ada, make.category("General"), title="A general question here")
    make.topic(member, backstage, title="Private planning topic")
    unlisted = make.topic(ada, title="Unlisted topic, by link only")
    db.session.get(Topic, unlisted.id).listed = False
    db.session.commit()
    make.reply(a)  # bumps a to the top
    body = client.get(f"{API}/topics").get_json()
    ids = [t["id"] for t in body["items"]]
    assert ids[:3] == [a.id, c.id, b.id] and body["total"] == 3
    first = body["items"][0]
    assert first["category"] == events.slug and first["tags"] == ["calendar"]
    assert first["user"]["username"] == "leila" and first["post_count"] == 2
    assert first["url"] == f"http://localhost/discuss/t/{a.slug}/{a.id}"
    by_category = client.get(f"{API}/topics", query_string={"category": events.slug}).get_json()
    assert {t["id"] for t in by_category["items"]} == {a.id, b.id}
    by_tag = client.get(f"{API}/topics", query_string={"tag": "calendar"}).get_json()
    assert [t["id"] for t in by_tag["items"]] == [a.id]
    paged = client.get(f"{API}/topics", query_string={"per_page": 2, "page": 2}).get_json()
    assert [t["id"] for t in paged["items"]] == [b.id] and paged["per_page"] == 2
    for args in ({"category": backstage.slug}, {"category": "nope"}, {"tag": "nope"}):
        response = client.get(f"{API}/topics", query_string=args)
        assert response.status_code == 404 and response.get_json()["code"] == 404
    inside = client.get(f"{API}/topics", headers=bearer(member)).get_json()
    assert inside["total"] == 4
    assert client.get(f"{API}/topics", query_string={"per_page": 1000}).status_code == 422


def test_a_topic_with_its_posts(client, make, ada, private):
    topic = make.topic(ada, make.category("General"), title="Translation sprint this weekend")
    one = make.reply(topic, raw="I can translate into Spanish on Saturday.")
    hidden = make.reply(topic, raw="This reply will be hidden by a moderator.", reply_to=2)
    db.session.get(Post, hidden.id).hidden_at = utcnow()
    db.session.commit()
    body = client.get(f"{API}/topics/{topic.id}").get_json()
    assert body["id"] == topic.id and body["title"] == topic.title
    posts = body["posts"]
    assert [p["post_number"] for p in posts["items"]] == [1, 2] and posts["total"] == 2
    assert posts["items"][1]["id"] == one.id and posts["items"][1]["liked"] is False
    assert "<p>" in posts["items"][1]["cooked"]
    author = db.session.get(Post, hidden.id).user_id
    from space.accounts.models import User

    writer = db.session.get(User, author)
    mine = client.get(f"{API}/topics/{topic.id}", headers=bearer(writer)).get_json()
    assert [p["post_number"] for p in mine["posts"]["items"]] == [1, 2, 3]
    assert mine["posts"]["items"][2]["hidden"] is True
    paged = client.get(f"{API}/topics/{topic.id}", query_string={"per_page": 1, "page": 2})
    assert [p["post_number"] for p in paged.get_json()["posts"]["items"]] == [2]
    backstage, member = private
    secret = make.topic(member, backstage, title="Private topic in backstage")
    assert client.get(f"{API}/topics/{secret.id}").status_code == 404
    assert client.get(f"{API}/topics/{secret.id}", headers=bearer(ada)).status_code == 404
    assert client.get(f"{API}/topics/{secret.id}", headers=bearer(member)).status_code == 200
    assert client.get(f"{API}/topics/999999").status_code == 404


def test_creating_a_topic(client, make, ada, ada_auth, private):
    general = make.category("General")
    data = {
        "category": general.slug,
        "title": "How do I join a local chapter?",
        "raw": "I just moved to Lyon and would love to help out.",
    }
    response = client.post(f"{API}/topics", json=data, headers=ada_auth)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    topic = db.session.get(Topic, body["id"])
    assert topic.user_id == ada.id and body["posts"]["items"][0]["raw"] == data["raw"]
    assert body["category"] == general.slug
    # Without a token, with a read-only token: refused.
    assert client.post(f"{API}/topics", json=data).status_code == 401
    read_only = bearer(ada, scopes=("read",))
    assert client.post(f"{API}/topics", json=data, headers=read_only).status_code == 403


def test_refusals_are_422_with_the_message_under_the_field(client, make, ada_auth, private):
    backstage, _member = private
    general = make.category("General")
    short = client.post(
        f"{API}/topics",
        headers=ada_auth,
        json={"category": general.slug, "title": "Short", "raw": "x" * 30},
    )
    assert short.status_code == 422
    body = short.get_json()
    assert body["code"] == 422 and "at least 15 characters" in body["message"]
    assert body["errors"]["json"]["title"] == [body["message"]]
    for slug in (backstage.slug, "no-such-category"):
        refused = client.post(
            f"{API}/topics",
            headers=ada_auth,
            json={
                "category": slug,
                "title": "A long enough title",
                "raw": "A long enough body text.",
            },
        )
        assert refused.status_code == 422
        assert "category" in refused.get_json()["errors"]["json"]
    assert db.session.scalar(db.select(db.func.count(Topic.id))) == 0
    invalid = client.post(f"{API}/topics", headers=ada_auth, json={"title": 3, "bogus": 1})
    assert invalid.status_code == 422
    assert set(invalid.get_json()["errors"]["json"]) >= {"category", "title", "raw", "bogus"}


def test_replying_and_editing(client, make, ada, ada_auth, private):
    topic = make.topic(ada, make.category("General"), title="Who is coming to the meetup?")
    bob = factories.user("bob", trust_level=TrustLevel.MEMBER, locale="en")
    bob_auth = bearer(bob)
    response = client.post(
        f"{API}/topics/{topic.id}/posts",
        headers=bob_auth,
        json={"raw": "I will be there with two friends!", "reply_to": 1},
    )
    assert response.status_code == 201, response.get_json()
    reply = response.get_json()
    assert reply["post_number"] == 2 and reply["reply_to_post_number"] == 1
    assert reply["can"] == {"edit": True, "like": False}
    bad = client.post(
        f"{API}/topics/{topic.id}/posts",
        headers=bob_auth,
        json={"raw": "Replying to a post that does not exist.", "reply_to": 9},
    )
    assert bad.status_code == 422 and "reply_to" in bad.get_json()["errors"]["json"]
    edited = client.patch(
        f"{API}/posts/{reply['id']}",
        headers=bob_auth,
        json={"raw": "I will be there with three friends!"},
    )
    assert edited.status_code == 200 and "three" in edited.get_json()["cooked"]
    assert (
        client.patch(
            f"{API}/posts/{reply['id']}",
            headers=ada_auth,
            json={"raw": "Someone else's words here."},
        ).status_code
        == 403
    )
    retitled = client.patch(
        f"{API}/posts/{first_post(topic).id}",
        headers=ada_auth,
        json={
            "raw": "Who is coming to the meetup on Friday?",
            "title": "Friday meetup: who comes?",
        },
    )
    assert retitled.status_code == 200
    assert db.session.get(Topic, topic.id).title == "Friday meetup: who comes?"
    backstage, member = private
    secret = make.topic(member, backstage, title="Private topic for replies")
    assert (
        client.post(
            f"{API}/topics/{secret.id}/posts",
            headers=bob_auth,
            json={"raw": "Can I reply to a private topic?"},
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"{API}/posts/{first_post(secret).id}",
            headers=bob_auth,
            json={"raw": "Editing a private post?"},
        ).status_code
        == 404
    )
    db.session.get(Topic, topic.id).closed = True
    db.session.commit()
    closed = client.post(
        f"{API}/topics/{topic.id}/posts",
        headers=bob_auth,
        json={"raw": "Replying to a closed topic now."},
    )
    assert closed.status_code == 403


def test_likes_and_bookmarks(client, make, ada, ada_auth):
    bob = factories.user("bob", trust_level=TrustLevel.MEMBER, locale="en")
    topic = make.topic(bob, make.category("General"), title="Photos from the edit-a-thon")
    post = first_post(topic)
    liked = client.post(f"{API}/posts/{post.id}/like", headers=ada_auth)
    assert liked.status_code == 200 and liked.get_json()["liked"] is True
    assert liked.get_json()["like_count"] == 1
    again = client.post(f"{API}/posts/{post.id}/like", headers=ada_auth)
    assert again.status_code == 200 and again.get_json()["like_count"] == 1
    own = client.post(f"{API}/posts/{post.id}/like", headers=bearer(bob))
    assert own.status_code == 422 and own.get_json()["message"]
    unliked = client.delete(f"{API}/posts/{post.id}/like", headers=ada_auth)
    assert unliked.status_code == 200 and unliked.get_json()["like_count"] == 0
    assert db.session.scalar(db.select(db.func.count(PostLike.id))) == 0
    marked = client.post(
        f"{API}/posts/{post.id}/bookmark", headers=ada_auth, json={"name": "Photos to reuse"}
    )
    assert marked.status_code == 200 and marked.get_json()["bookmarked"] is True
    assert db.session.scalar(db.select(Bookmark.name)) == "Photos to reuse"
    past = client.post(
        f"{API}/posts/{post.id}/bookmark",
        headers=ada_auth,
        json={"reminder_at": "2001-01-01T10:00:00"},
    )
    assert past.status_code == 422 and "reminder_at" in past.get_json()["errors"]["json"]
    body = client.get(f"{API}/topics/{topic.id}", headers=ada_auth).get_json()
    assert body["posts"]["items"][0]["bookmarked"] is True
    gone = client.delete(f"{API}/posts/{post.id}/bookmark", headers=ada_auth)
    assert gone.status_code == 200 and gone.get_json()["bookmarked"] is False
    assert client.post(f"{API}/posts/999999/like", headers=ada_auth).status_code == 404


def test_accepted_answers(client, make, ada, ada_auth):
    qa = make.category("Ask the community", accepts_answers=True)
    topic = make.topic(ada, qa, title="Where do I find the logo files?")
    answer = make.reply(topic, raw="They are on the brand page, in the footer.")
    bob_auth = bearer(factories.user("bob", trust_level=TrustLevel.MEMBER))
    assert client.post(f"{API}/posts/{answer.id}/accept", headers=bob_auth).status_code == 403
    accepted = client.post(f"{API}/posts/{answer.id}/accept", headers=ada_auth)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["accepted_post_id"] == answer.id
    assert accepted.get_json()["solved"] is True
    question = client.post(f"{API}/posts/{first_post(topic).id}/accept", headers=ada_auth)
    assert question.status_code == 422
    withdrawn = client.delete(f"{API}/posts/{answer.id}/accept", headers=ada_auth)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["accepted_post_id"] is None
    plain = make.topic(ada, make.category("Chat"), title="Not a question at all here")
    reply = make.reply(plain)
    assert client.post(f"{API}/posts/{reply.id}/accept", headers=ada_auth).status_code == 403


def test_reading_costs_a_fixed_number_of_queries(client, make, ada, ada_auth, count_queries):
    category = make.category("General")
    topic = make.topic(ada, category, tags=())

    def cost():
        with count_queries() as counter:
            assert client.get(f"{API}/topics", headers=ada_auth).status_code == 200
            assert client.get(f"{API}/topics/{topic.id}", headers=ada_auth).status_code == 200
            assert client.get(f"{API}/categories", headers=ada_auth).status_code == 200
        return counter.count

    make.reply(topic)
    cost()  # the day's first request records the visit, the token's use
    small = cost()
    for _ in range(4):
        make.topic(factories.user(trust_level=TrustLevel.MEMBER), make.category())
        make.reply(topic, factories.user(trust_level=TrustLevel.MEMBER))
    assert cost() == small
