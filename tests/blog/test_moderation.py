"""Published stories in the one review queue: flagging a story (/blog/s/<id>/flag), the
"blog.story" review handler, and what the queue's decisions do to the story and its
discussion topic (hide: unpublished and the topic closed; disagree: published again;
delete: trash)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugins.blog import moderation
from plugins.blog.models import BlogCategory, Status, Story, StoryDecision
from plugins.discuss.models import Topic
from space.accounts.models import User
from space.db import db
from space.moderation import decisions, services
from space.moderation.handlers import handler_for
from space.moderation.models import Flag, FlagStatus, ReviewItem, ReviewStatus
from space.trust import TrustLevel
from tests import factories
from tests.blog.conftest import reload
from tests.conftest import csrf_token


@pytest.fixture
def story(make):
    return make.published(title="A story readers may flag", excerpt="An excerpt long enough "
                          "for the checklist, about an edit-a-thon in the library.")  # fmt: skip


@pytest.fixture
def reader(app):
    return factories.user("reader", trust_level=TrustLevel.MEMBER, locale="en")


def _flag(client, story_id, data):
    return client.post(f"/blog/s/{story_id}/flag",
                       data={"csrf_token": csrf_token(client, "/"), **data})  # fmt: skip


def _topic(story) -> Topic:
    db.session.expire_all()
    return db.session.get(Topic, story.topic_id)


def _hidden_item(story) -> ReviewItem:
    """A moderator's "take action" flag: the story is hidden at once."""
    services.flag(factories.moderator(), "blog.story", story.id, "inappropriate", "",
                  take_action=True)  # fmt: skip
    db.session.commit()
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.item_type == "blog.story"))
    assert item.hidden_at is not None
    return item


def test_the_handler_is_registered_and_describes_a_story(app, story):
    handler = handler_for("blog.story")
    assert isinstance(handler, moderation.StoryHandler)
    loaded = handler.load(story.id)
    snap = handler.snapshot(loaded)
    assert snap.title == "A story readers may flag"
    assert snap.html == story.cooked and "<p>" in snap.html
    assert snap.url == f"/blog/{story.slug}"
    assert snap.context == db.session.get(BlogCategory, story.category_id).name
    assert handler.author_id(loaded) == story.writer_id
    assert handler.version(loaded) == story.revision_number
    assert handler.author_trust_level(loaded) == int(TrustLevel.BASIC)
    assert handler.load(999_999) is None


