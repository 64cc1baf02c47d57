"""The topic page kept for anonymous readers (space/pagecache.py): served without reading
the posts, but never stale after a change, never to a reader who may no longer see it, and
with each visitor's own CSRF token and the current view count."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from flask import flash

from plugins.discuss.models import Access, Post, Topic, TopicUser
from plugins.discuss.services import categories, editing, posting, reading, social, view_counts
from space import pagecache, site
from space.db import db
from space.trust import TrustLevel
from tests import factories
from tests.conftest import CSRF_RE, csrf_token, make_app

VIEWS = re.compile(r"<span>(\d+) views?</span>")


def generation() -> str:
    db.session.expire_all()
    return site.generation()


def url(topic) -> str:
    return f"/discuss/t/{topic.slug}/{topic.id}"


def kept(app) -> pagecache.PageCache:
    return app.extensions["space.page_cache"]


def reads_posts(client, count_queries, path) -> bool:
    """Whether answering ``path`` read the posts (a page rendered, not kept)."""
    with count_queries() as counter:
        assert client.get(path).status_code == 200
    return any("FROM discuss_post" in s for s in counter.statements)


@pytest.fixture
def topic(make):
    return make.topic(title="Where to meet in Lyon", raw="At the library, on the first floor.")


def test_a_second_anonymous_reader_gets_the_kept_page(app, client, topic, count_queries):
    assert reads_posts(client, count_queries, url(topic))
    assert not reads_posts(app.test_client(), count_queries, url(topic))
    assert len(kept(app)) == 1


def test_a_kept_page_is_answered_with_the_content_generation_alone(
    app, client, topic, count_queries
):
    """Neither the topic nor what anonymous readers may see is read again: both follow
    the generation, which the page was kept in."""
    app.config["SPACE_VIEW_COUNT_SECONDS"] = 60
    path = url(topic)
    client.get(path)
    with count_queries() as counter:
        assert client.get(path).status_code == 200
    assert [s for s in counter.statements if "site_setting" not in s] == []
    assert counter.count == 1


def test_the_settings_are_read_outside_a_transaction_unless_one_is_under_way(app):
    """A kept page then needs no transaction at all (on PostgreSQL: no BEGIN, no COMMIT);
    a request that has begun to write reads the settings it is changing."""

    @contextmanager
    def request():  # a request of its own: its own g and session
        with app.app_context(), app.test_request_context("/"):
            yield

    with request():
        site.all_settings()
        assert not db.session().in_transaction()
    with request():
        site.put("title", "Changed in this transaction")
        assert site.get("title") == "Changed in this transaction"
        db.session.rollback()
    with request():
        assert site.get("title") != "Changed in this transaction"


def test_each_visitor_gets_a_csrf_token_of_their_own_session(app, client, topic):
    first, second = client, app.test_client()
    tokens = []
    for client in (first, second):
        html = client.get(url(topic)).get_data(as_text=True)
        match = CSRF_RE.search(html)
        tokens.append(match.group(1) or match.group(2))
        assert "space-fill-" not in html
    assert tokens[0] != tokens[1]
    # The second visitor's token (from the kept page) is valid for their session.
    response = second.post("/language", data={"locale": "fr", "csrf_token": tokens[1],
                                              "next": url(topic)})  # fmt: skip
    assert response.status_code == 302
    # The first visitor's token is not.
    refused = second.post("/language", data={"locale": "es", "csrf_token": tokens[0]})
    assert refused.status_code == 400


def test_the_view_count_is_current_on_a_kept_page(app, client, topic):
    counts = [int(VIEWS.search(client.get(url(topic)).get_data(as_text=True)).group(1))
              for _ in range(3)]  # fmt: skip
    assert counts == [0, 1, 2]
    assert db.session.get(Topic, topic.id).view_count == 3


def test_views_are_added_up_and_written_every_few_seconds(app, client, topic, monkeypatch):
    app.config["SPACE_VIEW_COUNT_SECONDS"] = 10
    now = [1000.0]
    monkeypatch.setattr(view_counts.time, "monotonic", lambda: now[0])
    shown = [int(VIEWS.search(client.get(url(topic)).get_data(as_text=True)).group(1))
             for _ in range(3)]  # fmt: skip
    assert shown == [0, 1, 2]
    assert db.session.get(Topic, topic.id).view_count == 0
    now[0] += 11
    client.get(url(topic))
    assert db.session.get(Topic, topic.id).view_count == 4


def test_a_new_reply_shows_at_once(app, client, make, topic):
    client.get(url(topic))
    make.reply(topic, raw="Bring your own laptop, there are few sockets.")
    assert "few sockets" in client.get(url(topic)).get_data(as_text=True)


def first_post(topic) -> Post:
    found = db.session.scalar(db.select(Post.id).where(Post.topic_id == topic.id))
    return reading.load_post(found)


def test_an_edit_shows_at_once(app, client, topic):
    client.get(url(topic))
    first = first_post(topic)
    editing.edit_post(first, first.user, "At the town hall now, second floor.", trusted=True)
    db.session.commit()
    html = client.get(url(topic)).get_data(as_text=True)
    assert "town hall" in html and "library" not in html


def test_a_like_counted_by_a_bulk_update_shows_at_once(app, client, make, topic):
    client.get(url(topic))
    first = first_post(topic)
    fan = factories.user("fan", trust_level=TrustLevel.MEMBER)
    assert social.like(fan, first)
    db.session.commit()
    assert "1 like" in client.get(url(topic)).get_data(as_text=True)


def test_a_topic_made_private_is_refused_though_its_page_is_kept(app, client, topic):
    client.get(url(topic))
    group = factories.group()
    categories.set_permissions(reading.load_topic(topic.id).category, {group: Access.CREATE})
    db.session.commit()
    assert client.get(url(topic)).status_code == 404


def test_a_deleted_topic_is_gone_though_its_page_was_kept(app, client, topic):
    client.get(url(topic))
    first = first_post(topic)
    staff = factories.moderator()
    editing.delete_post(first, staff)
    db.session.commit()
    assert client.get(url(topic)).status_code == 404


def test_quiet_writes_keep_the_page(app, client, login, topic, count_queries):
    """A signed-in reader's visit writes a reading position and "last seen": no anonymous
    page shows them, so the kept page stays."""
    member = factories.user("reader", trust_level=TrustLevel.MEMBER)
    client.get(url(topic))
    before = generation()
    reader = app.test_client()
    form = {"login": "reader", "password": "correct horse battery",
            "csrf_token": csrf_token(reader)}  # fmt: skip
    assert reader.post("/login", data=form).status_code == 302
    assert reader.get(url(topic)).status_code == 200
    assert db.session.scalar(db.select(TopicUser).where(TopicUser.user_id == member.id))
    assert generation() == before
    assert not reads_posts(app.test_client(), count_queries, url(topic))


def test_a_content_change_replaces_the_generation(app, topic):
    before = generation()
    topic.title = "Where to meet in Lyon, and when"
    db.session.commit()
    assert generation() != before


def test_a_kept_page_follows_the_language(app, client, topic):
    english = app.test_client().get(url(topic)).get_data(as_text=True)
    french = app.test_client().get(url(topic), headers={"Accept-Language": "fr"})
    assert 'lang="fr"' in french.get_data(as_text=True)
    assert 'lang="en"' in english


def test_a_session_with_a_message_gets_it_and_the_page_is_not_kept(app, client, topic):
    @app.get("/_test/flash")
    def flashing():
        flash("Your topic was saved.")
        return "ok"

    client.get(url(topic))
    client.get("/_test/flash")
    assert "Your topic was saved." in client.get(url(topic)).get_data(as_text=True)
    assert "Your topic was saved." not in client.get(url(topic)).get_data(as_text=True)


def test_another_process_sees_a_change_at_once(app, client, database_url, tmp_path, topic):
    """Two apps on one database, as two processes: a reply committed through one replaces
    the page the other kept."""
    other = make_app(database_url, tmp_path / "other", SPACE_PLUGINS=["discuss"])
    other_client = other.test_client()
    assert "first floor" in other_client.get(url(topic)).get_data(as_text=True)
    with other.app_context():
        assert len(kept(other)) == 1
    author = factories.user("author", trust_level=TrustLevel.MEMBER)
    posting.create_post(author, db.session.get(Topic, topic.id),
                        "Second thoughts: the café next door is quieter.")  # fmt: skip
    db.session.commit()
    assert "café next door" in other_client.get(url(topic)).get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()


def test_only_the_page_parameter_makes_a_kept_copy(app, client, topic):
    client.get(url(topic))
    client.get(url(topic) + "?page=1")
    client.get(url(topic) + "?utm_source=newsletter")
    client.get(url(topic) + "?page=1&x=1")
    assert len(kept(app)) == 2


def test_the_cache_off_keeps_nothing(app, client, topic):
    kept(app).seconds = 0
    client.get(url(topic))
    client.get(url(topic))
    assert len(kept(app)) == 0


def test_a_kept_page_expires(app, client, topic, monkeypatch):
    client.get(url(topic))
    assert kept(app).get(next(iter(kept(app)._pages))) is not None
    now = pagecache.time.monotonic()
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: now + kept(app).seconds + 1)
    assert kept(app).get(next(iter(kept(app)._pages))) is None


def test_the_oldest_pages_go_first(app, make):
    cache = pagecache.PageCache(size=2, seconds=60)
    for key in "abc":
        cache.put(key, key)
    assert cache.get("a") is None and cache.get("b") == "b" and cache.get("c") == "c"


def test_the_generation_is_written_by_the_outermost_commit_only(app, topic, count_queries):
    """Released savepoints leave it to the commit, so that its row is the last lock a
    transaction takes (written earlier, concurrent registrations deadlocked)."""
    found = reading.load_topic(topic.id)
    with count_queries() as counter:
        with db.session.begin_nested():
            found.title = "Where to meet in Lyon this winter"
        in_savepoint = [s for s in counter.statements if "site_setting" in s]
        db.session.commit()
    assert in_savepoint == []
    assert sum("site_setting" in s for s in counter.statements) == 1
