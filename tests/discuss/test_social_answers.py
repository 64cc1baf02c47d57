"""Accepted answers: who may mark one, where, and what follows (notification, audit, index)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugins.discuss.models import Access, Post, Topic
from plugins.discuss.services import social
from plugins.discuss.services.posting import DiscussError
from space.audit import AuditEntry
from space.db import db
from space.notify import Notification
from space.permissions import can
from space.trust import TrustLevel
from tests import factories


@pytest.fixture
def qa(make):
    asker = factories.user(trust_level=TrustLevel.BASIC)
    category = make.category("Questions", accepts_answers=True)
    topic = make.topic(asker, category)
    helper = factories.user(trust_level=TrustLevel.BASIC)
    answer = make.reply(topic, helper)
    other = make.reply(topic)
    return asker, topic, helper, answer, other


def _topic(topic):
    db.session.expire_all()
    return db.session.get(Topic, topic.id)


def test_author_accepts_and_changes_the_answer(app, qa, monkeypatch):
    from plugins.discuss.services import indexing

    queued = []
    monkeypatch.setattr(indexing, "queue_post", lambda post, topic: queued.append(post.id))
    asker, topic, helper, answer, other = qa
    assert social.accept_answer(asker, answer) is True
    db.session.commit()
    assert _topic(topic).accepted_post_id == answer.id
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    assert queued == [first.id]
    [note] = db.session.scalars(
        select(Notification).where(Notification.kind == "answer_accepted")
    ).all()
    assert note.user_id == helper.id and note.data["post_id"] == answer.id
    # No audit entry when the author does it.
    assert db.session.scalars(select(AuditEntry)).all() == []
    assert social.accept_answer(asker, answer) is False
    assert social.accept_answer(asker, db.session.get(Post, other.id)) is True
    db.session.commit()
    assert _topic(topic).accepted_post_id == other.id
    assert social.unaccept_answer(asker, _topic(topic)) is True
    db.session.commit()
    assert _topic(topic).accepted_post_id is None


def test_who_may_accept(app, qa):
    asker, topic, helper, answer, other = qa
    assert can(asker, "topic.accept_answer", topic)
    assert not can(helper, "topic.accept_answer", topic)
    assert can(factories.user(trust_level=TrustLevel.LEADER), "topic.accept_answer", topic)
    assert can(factories.moderator(), "topic.accept_answer", topic)
    with pytest.raises(DiscussError):
        social.accept_answer(factories.user(trust_level=TrustLevel.BASIC), answer)


def test_leader_and_staff_accept_with_an_audit_entry(app, qa):
    asker, topic, helper, answer, other = qa
    leader = factories.user(trust_level=TrustLevel.LEADER)
    assert social.accept_answer(leader, answer)
    db.session.commit()
    staff = factories.moderator()
    assert social.accept_answer(staff, db.session.get(Post, other.id))
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id) for e in entries] == [
        ("discuss.answer.accept", leader.id),
        ("discuss.answer.accept", staff.id),
    ]
    assert entries[1].target_id == topic.id


def test_not_the_question_nor_a_deleted_post(app, qa):
    from space.db import utcnow

    asker, topic, helper, answer, other = qa
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    with pytest.raises(DiscussError):
        social.accept_answer(asker, first)
    answer.deleted_at = utcnow()
    db.session.commit()
    with pytest.raises(DiscussError):
        social.accept_answer(asker, answer)


def test_not_in_other_categories(app, make):
    asker = factories.user()
    topic = make.topic(asker, make.category(accepts_answers=False))
    reply = make.reply(topic)
    assert not can(asker, "topic.accept_answer", topic)
    for who in (asker, factories.admin()):
        with pytest.raises(DiscussError):
            social.accept_answer(who, reply)
    assert _topic(topic).accepted_post_id is None


def test_own_answer_accepted_without_notifying_oneself(app, make):
    asker = factories.user()
    topic = make.topic(asker, make.category(accepts_answers=True))
    mine = make.reply(topic, asker)
    social.accept_answer(asker, mine)
    db.session.commit()
    assert db.session.scalars(select(Notification).where(
        Notification.kind == "answer_accepted")).all() == []  # fmt: skip


# --- through HTTP ----------------------------------------------------------------------------


def test_accept_endpoints(client, login, post, qa):
    asker, topic, helper, answer, other = qa
    login(helper)
    assert post(f"/discuss/p/{answer.id}/accept").status_code == 403
    assert _topic(topic).accepted_post_id is None
    post("/logout")
    login(asker)
    response = post(f"/discuss/p/{answer.id}/accept")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/discuss/p/{answer.id}")
    assert _topic(topic).accepted_post_id == answer.id
    response = post(f"/discuss/p/{answer.id}/unaccept", headers={"Accept": "application/json"})
    assert response.get_json() == {"ok": True, "accepted_post_id": None}
    assert _topic(topic).accepted_post_id is None


def test_accept_endpoint_refusals(client, login, post, make):
    admin = factories.admin()
    topic = make.topic(category=make.category(accepts_answers=False))
    reply = make.reply(topic)
    login(admin)
    assert post(f"/discuss/p/{reply.id}/accept").status_code == 422


def test_accept_anonymous_and_private(client, login, post, make):
    members = factories.group()
    category = make.category(groups={members: Access.CREATE}, accepts_answers=True)
    topic = make.topic(factories.admin(), category)
    reply = make.reply(topic, factories.admin("admin2"))
    response = post(f"/discuss/p/{reply.id}/accept")
    assert response.status_code in {302, 401}
    assert "/login" in response.headers.get("Location", "/login")
    login(factories.user(trust_level=TrustLevel.LEADER))
    assert post(f"/discuss/p/{reply.id}/accept").status_code == 404
    assert _topic(topic).accepted_post_id is None
