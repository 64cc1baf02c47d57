"""The post actions and the notification controls on the topic page."""

from __future__ import annotations

import re

from sqlalchemy import select

from plugins.discuss.models import Bookmark, NotificationLevel, Post
from plugins.discuss.services import social, watching
from space.db import db
from space.trust import TrustLevel
from tests import factories


def _page(client, topic):
    response = client.get(f"/discuss/t/{topic.slug}/{topic.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anonymous_sees_counts_not_forms(client, make):
    topic = make.topic()
    reply = make.reply(topic)
    social.like(factories.user(), reply)
    db.session.commit()
    html = _page(client, topic)
    assert f'id="post-actions-{reply.id}"' in html
    assert f"/discuss/p/{reply.id}/likes" in html
    assert f'/discuss/p/{reply.id}/like"' not in html
    assert "bookmark-form" not in html and 'id="topic-notifications"' not in html
    assert f'href="/discuss/p/{reply.id}"' in html  # permalink


def test_signed_in_reader_gets_like_bookmark_reply_and_level(client, login, make):
    author = factories.user()
    topic = make.topic(author)
    reply = make.reply(topic)
    reader = factories.user(trust_level=TrustLevel.BASIC)
    social.like(reader, reply)
    social.bookmark(reader, reply, name="read again")
    watching.set_topic_level(reader, topic, NotificationLevel.TRACKING)
    db.session.commit()
    login(reader)
    html = _page(client, topic)
    assert f'action="/discuss/p/{reply.id}/unlike"' in html
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    assert f'action="/discuss/p/{first.id}/like"' in html
    assert 'value="read again"' in html
    assert f"/discuss/t/{topic.id}/reply?to={reply.post_number}" in html
    assert "quote=" in html
    assert 'id="topic-notifications"' in html
    assert re.search(r'<option value="2"[^>]*selected', html)
    assert "accept-form" not in html  # not a Q&A category


def test_own_post_has_no_like_button_and_qa_has_accept(client, login, make):
    asker = factories.user()
    topic = make.topic(asker, make.category(accepts_answers=True))
    reply = make.reply(topic)
    login(asker)
    html = _page(client, topic)
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    assert f'/discuss/p/{first.id}/like"' not in html
    assert f'action="/discuss/p/{reply.id}/accept"' in html
    assert f"/discuss/p/{first.id}/accept" not in html
    social.accept_answer(asker, reply)
    db.session.commit()
    html = _page(client, topic)
    assert f'action="/discuss/p/{reply.id}/unaccept"' in html
    assert f'id="accepted-{reply.id}"' in html


def test_topic_page_queries_do_not_grow_with_likes_and_bookmarks(
    client, login, make, count_queries
):
    topic = make.topic()
    reader = factories.user()
    replies = [make.reply(topic) for _ in range(3)]
    login(reader)
    _page(client, topic)
    with count_queries() as few:
        _page(client, topic)
    replies += [make.reply(topic) for _ in range(4)]
    for reply in replies:
        social.like(reader, reply)
        social.bookmark(reader, reply, name="x")
    db.session.commit()
    _page(client, topic)  # reading the new posts writes once
    with count_queries() as many:
        _page(client, topic)
    assert many.count == few.count, (
        "\n".join(few.statements) + "\n=====\n" + "\n".join(many.statements)
    )
    assert db.session.query(Bookmark).count() == 7
