"""Query budgets of reading pages: a topic page, the latest list and a category's list cost
the same fixed number of SQL statements with few or many posts and topics, signed out and
signed in (with likes, bookmarks and reading state present)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, update

from plugins.discuss.models import (
    Access,
    Bookmark,
    Post,
    PostLike,
    Tag,
    Topic,
    TopicUser,
    topic_tag,
)
from plugins.discuss.services import activity
from space.db import db, utcnow
from space.trust import TrustLevel
from tests import factories


def _private_category(make, viewer):
    """A category restricted to a group the viewer belongs to: access checks then cost
    their permission and membership lookups, as on a real site."""
    group = factories.group(members=[viewer])
    return make.category("Private room", groups={group: Access.CREATE})


def _users(n):
    return [factories.user(trust_level=TrustLevel.MEMBER, commit=False) for _ in range(n)]


def _fill_topic(topic, count, people, viewer):
    """``count`` posts in ``topic`` (the first exists) by various people, replying to posts
    further up, with likes and bookmarks of ``viewer``; an accepted answer."""
    now = utcnow()
    rows = [
        {"topic_id": topic.id, "user_id": people[n % len(people)].id, "post_number": n,
         "reply_to_post_number": max(1, n - 3), "raw": f"Post {n} " * 5,
         "cooked": f"<p>Post {n}</p>", "created_at": now + timedelta(seconds=n),
         "like_count": 1, "reply_count": 0}
        for n in range(2, count + 1)
    ]  # fmt: skip
    db.session.execute(insert(Post), rows)
    db.session.execute(
        update(Topic).where(Topic.id == topic.id).values(highest_post_number=count,
                                                         post_count=count)
    )  # fmt: skip
    posts = db.session.query(Post.id, Post.user_id).filter(Post.topic_id == topic.id).all()
    db.session.execute(insert(PostLike), [
        {"post_id": pid, "user_id": viewer.id, "post_user_id": uid} for pid, uid in posts
    ])  # fmt: skip
    db.session.execute(insert(Bookmark), [{"post_id": pid, "user_id": viewer.id}
                                          for pid, _ in posts[::2]])  # fmt: skip
    db.session.get(Topic, topic.id).accepted_post_id = posts[-1][0]
    db.session.add(TopicUser(topic_id=topic.id, user_id=viewer.id, last_read_post_number=5))
    db.session.commit()


def _fill_category(category, count, people, viewer, tags):
    now = utcnow()
    rows = [
        {"category_id": category.id, "user_id": people[n % len(people)].id,
         "title": f"Generated topic number {n}", "slug": f"generated-{n}",
         "created_at": now - timedelta(hours=n), "bumped_at": now - timedelta(minutes=n),
         "last_posted_at": now, "last_post_user_id": people[(n + 1) % len(people)].id,
         "post_count": 3, "highest_post_number": 3, "pinned_at": now if n == 5 else None}
        for n in range(count)
    ]  # fmt: skip
    db.session.execute(insert(Topic), rows)
    ids = [t.id for t in db.session.query(Topic.id).filter(Topic.category_id == category.id)]
    if tags:
        db.session.execute(insert(topic_tag), [
            {"topic_id": tid, "tag_id": tags[i % len(tags)].id} for i, tid in enumerate(ids)
        ])  # fmt: skip
    db.session.execute(insert(TopicUser), [
        {"topic_id": tid, "user_id": viewer.id, "last_read_post_number": 1}
        for tid in ids[::3]
    ])  # fmt: skip
    db.session.commit()


@pytest.fixture
def no_activity(monkeypatch):
    """The TRUST helper's ``record_topic_view`` is budgeted by its own tests: leave it out
    of the exact numbers here."""
    monkeypatch.setattr(activity, "record_topic_view", lambda *a, **k: None)


def _cost(client, count_queries, path):
    client.get(path)  # warm up: first visit, last-seen stamp
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count, counter.statements


def _topic_paths(make, login, *, signed_in):
    viewer = factories.user("viewer", trust_level=TrustLevel.MEMBER)
    people = _users(12)
    db.session.commit()
    _private_category(make, viewer)
    category = make.category(accepts_answers=True)
    small = make.topic(people[0], category, title="A topic with twenty posts")
    large = make.topic(people[1], category, title="A topic with two hundred posts")
    _fill_topic(small, 20, people, viewer)
    _fill_topic(large, 200, people, viewer)
    if signed_in:
        login(viewer)
    return [f"/discuss/t/{small.slug}/{small.id}", f"/discuss/t/{large.slug}/{large.id}",
            f"/discuss/t/{large.slug}/{large.id}?page=10"]  # fmt: skip


def _topic_costs(make, client, login, count_queries, *, signed_in):
    paths = _topic_paths(make, login, signed_in=signed_in)
    return [_cost(client, count_queries, path) for path in paths]


def _list_costs(make, client, login, count_queries, *, signed_in):
    viewer = factories.user("viewer", trust_level=TrustLevel.MEMBER)
    people = _users(12)
    tags = [Tag(name=f"tag-{n}") for n in range(4)]
    db.session.add_all(tags)
    db.session.commit()
    few, many = make.category("Few topics"), make.category("Many topics")
    _fill_category(_private_category(make, viewer), 5, people, viewer, tags)
    _fill_category(few, 20, people, viewer, tags)
    _fill_category(many, 200, people, viewer, tags)
    if signed_in:
        login(viewer)
    return (
        [_cost(client, count_queries, f"/discuss/c/{c.slug}") for c in (few, many)],
        _cost(client, count_queries, "/discuss/"),
    )


def _show(costs):
    return "\n\n".join("\n".join(statements) for _, statements in costs)


# Statements per page, signed out: the content generation (the settings and what anonymous
# readers may see are kept until it changes: space/pagecache.py), then for a topic: the
# topic, its category and author, its tags, the categories (breadcrumbs), the post count, a
# page of posts with their authors, the posts they answer, the accepted answer and the view
# counter; for a list: the topic count, a page of topics with category, author and last
# poster, their tags.
# Signed in adds: the user, their groups, unread notifications, the reading state, the
# category's notification level, the category permissions and the "everyone" group; and on
# a topic page, the viewer's likes and bookmarks (no view counter: they visited before).
# Signed in, a topic page also reads the viewer's pending flags on its posts (moderation:
# "you flagged this", withdraw).
TOPIC_SIGNED_OUT = 10
# A page kept for anonymous readers reads the content generation alone; the view counter
# writes every few seconds (at once here).
TOPIC_KEPT = 2
TOPIC_SIGNED_IN = 18
CATEGORY_SIGNED_OUT = 5
CATEGORY_SIGNED_IN = 11
LATEST_SIGNED_OUT = 4
LATEST_SIGNED_IN = 10


def test_topic_page_budget_signed_out(app, make, client, login, count_queries, no_activity):
    """Rendered, with the page cache off; then kept, from the page cache."""
    paths = _topic_paths(make, login, signed_in=False)
    cache = app.extensions["space.page_cache"]
    seconds, cache.seconds = cache.seconds, 0
    rendered = [_cost(client, count_queries, path) for path in paths]
    assert [c for c, _ in rendered] == [TOPIC_SIGNED_OUT] * 3, _show(rendered)
    cache.seconds = seconds
    kept = [_cost(client, count_queries, path) for path in paths]
    assert [c for c, _ in kept] == [TOPIC_KEPT] * 3, _show(kept)
    assert len(cache) == 3


def test_topic_page_budget_signed_in(make, client, login, count_queries, no_activity):
    costs = _topic_costs(make, client, login, count_queries, signed_in=True)
    assert [c for c, _ in costs] == [TOPIC_SIGNED_IN] * 3, _show(costs)


def test_topic_page_cost_does_not_grow_with_activity_recorded(make, client, login,
                                                                count_queries):  # fmt: skip
    """With the real ``record_topic_view``: whatever it costs, it costs it for 20 posts as
    for 200."""
    costs = _topic_costs(make, client, login, count_queries, signed_in=True)
    assert len({c for c, _ in costs}) == 1, _show(costs)


@pytest.mark.parametrize("signed_in", [False, True])
def test_list_budgets(make, client, login, count_queries, signed_in):
    categories, latest = _list_costs(make, client, login, count_queries, signed_in=signed_in)
    expected = CATEGORY_SIGNED_IN if signed_in else CATEGORY_SIGNED_OUT
    assert [c for c, _ in categories] == [expected] * 2, _show(categories)
    assert latest[0] == (LATEST_SIGNED_IN if signed_in else LATEST_SIGNED_OUT), _show([latest])


@pytest.mark.parametrize("signed_in", [False, True])
def test_categories_page_budget(make, client, login, count_queries, signed_in):
    viewer = factories.user("viewer", trust_level=TrustLevel.MEMBER)
    people = _users(3)
    db.session.commit()
    _private_category(make, viewer)
    if signed_in:
        login(viewer)
    costs = []
    for n in (2, 12):
        for _ in range(5):
            category = make.category()
            _fill_category(category, n, people, viewer, [])
        costs.append(_cost(client, count_queries, "/discuss/categories"))
    # The content generation, the categories, the latest topic of every category in one
    # query; signed in: the user, unread notifications, the permissions and the viewer's
    # groups (anonymous readers' access is kept until the generation changes).
    expected = 7 if signed_in else 3
    assert [c for c, _ in costs] == [expected, expected], _show(costs)