def test_a_reader_flags_a_published_story_and_moderators_see_it(app, client, login, story,
                                                                reader):  # fmt: skip
    login(reader)
    form = client.get(f"/blog/s/{story.id}/flag")
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert 'id="flag-inappropriate"' in page and 'id="flag-message_author"' in page
    assert "A story readers may flag" in page and 'name="take_action"' not in page
    response = _flag(client, story.id, {"reason": "spam", "message": "An advert."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/{story.slug}")
    flag = db.session.scalar(select(Flag))
    assert (flag.user_id, flag.reason, flag.item_type, flag.item_id) == (
        reader.id, "spam", "blog.story", story.id)  # fmt: skip
    item = db.session.scalar(select(ReviewItem))
    assert item.snapshot["title"] == "A story readers may flag" and item.scope == ""
    assert reload(story).status == Status.PUBLISHED  # one flag does not hide
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(factories.moderator())
    queue = client.get("/review/").get_data(as_text=True)
    assert "A story readers may flag" in queue and "Blog story" in queue
    assert client.get(f"/review/{item.id}").status_code == 200


def test_bad_flags_are_refused_with_what_was_typed(app, client, login, story, reader):
    login(reader)
    response = _flag(client, story.id, {"reason": "", "message": "Kept text"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose a reason." in page and "Kept text" in page
    response = _flag(client, story.id, {"reason": "illegal", "message": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Please say what is wrong." in page
    assert 'value="illegal" id="flag-illegal" required checked' in page
    assert _flag(client, story.id, {"reason": "bogus"}).status_code == 422
    assert db.session.scalar(select(Flag)) is None


def test_who_may_not_flag(app, client, login, make, story, reader):
    response = client.get(f"/blog/s/{story.id}/flag")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    writer = db.session.get(User, story.writer_id)
    login(writer)
    assert client.get(f"/blog/s/{story.id}/flag").status_code == 403
    assert _flag(client, story.id, {"reason": "spam"}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(reader)
    assert client.get("/blog/s/999999/flag").status_code == 404
    for status in (Status.DRAFT, Status.IN_REVIEW, Status.UNPUBLISHED, Status.SCHEDULED):
        hidden = make.story(status=status)
        assert client.get(f"/blog/s/{hidden.id}/flag").status_code == 404, status
        assert _flag(client, hidden.id, {"reason": "spam"}).status_code == 404, status
    assert db.session.scalar(select(Flag)) is None


def test_an_editor_cannot_flag_a_draft_either(app, client, login, make):
    draft = make.story(status=Status.IN_REVIEW)
    login(make.the_editor())
    assert client.get(f"/blog/s/{draft.id}/flag").status_code == 404
    with pytest.raises(services.NotFound):
        services.flag(make.the_editor(), "blog.story", draft.id, "spam")


def test_agreeing_to_hide_unpublishes_and_closes_the_topic(app, client, login, story, reader):
    topic_id = story.topic_id
    category = db.session.get(BlogCategory, story.category_id)
    assert category.story_count == 1
    services.flag(reader, "blog.story", story.id, "inappropriate", "")
    db.session.commit()
    item = db.session.scalar(select(ReviewItem))
    login(factories.moderator())
    response = client.post(f"/review/{item.id}/decide", data={
        "csrf_token": csrf_token(client, "/"), "action": "agree_hide",
        "version": str(item.version)})  # fmt: skip
    assert response.status_code == 302
    hidden = reload(story)
    assert hidden.status == Status.UNPUBLISHED and hidden.topic_id == topic_id
    topic = _topic(hidden)
    assert topic.closed and not topic.listed
    assert db.session.get(BlogCategory, category.id).story_count == 0
    last = db.session.scalar(select(StoryDecision).where(StoryDecision.story_id == story.id)
                             .order_by(StoryDecision.id.desc()))  # fmt: skip
    assert (last.action, last.user_id, last.to_status) == ("unpublish", None, Status.UNPUBLISHED)
    assert fresh_item(item).status == ReviewStatus.APPROVED
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get(f"/blog/{story.slug}").status_code == 404
    assert "A story readers may flag" not in client.get("/blog/").get_data(as_text=True)


def fresh_item(item) -> ReviewItem:
    db.session.expire_all()
    return db.session.get(ReviewItem, item.id)


def test_disagreeing_publishes_the_story_again(app, client, story):
    published_at, topic_id = story.published_at, story.topic_id
    item = _hidden_item(story)
    assert reload(story).status == Status.UNPUBLISHED and _topic(story).closed
    decisions.decide(factories.moderator("mod2"), item, "disagree", version=item.version)
    db.session.commit()
    back = reload(story)
    assert back.status == Status.PUBLISHED
    assert back.published_at == published_at and back.topic_id == topic_id
    topic = _topic(back)
    assert not topic.closed and topic.listed
    assert db.session.get(BlogCategory, back.category_id).story_count == 1
    assert db.session.scalar(select(Flag)).status == FlagStatus.DISAGREED
    assert client.get(f"/blog/{story.slug}").status_code == 200
    assert db.session.query(Topic).count() == 1  # never a second topic


def test_an_editors_unpublish_is_never_undone_by_the_queue(app, make, story):
    item = _hidden_item(story)
    editor = make.the_editor()
    make.move(editor, story, "publish")
    make.move(editor, story, "unpublish", note="Facts to check.")
    decisions.decide(factories.moderator("mod2"), item, "disagree", version=item.version)
    db.session.commit()
    assert reload(story).status == Status.UNPUBLISHED


def test_agreeing_to_delete_moves_the_story_to_the_trash(app, story, reader):
    services.flag(reader, "blog.story", story.id, "spam", "")
    db.session.commit()
    item = db.session.scalar(select(ReviewItem))
    moderator = factories.moderator()
    decisions.decide(moderator, item, "agree_delete", version=item.version)
    db.session.commit()
    gone = reload(story)
    assert gone.status == Status.TRASH and gone.status_before_trash == Status.UNPUBLISHED
    assert gone.trashed_at is not None
    topic = _topic(gone)
    assert topic.closed and not topic.listed
    trashed = db.session.scalar(select(StoryDecision).where(
        StoryDecision.story_id == story.id, StoryDecision.action == "trash"))  # fmt: skip
    assert trashed.user_id == moderator.id
    handler = handler_for("blog.story")
    assert handler.restore(handler.load(story.id), by=moderator)
    db.session.commit()
    assert reload(story).status == Status.PUBLISHED and not _topic(story).closed


def test_the_story_page_offers_the_flag_link_to_readers_only(app, client, login, story, reader):
    from flask_login import login_user

    from plugins.blog.views.flags import may_flag

    with app.test_request_context():
        assert not may_flag(story)  # signed out
        login_user(reader)
        assert may_flag(story)
        assert not may_flag(Story(status=Status.DRAFT))
    writer = db.session.get(User, story.writer_id)
    with app.test_request_context():
        login_user(writer)
        assert not may_flag(reload(story))
