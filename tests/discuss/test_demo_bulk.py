"""The large demo's discussions written in bulk (``demo_bulk``), scaled down: every counter
equals what it counts, the text cooks as the services would cook it, the same content every
time, four languages with a real vocabulary, threads, likes, answers, edits, a private
category that stays private in search — and ``space demo --size large --posts N``."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from plugins.discuss import demo, demo_bulk
from plugins.discuss.models import Bookmark, Category, Post, PostLike, PostRevision, Topic
from plugins.discuss.services import social
from space import demo_people, search
from space.accounts.models import Group, GroupVisibility, Membership, User
from space.db import db, utcnow
from space.demo import Options, index_everything
from space.markup import render
from space.trust import TrustLevel
from tests import factories

from .counters import wrong_counters

TOPICS, POSTS = 40, 800


@pytest.fixture
def found(app):
    """A site as the demo leaves it before the bulk: people (some generated, as the large
    demo makes them) in the board and organizers groups, and the demo's categories."""
    admin = factories.admin()
    factories.group("board", visibility=GroupVisibility.PRIVATE, owner=admin)
    factories.group("organizers", visibility=GroupVisibility.CLOSED, owner=admin)
    factories.group("volunteers", owner=admin)
    demo_people.add(60, "demo-password", utcnow())
    with demo.request_caches():
        categories = demo._categories()
    db.session.commit()
    return categories


def build(found, **kwargs) -> dict[str, int]:
    with demo.request_caches():
        made = demo_bulk.build(found, utcnow(), topics=TOPICS, posts=POSTS, **kwargs)
    db.session.commit()
    return made


def bulk_posts() -> list[Post]:
    return db.session.scalars(select(Post).order_by(Post.id)).all()


def test_the_bulk_writes_what_it_was_asked_with_every_counter_right(found, make):
    # Content made by the services before: the bulk adds to categories', tags' and
    # people's counters, it does not replace them.
    regular = factories.user(trust_level=TrustLevel.REGULAR)  # may create tags
    earlier = make.topic(regular, found["general"], tags=["welcome"])
    make.reply(earlier, factories.user())
    social.like(factories.user(trust_level=TrustLevel.MEMBER), db.session.get(Post, 1))
    db.session.commit()

    assert build(found) == {"topics": TOPICS, "posts": POSTS}
    assert db.session.scalar(select(func.count(Topic.id))) == TOPICS + 1
    assert db.session.scalar(select(func.count(Post.id))) == POSTS + 2
    assert wrong_counters() == []
    assert db.session.scalar(select(func.count(PostLike.id))) > POSTS / 4
    assert db.session.scalar(select(func.max(Topic.post_count))) >= 40, "some long threads"


def test_the_counters_check_catches_a_wrong_counter(found):
    build(found)
    topic = db.session.scalars(select(Topic).where(Topic.post_count > 2)).first()
    topic.like_count += 1
    db.session.commit()
    assert [line.split(":")[0] for line in wrong_counters()] == [f"topic {topic.id}"]


def test_each_post_is_cooked_as_the_services_would_cook_it(found):
    build(found)
    posts = bulk_posts()
    assert {post.cooked for post in posts if post.cooked != str(render(post.raw))} == set()
    assert any("<li>" in post.cooked for post in posts)
    assert any("<blockquote>" in post.cooked for post in posts)
    assert all("QZPIECE" not in post.cooked for post in posts)


def test_the_same_content_every_time(found):
    now = utcnow()

    def planned(seed=demo_bulk.SEED):
        builder = demo_bulk.Builder(found, now, seed)
        plans = builder.plans(10, 200)
        return [(p.title, p.category, p.user_id, [post[:3] for post in builder.filled(p).posts])
                for p in plans]  # fmt: skip

    assert planned() == planned()
    assert planned() != planned(seed=8)


def test_four_languages_with_a_real_vocabulary(found):
    build(found)
    texts = [post.raw for post in bulk_posts()]
    whole = " ".join(texts)
    assert re.search("[\u0600-\u06ff]{4}", whole), "Arabic"
    assert "¿" in whole and "J'ai" in whole and "Thanks" in whole
    words = Counter(re.findall(r"\w+", whole.lower()))
    assert len(words) >= 700, "a vocabulary, not one sentence again and again"
    assert len({*texts}) >= len(texts) * 0.98, "hardly two posts alike"
    titles = db.session.scalars(select(Topic.title)).all()
    assert len(set(titles)) >= TOPICS * 0.9


