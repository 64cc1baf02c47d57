"""Watched words in Discuss, through the composer pages and the API: block (refused, text
kept), require approval (held: only the author and staff see it, out of lists, search and
feeds until approved), flag (posted, in the queue), censor (masked); edits too."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugins.discuss.models import Post, Topic
from space import search
from space.db import db
from space.moderation import decisions, words
from space.moderation.models import ReviewItem, ReviewStatus
from space.trust import TrustLevel
from tests import factories
from tests.conftest import csrf_token
from tests.discuss.test_api import bearer

API = "/api/v1/discuss"


@pytest.fixture
def words_list(app):
    admin = factories.admin(locale="en")
    for word, action in (("forbidden", "block"), ("casino*", "require_approval"),
                         ("crypto", "flag"), ("darn", "censor")):  # fmt: skip
        words.add(word, action, by=admin)
    db.session.commit()
    words.forget()
    return admin


@pytest.fixture
def ada(app):
    return factories.user("ada", trust_level=TrustLevel.MEMBER, locale="en")


def _new_topic(client, category, title, raw):
    token = csrf_token(client, "/discuss/new")
    return client.post(
        "/discuss/new",
        data={
            "title": title,
            "raw": raw,
            "tags": "",
            "category": category.slug,
            "csrf_token": token,
        },
    )


def _reply(client, topic, raw):
    token = csrf_token(client, f"/discuss/t/{topic.id}/reply")
    return client.post(f"/discuss/t/{topic.id}/reply", data={"raw": raw, "csrf_token": token})


def _item(post_id):
    return db.session.scalar(
        select(ReviewItem).where(ReviewItem.item_type == "discuss.post",
                                 ReviewItem.item_id == post_id)
    )  # fmt: skip


def find(text, user=None):
    parsed = search.restrict(search.parse(text, known_types=search.types()), user)
    return {hit.key for hit in search.backend().search(parsed, search.principals(user), 1, 50).hits}


def test_a_blocked_word_refuses_the_topic_and_keeps_the_text(client, login, make, words_list,
                                                             ada):  # fmt: skip
    category = make.category("General")
    login(ada)
    raw = "Here is my forbidden opinion about the meetup schedule."
    response = _new_topic(client, category, "Opinions about the schedule", raw)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "not allowed here: forbidden" in html and raw in html
    assert db.session.scalar(select(Topic.id)) is None


def test_a_blocked_word_in_the_title_or_a_reply(client, login, make, words_list, ada):
    category = make.category("General")
    login(ada)
    assert _new_topic(client, category, "A FORBIDDEN title here",
                      "A perfectly fine text for a first post.").status_code == 422  # fmt: skip
    topic = make.topic(category=category)
    response = _reply(client, topic, "A reply with a forbidden word inside.")
    assert response.status_code == 422 and "forbidden" in response.get_data(as_text=True)


def test_the_api_refuses_blocked_words_with_422(client, make, words_list, ada):
    category = make.category("General")
    data = {"category": category.slug, "title": "About the schedule",
            "raw": "Here is my forbidden opinion about it."}  # fmt: skip
    response = client.post(f"{API}/topics", json=data, headers=bearer(ada))
    assert response.status_code == 422
    assert "forbidden" in response.get_json()["errors"]["json"]["raw"][0]


def test_require_approval_holds_a_reply(client, login, make, words_list, ada):
    category = make.category("General")
    topic = make.topic(category=category, title="Fundraising ideas for the autumn")
    login(ada)
    response = _reply(client, topic, "We could organise a casinonight for charity donations.")
    assert response.status_code == 302
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 2))
    assert post.pending and post.hidden_at is not None
    item = _item(post.id)
    assert item.reason == "held" and item.status == ReviewStatus.PENDING
    # The author sees it, with the notice; others see a placeholder; staff see it.
    page = client.get(f"/discuss/t/{topic.slug}/{topic.id}").get_data(as_text=True)
    assert "casinonight" in page and "post-note-pending" in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(factories.user("bob", trust_level=TrustLevel.MEMBER, locale="en"))
    page = client.get(f"/discuss/t/{topic.slug}/{topic.id}").get_data(as_text=True)
    assert "casinonight" not in page and "waiting for a moderator" in page
    assert client.get(f"/discuss/p/{post.id}/replies").status_code == 200
    assert f"post:{post.id}" not in find("casinonight", words_list)
    feed = client.get(f"/discuss/feed/topic/{topic.id}.rss").get_data(as_text=True)
    assert "casinonight" not in feed
    # A moderator approves: everyone sees it, search finds it.
    decisions.decide(factories.moderator(), item, "approve", version=item.version)
    db.session.commit()
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert not post.pending and post.hidden_at is None
    page = client.get(f"/discuss/t/{topic.slug}/{topic.id}").get_data(as_text=True)
    assert "casinonight" in page
    assert f"post:{post.id}" in find("casinonight")


def test_a_held_topic_is_unlisted_until_approved(client, login, make, words_list, ada):
    category = make.category("General")
    login(ada)
    response = _new_topic(client, category, "Casino evening for the chapter",
                          "Shall we hold a fundraising evening next month?")  # fmt: skip
    assert response.status_code == 302
    topic = db.session.scalar(select(Topic))
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert first.pending and not topic.listed
    assert "Casino evening" not in client.get("/discuss/").get_data(as_text=True)
    item = _item(first.id)
    decisions.decide(factories.moderator(), item, "approve", version=item.version)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).listed
    assert "Casino evening" in client.get("/discuss/").get_data(as_text=True)


def test_rejecting_a_held_post_deletes_it(app, make, words_list, ada):
    topic = make.topic(title="Fundraising ideas for the spring")
    post = make.reply(topic, ada, raw="Let us all go to the casino together, please.")
    item = _item(post.id)
    decisions.decide(factories.moderator(), item, "reject", version=item.version)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Post, post.id).deleted_at is not None


def test_the_api_holds_too(client, make, words_list, ada):
    category = make.category("General")
    data = {"category": category.slug, "title": "Evening at the casino",
            "raw": "A fundraising idea for our chapter."}  # fmt: skip
    response = client.post(f"{API}/topics", json=data, headers=bearer(ada))
    assert response.status_code == 201
    topic = db.session.get(Topic, response.get_json()["id"])
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert first.pending and _item(first.id).reason == "held"
    # Others do not read it through the API.
    other = bearer(factories.user("bob", trust_level=TrustLevel.MEMBER))
    body = client.get(f"{API}/topics/{topic.id}", headers=other).get_json()
    assert all(p["id"] != first.id for p in body["posts"]["items"])


def test_a_flag_word_posts_and_enters_the_queue(client, login, make, words_list, ada):
    topic = make.topic(title="Fundraising ideas for the winter")
    login(ada)
    assert _reply(client, topic, "Donations in crypto would be easy.").status_code == 302
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 2))
    assert not post.pending and post.hidden_at is None
    item = _item(post.id)
    assert item.reason == "flagged" and item.score == 0 and item.status == ReviewStatus.PENDING
    assert item in db.session.scalars(decisions.queue_query(factories.moderator())).all()


def test_censored_words_are_masked(client, login, make, words_list, ada):
    category = make.category("General")
    login(ada)
    raw = "The darn projector broke again at the meetup."
    assert _new_topic(client, category, "Darn, the darn projector", raw).status_code == 302
    topic = db.session.scalar(select(Topic))
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert "darn" not in first.raw.lower() and words.MASK in first.raw
    assert words.MASK in first.cooked and "darn" not in topic.title.lower()


def test_edits_are_screened_too(client, login, make, words_list, ada):
    topic = make.topic(ada, title="Our next fundraising idea")
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    login(ada)
    token = csrf_token(client, f"/discuss/p/{first.id}/edit")
    path = f"/discuss/p/{first.id}/edit"
    refused = client.post(path, data={"raw": "Now with a forbidden word.", "title": topic.title,
                                      "csrf_token": token})  # fmt: skip
    assert refused.status_code == 422 and "Now with a forbidden word." in refused.get_data(
        as_text=True
    )
    ok = client.post(path, data={"raw": "Now with a darn word and a casino.",
                                 "title": topic.title, "csrf_token": token})  # fmt: skip
    assert ok.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Post, first.id)
    assert words.MASK in edited.raw and not edited.pending
    assert _item(first.id).reason == "flagged"  # an edit is flagged, not held


def test_watchers_hear_of_a_held_post_only_once_approved(app, make, words_list, ada):
    from plugins.discuss.models import NotificationLevel
    from plugins.discuss.services import watching
    from space.notify import Notification

    topic = make.topic(title="Fundraising ideas for the summer")
    watcher = factories.user("watcher", trust_level=TrustLevel.MEMBER)
    watching.set_topic_level(watcher, topic, NotificationLevel.WATCHING)
    db.session.commit()
    post = make.reply(topic, ada, raw="A casino evening would raise a lot, @watcher.")

    def heard():
        return db.session.scalars(
            select(Notification.kind).where(Notification.user_id == watcher.id)
        ).all()

    assert heard() == []
    item = _item(post.id)
    decisions.decide(factories.moderator(), item, "approve", version=item.version)
    db.session.commit()
    assert heard() == ["mentioned"]
