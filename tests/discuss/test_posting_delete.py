"""Deleting and recovering posts: soft deletes, the counters kept at write time, topics
deleted with their first post, audit entries for staff acting on others' posts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugins.discuss.models import Post, Tag
from plugins.discuss.services import editing
from plugins.discuss.services.posting import DiscussError
from space.audit import AuditEntry
from space.db import db
from space.trust import TrustLevel
from tests import factories


def first_post(topic) -> Post:
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))


def fresh(row):
    db.session.refresh(row)
    return row


def test_author_deletes_a_reply_and_counters_go_down(client, login, post, make):
    category = make.category()
    topic = make.topic(category=category)
    parent = make.reply(topic)
    author = factories.user(trust_level=TrustLevel.BASIC)
    child = make.reply(topic, author, reply_to=parent.post_number)
    assert (fresh(topic).post_count, fresh(category).post_count, fresh(parent).reply_count) == (
        3,
        2,
        1,
    )
    login(author)
    response = post(f"/discuss/p/{child.id}/delete")
    assert response.status_code == 302
    assert fresh(child).deleted_at is not None and child.deleted_by_id == author.id
    assert (fresh(topic).post_count, fresh(category).post_count, fresh(parent).reply_count) == (
        2,
        1,
        0,
    )
    assert topic.last_post_user_id == parent.user_id
    # Deleting twice counts once.
    post(f"/discuss/p/{child.id}/delete")
    assert (fresh(topic).post_count, fresh(category).post_count) == (2, 1)
    assert db.session.scalar(select(AuditEntry)) is None  # own post: no audit entry


def test_others_may_not_delete(client, login, post, make):
    reply = make.reply(make.topic())
    login(factories.user(trust_level=TrustLevel.MEMBER))
    assert post(f"/discuss/p/{reply.id}/delete").status_code == 403
    assert fresh(reply).deleted_at is None


def test_deleting_the_first_post_deletes_the_topic(client, login, post, make):
    category = make.category()
    author = factories.user(trust_level=TrustLevel.REGULAR)
    topic = make.topic(author, category, tags=("gardening",))
    make.reply(topic)
    make.reply(topic)
    assert (fresh(category).topic_count, category.post_count) == (1, 2)
    login(author)
    response = post(f"/discuss/p/{first_post(topic).id}/delete")
    assert response.status_code == 302
    assert fresh(topic).deleted_at is not None
    assert (fresh(category).topic_count, category.post_count) == (0, 0)
    assert db.session.scalar(select(Tag.topic_count).where(Tag.name == "gardening")) == 0
    # The topic is gone for readers.
    assert client.get(f"/discuss/t/{topic.id}/reply").status_code == 404


def test_staff_delete_and_recover_with_audit(client, login, post, make):
    category = make.category()
    topic = make.topic(category=category)
    reply = make.reply(topic)
    moderator = factories.moderator()
    login(moderator)
    response = post(f"/discuss/p/{reply.id}/delete", {"reason": "Off topic"})
    assert response.status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "discuss.post.delete"))
    assert entry.actor_id == moderator.id and entry.target_id == reply.id
    assert entry.reason == "Off topic"
    assert (fresh(topic).post_count, fresh(category).post_count) == (1, 0)
    response = post(f"/discuss/p/{reply.id}/recover")
    assert response.status_code == 302
    assert fresh(reply).deleted_at is None
    assert (fresh(topic).post_count, fresh(category).post_count) == (2, 1)
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "discuss.post.recover"))
        is not None
    )


def test_recovering_a_first_post_brings_the_topic_back(make):
    category = make.category()
    author = factories.user()
    topic = make.topic(author, category)
    make.reply(topic)
    first = first_post(topic)
    editing.delete_post(first, author)
    db.session.commit()
    assert (fresh(category).topic_count, category.post_count) == (0, 0)
    moderator = factories.moderator()
    assert editing.recover_post(first, moderator)
    db.session.commit()
    assert fresh(topic).deleted_at is None
    assert (fresh(category).topic_count, category.post_count) == (1, 1)
    assert not editing.recover_post(first, moderator)  # not deleted: nothing to do


def test_only_staff_recover(client, login, post, make):
    author = factories.user()
    reply = make.reply(make.topic(), author)
    editing.delete_post(reply, author)
    db.session.commit()
    login(author)
    assert post(f"/discuss/p/{reply.id}/recover").status_code == 404  # their deleted post is gone


def test_deleted_accepted_answer_is_unaccepted(make):
    topic = make.topic(category=make.category(accepts_answers=True))
    author = factories.user()
    reply = make.reply(topic, author)
    topic.accepted_post_id = reply.id
    db.session.commit()
    editing.delete_post(reply, author)
    db.session.commit()
    assert fresh(topic).accepted_post_id is None


def test_a_deleted_post_cannot_be_edited(make):
    author = factories.user()
    reply = make.reply(make.topic(), author)
    editing.delete_post(reply, author)
    db.session.commit()
    with pytest.raises(DiscussError):
        editing.edit_post(fresh(reply), factories.moderator(), "Some new text for the post.")
    db.session.rollback()
    assert fresh(reply).deleted_at is not None and reply.version == 1