def test_threads_likes_answers_bookmarks_and_edits(found):
    build(found)
    ask, private = found["ask"], found["organizers"]
    assert db.session.scalar(select(func.count(Post.id)).where(Post.reply_to_post_number > 1))
    assert db.session.scalar(
        select(func.count(Topic.id)).where(Topic.category_id == ask.id,
                                           Topic.accepted_post_id.is_not(None))
    ), "accepted answers in the Q&A category"  # fmt: skip
    for topic in db.session.scalars(select(Topic).where(Topic.accepted_post_id.is_not(None))):
        answer = db.session.get(Post, topic.accepted_post_id)
        assert answer.topic_id == topic.id and answer.user_id != topic.user_id
        assert topic.category_id == ask.id
    assert db.session.scalar(select(func.count(Bookmark.id))) > 0
    edited = db.session.scalars(select(Post).where(Post.version == 2)).all()
    assert edited
    for post in edited:
        texts = db.session.scalars(select(PostRevision.raw).where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.number)).all()  # fmt: skip
        assert len(texts) == 2 and texts[1] == post.raw and post.raw.startswith(texts[0])
        assert post.edited_at > post.created_at
    unedited = select(func.count(PostRevision.id)).join(Post, Post.id == PostRevision.post_id)
    assert db.session.scalar(unedited.where(Post.version == 1)) == POSTS - len(edited)
    organizers = {m.user_id for m in _memberships("organizers")}
    in_private = db.session.scalars(
        select(Post.user_id).join(Topic, Topic.id == Post.topic_id)
        .where(Topic.category_id == private.id)
    ).all()  # fmt: skip
    assert in_private and set(in_private) <= organizers
    likers = db.session.scalars(
        select(PostLike.user_id).join(Post, Post.id == PostLike.post_id)
        .join(Topic, Topic.id == Post.topic_id).where(Topic.category_id == private.id)
    ).all()  # fmt: skip
    assert set(likers) <= organizers, "only those who may read the private room like in it"
    assert not db.session.scalar(
        select(func.count(PostLike.id)).where(PostLike.user_id == PostLike.post_user_id)
    ), "nobody likes their own post"  # fmt: skip


def _memberships(name: str) -> list[Membership]:
    return db.session.scalars(
        select(Membership).join(Group, Group.id == Membership.group_id).where(Group.name == name)
    ).all()


def test_the_bulk_is_found_by_search_and_the_private_category_stays_private(found):
    build(found)
    index_everything(Options(size="large"))
    documents = db.session.scalar(select(func.count(Post.id)))
    private = found["organizers"]

    def total(text, user=None):
        parsed = search.parse(text, known_types=search.types())
        return search.backend().search(parsed, search.principals(user), 1, 10).total

    assert total("type:post") + total("type:topic") >= documents * 0.7
    hidden = db.session.scalar(
        select(func.count(Post.id)).join(Topic, Topic.id == Post.topic_id)
        .where(Topic.category_id == private.id)
    )  # fmt: skip
    assert hidden and total(f"category:{private.slug}") == 0
    organizer = db.session.get(User, _memberships("organizers")[-1].user_id)
    assert total(f"category:{private.slug}", organizer) == hidden
    word = re.findall(r"[a-z]{6,}", bulk_posts()[-1].raw.lower())[0]
    assert total(word) >= 1


def test_space_demo_large_with_posts_builds_that_many(app, runner):
    result = runner.invoke(args=["space", "demo", "--size", "large", "--posts", "400"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id))) == 500
    small = len(demo.TOPICS) + sum(len(spec.get("replies", [])) for spec in demo.TOPICS)
    assert db.session.scalar(select(func.count(Topic.id))) == len(demo.TOPICS) + 20
    assert db.session.scalar(select(func.count(Post.id))) == small + 400
    assert f"500 people, {len(demo.TOPICS) + 20} topics, {small + 400} posts" in result.output
    assert "Discussions" in result.output and "Indexing for search" in result.output
    assert wrong_counters() == []
    parsed = search.parse("type:post", known_types=search.types())
    found = search.backend().search(parsed, search.principals(None), 1, 10).total
    assert found >= 300, "the bulk posts reached the search index"
    assert db.session.scalar(select(Category.topic_count).where(Category.slug == "general")) > 2
