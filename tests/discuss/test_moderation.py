"""Discuss in the review queue: the review handlers on real posts (snapshot, hide, unhide,
delete with replies, restore, close the topic), the automatic rules through them, category
moderators' scopes, and the author's edit that unhides once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from plugins.discuss import moderation
from plugins.discuss.models import Access, Post, Topic
from space import search
from space.accounts import groups
from space.db import db, utcnow
from space.moderation import decisions, rules, services
from space.moderation.handlers import handler_for
from space.moderation.models import ReviewItem, ReviewStatus
from space.permissions import can
from space.trust import TrustLevel
from tests import factories


def find(text, user=None):
    parsed = search.restrict(search.parse(text, known_types=search.types()), user)
    return {hit.key for hit in search.backend().search(parsed, search.principals(user), 1, 50).hits}


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


@pytest.fixture
def author(app):
    return factories.user("writer", trust_level=TrustLevel.BASIC, locale="en")


@pytest.fixture
def thread(make, author):
    """A topic by ``author`` with replies: 2 (by the author) answers 1, 3 answers 2, 4 (by
    the author) answers 3, 5 answers 1."""
    category = make.category("General")
    topic = make.topic(author, category, title="Where do we meet next month?")
    other = factories.user("other", trust_level=TrustLevel.MEMBER)
    posts = [db.session.scalar(select(Post).where(Post.topic_id == topic.id))]
    for parent, by in ((1, author), (2, other), (3, author), (1, other)):
        posts.append(make.reply(topic, by, reply_to=parent))
    return topic, posts


def test_both_handlers_are_registered(app):
    assert isinstance(handler_for("discuss.post"), moderation.PostHandler)
    assert isinstance(handler_for("discuss.topic"), moderation.TopicHandler)


def test_the_post_handler_describes_a_post(app, thread, author):
    topic, posts = thread
    handler = handler_for("discuss.post")
    post = handler.load(posts[3].id)
    assert handler.author_id(post) == author.id
    snap = handler.snapshot(post)
    assert snap.title == "Where do we meet next month? #4"
    assert snap.html == post.cooked and snap.context == "General"
    assert snap.url == f"/discuss/p/{post.id}"
    assert handler.scope(post) == f"discuss.category:{topic.category_id}"
    assert handler.container_key(post) == f"discuss.topic:{topic.id}"
    assert handler.version(post) == 1
    assert handler.author_trust_level(post) == TrustLevel.BASIC
    assert handler.edit_url(post) == f"/discuss/p/{post.id}/edit"
    assert handler.load(10**6) is None
    labels = decisions.scope_labels([handler.scope(post), "blog:1"])
    assert labels == {handler.scope(post): "General", "blog:1": "blog:1"}


def test_the_topic_handler_is_the_first_post_and_the_title(app, thread):
    topic, posts = thread
    handler = handler_for("discuss.topic")
    first = handler.load(topic.id)
    assert first.id == posts[0].id
    snap = handler.snapshot(first)
    assert snap.title == topic.title
    assert snap.url == f"/discuss/t/{topic.slug}/{topic.id}"
    assert handler.load(10**6) is None


def test_can_see_follows_the_topic_and_the_post(app, make, thread):
    topic, posts = thread
    crew = factories.group("crew")
    insider = factories.user("insider", trust_level=TrustLevel.MEMBER)
    groups.add_member(crew, insider)
    outsider = factories.user("outsider", trust_level=TrustLevel.MEMBER)
    secret = make.topic(insider, make.category("Crew", groups={crew: Access.CREATE}))
    handler = handler_for("discuss.post")
    secret_id = db.session.scalar(select(Post.id).where(Post.topic_id == secret.id))
    private_post = handler.load(secret_id)
    assert handler.can_see(insider, private_post) and not handler.can_see(outsider, private_post)
    post = handler.load(posts[1].id)
    assert handler.can_see(outsider, post)
    handler.hide(post)
    assert not handler.can_see(outsider, post)


def test_hide_and_unhide(app, client, thread, author):
    topic, posts = thread
    handler = handler_for("discuss.post")
    reader = factories.user("reader", trust_level=TrustLevel.MEMBER)
    staff = factories.admin()
    post = handler.load(posts[1].id)
    assert post.user_id == author.id
    assert handler.hide(post) is True and handler.hide(post) is False
    db.session.commit()
    assert f"post:{post.id}" not in find("reply", staff)
    assert not moderation.access.can_see_post(reader, fresh(Post, post.id))
    assert moderation.access.can_see_post(author, fresh(Post, post.id))
    post = handler.load(posts[1].id)
    assert handler.unhide(post) is True and handler.unhide(post) is False
    db.session.commit()
    assert fresh(Post, post.id).hidden_at is None
    assert f"post:{post.id}" in find("reply", staff)


def test_delete_with_replies_follows_the_reply_chains(app, thread):
    topic, posts = thread
    moderator = factories.moderator()
    handler = handler_for("discuss.post")
    assert handler.delete(handler.load(posts[1].id), by=moderator, with_replies=True) is True
    db.session.commit()
    deleted = {p.post_number for p in db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.deleted_at.is_not(None)))}  # fmt: skip
    assert deleted == {2, 3, 4}  # post 5 answers the first post: it stays
    assert fresh(Topic, topic.id).post_count == 2
    assert fresh(Post, posts[1].id).deleted_by_id == moderator.id


def test_delete_without_replies_then_restore(app, thread):
    topic, posts = thread
    moderator = factories.moderator()
    handler = handler_for("discuss.post")
    assert handler.delete(handler.load(posts[1].id), by=moderator) is True
    db.session.commit()
    assert fresh(Post, posts[2].id).deleted_at is None
    assert fresh(Topic, topic.id).post_count == 4
    assert handler.restore(handler.load(posts[1].id), by=moderator) is True
    db.session.commit()
    assert fresh(Post, posts[1].id).deleted_at is None
    assert fresh(Topic, topic.id).post_count == 5


def test_deleting_a_topic_item_deletes_the_topic(app, thread):
    topic, _posts = thread
    handler = handler_for("discuss.topic")
    assert handler.delete(handler.load(topic.id), by=factories.moderator(), with_replies=True)
    db.session.commit()
    assert fresh(Topic, topic.id).deleted_at is not None
    assert handler.hide(handler.load(topic.id)) is True  # hiding: the first post


def test_close_container_closes_the_topic_for_some_hours(app, thread):
    topic, posts = thread
    member = factories.user("member", trust_level=TrustLevel.MEMBER)
    handler = handler_for("discuss.post")
    post = handler.load(posts[1].id)
    assert handler.close_container(post, 4) is True
    db.session.commit()
    closed = fresh(Topic, topic.id)
    assert closed.closed and not can(member, "topic.reply", closed)
    delta = closed.closed_until - utcnow()
    assert timedelta(hours=3, minutes=59) < delta <= timedelta(hours=4)
    assert handler.close_container(handler.load(posts[1].id), 4) is False  # closed already
    closed.closed_until = utcnow() - timedelta(minutes=1)  # the 4 hours are over
    db.session.commit()
    assert can(member, "topic.reply", fresh(Topic, topic.id))


def _flaggers(n, level=TrustLevel.MEMBER):
    return [factories.user(trust_level=level) for _ in range(n)]


def test_three_trust_level_2_flags_hide_a_post_through_the_handler(app, thread):
    _topic, posts = thread
    for flagger in _flaggers(3):
        services.flag(flagger, "discuss.post", posts[1].id, "inappropriate")
    db.session.commit()
    assert fresh(Post, posts[1].id).hidden_at is not None
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.item_id == posts[1].id))
    assert item.hide_count == 1 and item.scope.startswith("discuss.category:")


def test_five_flaggers_close_the_topic_for_four_hours(app, thread):
    topic, posts = thread
    for flagger, post in zip(_flaggers(5, TrustLevel.LEADER), posts, strict=True):
        if post.user_id != flagger.id:
            services.flag(flagger, "discuss.post", post.id, "off_topic")
    db.session.commit()
    closed = fresh(Topic, topic.id)
    assert closed.closed and closed.closed_until > utcnow() + timedelta(hours=3)


def _hidden_by_flags(post_id):
    for flagger in _flaggers(3):
        services.flag(flagger, "discuss.post", post_id, "inappropriate")
    db.session.commit()
    return db.session.scalar(select(ReviewItem).where(ReviewItem.item_id == post_id))


def _edit(client, post, raw):
    return client.post(f"/discuss/p/{post.id}/edit", data={"raw": raw, "csrf_token": _token(
        client, f"/discuss/p/{post.id}/edit")})  # fmt: skip


def _token(client, path):
    from tests.conftest import csrf_token

    return csrf_token(client, path)


def test_the_authors_edit_after_ten_minutes_unhides_once(app, client, login, thread, author):
    _topic, posts = thread
    post = posts[1]
    item = _hidden_by_flags(post.id)
    login(author)
    # Within the ten minutes: the edit is saved, the post stays hidden.
    assert _edit(client, post, "A calmer version of what I said.").status_code == 302
    assert fresh(Post, post.id).hidden_at is not None
    item = fresh(ReviewItem, item.id)
    item.hidden_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert _edit(client, post, "An even calmer version of it.").status_code == 302
    assert fresh(Post, post.id).hidden_at is None
    # Hidden a second time: editing no longer unhides it.
    rules.hide(fresh(ReviewItem, item.id), handler_for("discuss.post"),
                  handler_for("discuss.post").load(post.id))  # fmt: skip
    db.session.commit()
    item = fresh(ReviewItem, item.id)
    assert item.hide_count == 2
    item.hidden_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert _edit(client, post, "A third version of the same thing.").status_code == 302
    assert fresh(Post, post.id).hidden_at is not None


def test_someone_elses_edit_does_not_unhide(app, client, login, thread):
    _topic, posts = thread
    item = _hidden_by_flags(posts[1].id)
    item.hidden_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    login(factories.moderator())
    assert _edit(client, posts[1], "A moderator's careful rewording.").status_code == 302
    assert fresh(Post, posts[1].id).hidden_at is not None


def test_agreeing_and_deleting_with_replies_from_the_queue(app, thread):
    _topic, posts = thread
    item = _hidden_by_flags(posts[1].id)
    decisions.decide(factories.moderator(), item, "agree_delete_replies", version=item.version)
    db.session.commit()
    assert fresh(ReviewItem, item.id).status == ReviewStatus.DELETED
    assert all(fresh(Post, p.id).deleted_at is not None for p in posts[1:4])
    assert fresh(Post, posts[4].id).deleted_at is None


def test_disagreeing_restores_a_hidden_post(app, thread):
    _topic, posts = thread
    item = _hidden_by_flags(posts[1].id)
    decisions.decide(factories.moderator(), item, "disagree", version=item.version)
    db.session.commit()
    assert fresh(Post, posts[1].id).hidden_at is None


# --- category moderators ---------------------------------------------------------------------


@pytest.fixture
def moderated(make):
    """Two categories; the "stewards" group moderates the first, which stays open to all."""
    from space.accounts.models import Group

    stewards = factories.group("stewards")
    steward = factories.user("steward", trust_level=TrustLevel.MEMBER, locale="en")
    groups.add_member(stewards, steward)
    everyone = db.session.scalar(select(Group).where(Group.automatic_trust_level == 0))
    db.session.commit()
    garden = make.category("Garden", groups={stewards: Access.MODERATE, everyone: Access.CREATE})
    kitchen = make.category("Kitchen")
    return garden, kitchen, steward


def test_review_scopes_are_the_moderated_categories(app, moderated):
    garden, kitchen, steward = moderated
    assert moderation.review_scopes(steward) == [f"discuss.category:{garden.id}"]
    assert decisions.scopes(steward) == {f"discuss.category:{garden.id}"}
    assert moderation.review_scopes(factories.user(trust_level=TrustLevel.MEMBER)) == []
    assert decisions.scopes(factories.moderator("mod2")) == frozenset()


def test_an_open_category_with_moderators_stays_open(app, make, moderated):
    garden, _kitchen, _steward = moderated
    passer_by = factories.user(trust_level=TrustLevel.BASIC)
    assert can(passer_by, "topic.create", garden)
    make.topic(passer_by, garden)


def test_category_moderators_see_only_their_categories_in_review(app, client, login, make,
                                                                 moderated):  # fmt: skip
    garden, kitchen, steward = moderated
    in_garden = make.topic(title="Tomatoes are ripening early this year", category=garden)
    in_kitchen = make.topic(title="Bread rising slowly in winter", category=kitchen)
    flagger = factories.user(trust_level=TrustLevel.MEMBER)
    for topic in (in_garden, in_kitchen):
        first = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))
        services.flag(flagger, "discuss.post", first, "spam")
    db.session.commit()
    items = {i.snapshot["title"]: i for i in db.session.scalars(select(ReviewItem))}
    login(steward)
    page = client.get("/review/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Tomatoes are ripening" in text and "Bread rising" not in text
    kitchen_item = items[f"{in_kitchen.title} #1"]
    assert client.get(f"/review/{kitchen_item.id}").status_code == 404
    garden_item = items[f"{in_garden.title} #1"]
    assert client.get(f"/review/{garden_item.id}").status_code == 200
    # The steward decides on the garden's item: the handler deletes the post.
    decisions.decide(steward, garden_item, "agree_delete", version=garden_item.version)
    db.session.commit()
    assert fresh(Topic, in_garden.id).deleted_at is not None
    with pytest.raises(services.NotFound):
        decisions.decide(steward, kitchen_item, "agree_delete", version=kitchen_item.version)


def test_the_admin_category_page_offers_moderate(app, client, login, make):
    category = make.category("Garden")
    login(factories.admin(locale="en"))
    page = client.get(f"/discuss/admin/categories/{category.id}")
    assert f'value="{int(Access.MODERATE)}"' in page.get_data(as_text=True)


# --- trust level 3: flagged posts ------------------------------------------------------------


def _agreed_items(person, n, *, days_ago=1, status=ReviewStatus.APPROVED, reason="flagged"):
    for k in range(n):
        db.session.add(ReviewItem(item_type="discuss.post", item_id=10_000 + k,
                                  target_user_id=person.id, status=status, reason=reason,
                                  created_at=utcnow() - timedelta(days=days_ago)))  # fmt: skip
    db.session.commit()


@pytest.mark.parametrize(
    ("items", "promoted"),
    [
        ({"n": 5}, True),
        ({"n": 6}, False),
        ({"n": 6, "status": ReviewStatus.DELETED}, False),
        ({"n": 6, "status": ReviewStatus.REJECTED}, True),  # moderators disagreed
        ({"n": 6, "reason": "held"}, True),  # held by watched words: not flags
        ({"n": 6, "days_ago": 101}, True),  # outside the window
    ],
)
def test_level_3_counts_agreed_flagged_posts_in_the_window(app, make, items, promoted):
    from plugins.discuss.services import trust
    from tests.discuss.test_trust_regular import build

    person = build(make, flagged=0)
    _agreed_items(person, **items)
    trust.recompute()
    db.session.commit()
    assert (person.trust_level == TrustLevel.REGULAR) is promoted
    shown = {i.requirement.stat: i.value for i in trust.progress(person).items}
    assert shown["flagged_posts"] == (items["n"] if not promoted or items["n"] == 5 else 0)
