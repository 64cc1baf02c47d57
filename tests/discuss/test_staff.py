"""Topic tools: title, category and tags (trust level 3); close, archive, pin, list and slow
mode (trust level 4 and moderators); who may, and what each leaves behind."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from plugins.discuss.models import Access, Category, PostLike, Tag, Topic
from plugins.discuss.services import staff, topic_lists
from space.audit import AuditEntry
from space.db import db, utcnow
from space.permissions import can
from space.trust import TrustLevel
from tests import factories


def _meta(topic_id):
    return f"/discuss/t/{topic_id}/meta"


def _status(topic_id):
    return f"/discuss/t/{topic_id}/status"


def _topic(topic_id) -> Topic:
    db.session.expire_all()
    return db.session.get(Topic, topic_id)


def _audit(action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def login(login, post):
    """Signs in, first signing out whoever is signed in."""
    state = {"in": False}

    def do(user):
        if state["in"]:
            post("/logout")
        state["in"] = True
        return login(user)

    return do


@pytest.fixture
def regular(app):
    return factories.user(trust_level=TrustLevel.REGULAR)


@pytest.fixture
def leader(app):
    return factories.user(trust_level=TrustLevel.LEADER)


# --- title, category, tags -------------------------------------------------------------------


def test_member_cannot_edit_a_topic_regular_can(make, login, post, regular):
    here, there = make.category("Here"), make.category("There")
    topic = make.topic(category=here, title="The original title of this topic")
    make.reply(topic)
    make.reply(topic)
    login(factories.user(trust_level=TrustLevel.MEMBER))
    assert post(_meta(topic.id), {"title": "Another title entirely here"}).status_code == 403

    login(regular)
    response = post(
        _meta(topic.id),
        {
            "title": "  A better   title for the topic ",
            "category": str(there.id),
            "tags": "fresh, Second",
        },
    )
    assert response.status_code == 302
    topic = _topic(topic.id)
    assert topic.title == "A better title for the topic"
    assert topic.slug == "a-better-title-for-the-topic"
    assert response.headers["Location"].endswith(f"/t/{topic.slug}/{topic.id}")
    assert topic.category_id == there.id
    assert staff.tag_names(topic) == ["fresh", "second"]
    assert {t.name: t.topic_count for t in db.session.scalars(select(Tag))} == {
        "fresh": 1,
        "second": 1,
    }
    here, there = db.session.get(Category, here.id), db.session.get(Category, there.id)
    assert (here.topic_count, here.post_count) == (0, 0)
    assert (there.topic_count, there.post_count) == (1, 2)
    assert there.last_posted_at == topic.last_posted_at
    [entry] = _audit("discuss.topic.edit")
    assert entry.actor_id == regular.id and entry.target_id == topic.id
    assert set(entry.details["changes"]) == {"title", "category", "tags"}


def test_nothing_changed_leaves_no_audit_entry(make, login, post, regular):
    topic = make.topic(user=factories.user(trust_level=TrustLevel.REGULAR), tags=("kept",))
    login(regular)
    response = post(
        _meta(topic.id), {"title": topic.title, "category": str(topic.category_id), "tags": "kept"}
    )
    assert response.status_code == 302
    assert _audit("discuss.topic.edit") == []


def test_own_topic_changes_leave_no_audit_entry(make, login, post, regular):
    topic = make.topic(user=regular)
    login(regular)
    post(_meta(topic.id), {"title": "My own title, now better"})
    assert _topic(topic.id).title == "My own title, now better"
    assert _audit("discuss.topic.edit") == []


def test_a_refused_edit_shows_the_message_and_what_was_typed(make, login, post, regular):
    topic = make.topic(title="The original title of this topic")
    login(regular)
    response = post(_meta(topic.id), {"title": "short", "tags": "one two"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="topic-tools-error"' in html and 'value="short"' in html
    assert 'value="one two"' in html
    assert _topic(topic.id).title == "The original title of this topic"


def test_moving_only_into_categories_where_one_may_create(make, login, post, regular):
    insiders = factories.group(members=[regular])
    reply_only = make.category("Reply only", groups={insiders: Access.REPLY})
    secret = make.category("Secret", groups={factories.group(): Access.CREATE})
    topic = make.topic()
    login(regular)
    for target in (reply_only, secret):
        response = post(_meta(topic.id), {"category": str(target.id)})
        assert response.status_code == 422
        assert _topic(topic.id).category_id != target.id
    assert post(_meta(topic.id), {"category": "nope"}).status_code == 422


def test_new_tags_need_trust_level_3(make, app, regular):
    topic = make.topic()
    member = factories.user(trust_level=TrustLevel.MEMBER)
    with app.test_request_context():
        category = db.session.get(Category, topic.category_id)
        from plugins.discuss.services.posting import DiscussError

        with pytest.raises(DiscussError):
            staff.update_meta(member, topic, title=topic.title, category=category, tags=["new"])
        staff.update_meta(regular, topic, title=topic.title, category=category, tags=["new"])
        assert staff.tag_names(topic) == ["new"]


def test_anonymous_readers_are_sent_to_log_in(make, client, post):
    topic = make.topic()
    for path, data in [
        (_meta(topic.id), {"title": "A new title for it"}),
        (_status(topic.id), {"action": "close"}),
    ]:
        response = post(path, data)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert not _topic(topic.id).closed


def test_outsiders_of_a_private_category_get_404_everywhere(make, login, post, client):
    hidden = make.category("Hidden", groups={factories.group(): Access.CREATE})
    topic = make.topic(category=hidden)
    login(factories.user(trust_level=TrustLevel.LEADER))
    assert post(_meta(topic.id), {"title": "A new title for it"}).status_code == 404
    assert post(_status(topic.id), {"action": "close"}).status_code == 404
    assert client.get(f"/discuss/t/{topic.id}/split").status_code == 404
    assert client.get(f"/discuss/t/{topic.id}/merge").status_code == 404
    assert post(f"/discuss/t/{topic.id}/split", {"posts": "2"}).status_code == 404
    assert post(f"/discuss/t/{topic.id}/merge", {"topic": "1"}).status_code == 404
    assert post(_status(999), {"action": "close"}).status_code == 404


# --- status ----------------------------------------------------------------------------------


def test_regulars_cannot_close_leaders_and_moderators_can(make, login, post, regular, leader):
    topic = make.topic()
    login(regular)
    assert post(_status(topic.id), {"action": "close"}).status_code == 403
    login(leader)
    assert post(_status(topic.id), {"action": "close"}).status_code == 302
    topic = _topic(topic.id)
    assert topic.closed and topic.closed_until is None
    login(factories.moderator())
    assert post(_status(topic.id), {"action": "open"}).status_code == 302
    assert not _topic(topic.id).closed
    assert [e.actor_id for e in _audit("discuss.topic.close")] == [leader.id]
    assert len(_audit("discuss.topic.open")) == 1


def test_close_for_some_hours(make, login, post, leader):
    topic = make.topic()
    login(leader)
    before = utcnow()
    assert post(_status(topic.id), {"action": "close", "hours": "4"}).status_code == 302
    topic = _topic(topic.id)
    assert topic.closed
    assert before + timedelta(hours=4) <= topic.closed_until <= utcnow() + timedelta(hours=4)
    member = factories.user(trust_level=TrustLevel.MEMBER)
    assert not can(member, "topic.reply", topic)
    topic.closed_until = utcnow() - timedelta(minutes=1)  # the hours went by
    db.session.commit()
    assert can(member, "topic.reply", topic)
    for hours in ("0", "-3", "abc", "99999999"):
        assert post(_status(topic.id), {"action": "close", "hours": hours}).status_code == 422


def test_pin_until_a_date_in_the_viewers_time_zone(make, login, post, leader):
    leader.timezone = "Europe/Paris"
    db.session.commit()
    old = make.topic()
    pinned = make.topic()
    newest = make.topic()
    login(leader)
    response = post(_status(old.id), {"action": "pin", "until": "2099-01-15T10:00"})
    assert response.status_code == 302
    topic = _topic(old.id)
    assert topic.pinned_until == datetime(2099, 1, 15, 9, 0, tzinfo=UTC)
    assert topic.pinned_at is not None
    [first, *_rest] = topic_lists.latest(leader).topics
    assert first.id == old.id
    # A pin whose date went by no longer pins (the lists' query reads pinned_until).
    topic.pinned_until = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert [t.id for t in topic_lists.latest(leader).topics][0] == newest.id
    assert post(_status(pinned.id), {"action": "pin"}).status_code == 302
    assert _topic(pinned.id).pinned_until is None
    assert post(_status(pinned.id), {"action": "unpin"}).status_code == 302
    assert _topic(pinned.id).pinned_at is None
    for until in ("2001-01-01T10:00", "yesterday", "99999-01-01T00:00"):
        assert post(_status(pinned.id), {"action": "pin", "until": until}).status_code == 422
    assert len(_audit("discuss.topic.pin")) == 2 and len(_audit("discuss.topic.unpin")) == 1


def test_list_unlist_and_slow_mode(make, login, post, leader):
    topic = make.topic()
    login(leader)
    assert post(_status(topic.id), {"action": "unlist"}).status_code == 302
    assert not _topic(topic.id).listed
    assert topic.id not in [t.id for t in topic_lists.latest(leader).topics]
    assert post(_status(topic.id), {"action": "list"}).status_code == 302
    assert _topic(topic.id).listed
    assert post(_status(topic.id), {"action": "slow_mode", "seconds": "300"}).status_code == 302
    assert _topic(topic.id).slow_mode_seconds == 300
    [entry] = _audit("discuss.topic.slow_mode")
    assert entry.details == {"slow_mode_seconds": 300}
    for seconds in ("7", "", "x"):
        response = post(_status(topic.id), {"action": "slow_mode", "seconds": seconds})
        assert response.status_code == 422
    assert _topic(topic.id).slow_mode_seconds == 300
    assert post(_status(topic.id), {"action": "explode"}).status_code == 400


def test_archived_topics_take_no_replies_edits_or_likes(make, login, post, leader):
    author = factories.user(trust_level=TrustLevel.MEMBER)
    topic = make.topic(user=author)
    replier = factories.user(trust_level=TrustLevel.MEMBER)
    reply = make.reply(topic, replier)
    login(leader)
    assert post(_status(topic.id), {"action": "archive"}).status_code == 302
    topic = _topic(topic.id)
    assert topic.archived
    reader = factories.user(trust_level=TrustLevel.MEMBER)
    assert not can(reader, "topic.reply", topic)
    assert not can(factories.moderator("mod2"), "topic.reply", topic)
    assert not can(replier, "post.edit", reply)
    # The access rule ``post.like`` ignores archiving; the like service refuses it.
    login(reader)
    assert post(f"/discuss/p/{reply.id}/like").status_code >= 400
    assert db.session.scalar(select(PostLike.id)) is None
    login(leader)
    assert post(_status(topic.id), {"action": "unarchive"}).status_code == 302
    topic = _topic(topic.id)
    assert can(reader, "topic.reply", topic) and can(replier, "post.edit", reply)


def test_deleted_topics_cannot_be_changed(make, app, leader):
    topic = make.topic()
    topic.deleted_at = utcnow()
    db.session.commit()
    from plugins.discuss.services.posting import DiscussError

    with app.test_request_context(), pytest.raises(DiscussError):
        staff.close(leader, topic)


# --- the tools menu --------------------------------------------------------------------------


def test_the_tools_menu_shows_what_each_may_do(make, client, login, regular, leader):
    topic = make.topic()
    path = f"/discuss/t/{topic.slug}/{topic.id}"
    assert 'id="topic-tools"' not in client.get(path).get_data(as_text=True)
    login(factories.user(trust_level=TrustLevel.MEMBER))
    assert 'id="topic-tools"' not in client.get(path).get_data(as_text=True)
    login(regular)
    html = client.get(path).get_data(as_text=True)
    assert 'id="topic-meta-form"' in html and 'id="topic-close-form"' not in html
    login(leader)
    html = client.get(path).get_data(as_text=True)
    for element in (
        "topic-meta-form",
        "topic-close-form",
        "topic-archive-form",
        "topic-pin-form",
        "topic-listed-form",
        "topic-slow-form",
        "topic-split-link",
        "topic-merge-link",
    ):
        assert f'id="{element}"' in html, element
