"""Topics other areas open about their things (``space.discussions``): one per subject,
kept up to date, closed and unlisted, summarized only for those who may read them."""

from __future__ import annotations

from sqlalchemy import func, select

from plugins.discuss.models import Access, Post, Topic
from space import discussions
from space.accounts.models import Anonymous
from space.db import db
from space.discussions import Subject
from space.trust import TrustLevel
from tests import factories


def _subject(author, **changes):
    values = dict(key="test.thing:1", title="A story worth talking about",
                  body="An excerpt of the story.\n\n[Read it](/blog/s/1)", author_id=author.id,
                  category="stories")  # fmt: skip
    values.update(changes)
    return Subject(**values)


def test_open_makes_one_topic_and_updates_it(app):
    author = factories.user(trust_level=TrustLevel.NEW)
    first = discussions.open(_subject(author))
    db.session.commit()
    again = discussions.open(_subject(author, title="A better title for the story", body="New."))
    db.session.commit()
    assert first == again
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 1
    topic = db.session.get(Topic, first)
    assert topic.title == "A better title for the story"
    assert topic.user_id == author.id and topic.subject == "test.thing:1"
    post = db.session.scalar(select(Post).where(Post.topic_id == first))
    assert post.raw == "New."


def test_close_unlists_and_reopen_lists_again(app):
    author = factories.user()
    topic_id = discussions.open(_subject(author))
    db.session.commit()
    discussions.close(topic_id, reason="unpublished")
    db.session.commit()
    topic = db.session.get(Topic, topic_id)
    assert topic.closed and not topic.listed
    assert discussions.open(_subject(author)) == topic_id
    db.session.commit()
    assert not topic.closed and topic.listed


def test_summary_shows_best_replies_to_readers_only(app, make):
    author = factories.user()
    crew = factories.group("Crew")
    make.category("Hidden", groups={crew: Access.CREATE}, slug="hidden")
    topic_id = discussions.open(_subject(author, category="hidden"))
    db.session.commit()
    topic = db.session.get(Topic, topic_id)
    with app.test_request_context():
        assert discussions.summary(topic_id, Anonymous()) is None
        admin = factories.admin()
        make.reply(topic, admin, raw="The best reply to this story, surely.")
        found = discussions.summary(topic_id, admin)
        assert found.reply_count == 1 and found.best[0].author == admin.username
        assert found.url.endswith(f"/{topic_id}")
        assert discussions.find(found.url, admin) == topic_id
        assert discussions.find(found.url, Anonymous()) is None
        assert discussions.find("not a topic", admin) is None


def test_sitemap_lists_public_topics_only(client, make):
    crew = factories.group("Crew")
    secret = make.topic(category=make.category("Vault", groups={crew: Access.CREATE}))
    public = make.topic()
    body = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"/{public.id}</loc>" in body
    assert f"/{secret.id}</loc>" not in body
    assert "Sitemap:" in client.get("/robots.txt").get_data(as_text=True)
