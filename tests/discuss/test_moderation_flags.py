"""Flagging from the topic page: who may flag (anonymous, newcomers, authors, outsiders,
silenced people), the reasons, refusals that keep what was typed, withdrawing a flag within
ten minutes, staff's "take action", flagging a whole topic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from plugins.discuss.models import Access, Post
from space.accounts import groups
from space.db import db, utcnow
from space.moderation import penalties
from space.moderation.models import Flag, FlagStatus, ReviewItem
from space.notify import Notification
from space.trust import TrustLevel
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def author(app):
    return factories.user("writer", trust_level=TrustLevel.MEMBER, locale="en")


@pytest.fixture
def member(app):
    return factories.user("member", trust_level=TrustLevel.MEMBER, locale="en")


@pytest.fixture
def reply(make, author):
    topic = make.topic(title="Planning the spring edit-a-thon together")
    return make.reply(topic, author, raw="Whoever disagrees with me is simply wrong here.")


def _flag(client, post, data, path=None):
    path = path or f"/discuss/p/{post.id}/flag"
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def _topic_page(client, post):
    response = client.get(f"/discuss/p/{post.id}", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anonymous_readers_are_sent_to_log_in(client, reply):
    response = client.get(f"/discuss/p/{reply.id}/flag")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "flag-box" not in _topic_page(client, reply)


def test_a_member_flags_a_post(client, login, reply, member):
    login(member)
    page = _topic_page(client, reply)
    assert f'id="flag-box-{reply.id}"' in page
    assert f'href="/discuss/p/{reply.id}/flag"' in page
    assert "/code-of-conduct" in page
    form = client.get(f"/discuss/p/{reply.id}/flag")
    assert form.status_code == 200 and 'id="flag-inappropriate"' in form.get_data(as_text=True)
    assert 'name="take_action"' not in form.get_data(as_text=True)
    response = _flag(client, reply, {"reason": "inappropriate", "message": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/discuss/p/{reply.id}")
    flag = db.session.scalar(select(Flag))
    assert (flag.user_id, flag.reason, flag.item_type) == (member.id, "inappropriate",
                                                           "discuss.post")  # fmt: skip
    page = _topic_page(client, reply)
    assert "Thanks for letting us know." in page
    assert f'id="flagged-{reply.id}"' in page and f"/discuss/flags/{flag.id}/withdraw" in page
    assert f'id="flag-box-{reply.id}"' not in page


def test_no_flag_button_on_ones_own_post_and_the_page_refuses(client, login, reply, author):
    login(author)
    assert f'id="flag-box-{reply.id}"' not in _topic_page(client, reply)
    assert client.get(f"/discuss/p/{reply.id}/flag").status_code == 403
    assert _flag(client, reply, {"reason": "spam"}).status_code == 403
    assert db.session.scalar(select(Flag.id)) is None


def test_newcomers_may_only_report_illegal_content(client, login, reply):
    newcomer = factories.user("newbie", trust_level=TrustLevel.NEW, locale="en")
    login(newcomer)
    html = client.get(f"/discuss/p/{reply.id}/flag").get_data(as_text=True)
    assert 'id="flag-newcomer"' in html
    for reason in ("off_topic", "inappropriate", "spam", "other", "message_author"):
        assert f'id="flag-{reason}" required disabled' in html
    assert 'id="flag-illegal" required>' in html
    refused = _flag(client, reply, {"reason": "spam", "message": "Selling things here."})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "illegal" in text and "Selling things here." in text
    assert _flag(client, reply, {"reason": "illegal", "message": "Threats."}).status_code == 302


def test_a_message_is_required_for_illegal_and_something_else(client, login, reply, member):
    login(member)
    for reason in ("illegal", "other"):
        response = _flag(client, reply, {"reason": reason, "message": "  "})
        assert response.status_code == 422 and 'id="flag-error"' in response.get_data(as_text=True)
    response = _flag(client, reply, {"message": "No reason picked, but a message."})
    assert response.status_code == 422
    assert "No reason picked, but a message." in response.get_data(as_text=True)
    assert db.session.scalar(select(Flag.id)) is None


def test_flagging_twice_is_refused_and_keeps_the_message(client, login, reply, member):
    login(member)
    assert _flag(client, reply, {"reason": "off_topic"}).status_code == 302
    again = _flag(client, reply, {"reason": "spam", "message": "Also it is spam."})
    assert again.status_code == 422
    assert "Also it is spam." in again.get_data(as_text=True)


def test_private_posts_are_404_for_outsiders(client, login, make, member):
    crew = factories.group("crew")
    insider = factories.user("insider", trust_level=TrustLevel.MEMBER)
    groups.add_member(crew, insider)
    db.session.commit()
    topic = make.topic(insider, make.category("Backstage", groups={crew: Access.CREATE}))
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert client.get(f"/discuss/p/{first.id}/flag").status_code == 404  # anonymous too
    login(member)
    assert client.get(f"/discuss/p/{first.id}/flag").status_code == 404
    assert _flag(client, first, {"reason": "spam"}).status_code == 404
    assert client.get(f"/discuss/t/{topic.id}/flag").status_code == 404
    assert client.get("/discuss/p/999999/flag").status_code == 404


def test_silenced_people_cannot_flag(client, login, reply, member):
    penalties.silence(member, by=None, reason="Shouting at people.")
    db.session.commit()
    login(member)
    assert f'id="flag-box-{reply.id}"' not in _topic_page(client, reply)
    response = client.get(f"/discuss/p/{reply.id}/flag")
    assert response.status_code == 403 and "Shouting at people." in response.get_data(as_text=True)
    assert _flag(client, reply, {"reason": "spam"}).status_code == 403


def test_withdrawing_within_ten_minutes(client, login, reply, member):
    login(member)
    _flag(client, reply, {"reason": "off_topic"})
    flag = db.session.scalar(select(Flag))
    response = client.post(f"/discuss/flags/{flag.id}/withdraw",
                           data={"csrf_token": csrf_token(client, "/")})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Flag, flag.id).status == FlagStatus.WITHDRAWN
    page = _topic_page(client, reply)
    assert "Your flag is withdrawn." in page and f'id="flag-box-{reply.id}"' in page


def test_no_withdrawing_after_ten_minutes(client, login, reply, member):
    login(member)
    _flag(client, reply, {"reason": "off_topic"})
    flag = db.session.scalar(select(Flag))
    flag.created_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    page = _topic_page(client, reply)
    assert f'id="flagged-{reply.id}"' in page and "/withdraw" not in page
    response = client.post(f"/discuss/flags/{flag.id}/withdraw",
                           data={"csrf_token": csrf_token(client, "/")})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Flag, flag.id).status == FlagStatus.PENDING


def test_nobody_withdraws_someone_elses_flag(client, login, reply, member):
    login(member)
    _flag(client, reply, {"reason": "off_topic"})
    flag = db.session.scalar(select(Flag))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(factories.user("other", trust_level=TrustLevel.MEMBER))
    response = client.post(f"/discuss/flags/{flag.id}/withdraw",
                           data={"csrf_token": csrf_token(client, "/")})  # fmt: skip
    assert response.status_code == 404
    assert client.post("/discuss/flags/999999/withdraw",
                       data={"csrf_token": csrf_token(client, "/")}).status_code == 404  # fmt: skip


def test_staff_take_action_hides_at_once(client, login, reply):
    login(factories.moderator(locale="en"))
    form = client.get(f"/discuss/p/{reply.id}/flag").get_data(as_text=True)
    assert 'name="take_action"' in form
    response = _flag(client, reply, {"reason": "inappropriate", "take_action": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, reply.id).hidden_at is not None


def test_take_action_from_a_member_is_ignored(client, login, reply, member):
    login(member)
    _flag(client, reply, {"reason": "inappropriate", "take_action": "1"})
    db.session.expire_all()
    assert db.session.get(Post, reply.id).hidden_at is None


def test_message_the_author(client, login, reply, member, author):
    login(member)
    response = _flag(client, reply, {"reason": "message_author",
                                     "message": "That sounded harsh; maybe rephrase?"})  # fmt: skip
    assert response.status_code == 302
    mine = (Notification.user_id == author.id, Notification.kind == "flag_message")
    note = db.session.scalar(select(Notification).where(*mine))
    assert note is not None
    assert db.session.scalar(select(ReviewItem.id)) is None  # no queue item


def test_flagging_a_whole_topic(client, login, make, author, member):
    topic = make.topic(author, title="Buy cheap watches at my shop today")
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    login(member)
    page = _topic_page(client, first)
    assert f"/discuss/t/{topic.id}/flag" in page
    form = client.get(f"/discuss/t/{topic.id}/flag")
    assert form.status_code == 200
    assert 'id="flag-message_author"' not in form.get_data(as_text=True)
    response = _flag(client, first, {"reason": "spam"}, path=f"/discuss/t/{topic.id}/flag")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/discuss/t/{topic.slug}/{topic.id}")
    item = db.session.scalar(select(ReviewItem))
    assert (item.item_type, item.item_id) == ("discuss.topic", topic.id)
    assert item.snapshot["title"] == topic.title
