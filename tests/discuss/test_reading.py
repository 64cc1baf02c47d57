"""Reading Discuss: topic lists, the categories page, topic pages, threads, likers and read
reports, for anonymous readers, new users, members, staff and outsiders of private
categories."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from plugins.discuss.models import Access, Post, PostLike, Tag, Topic, TopicUser
from plugins.discuss.services import reading, topic_lists
from space.db import db, utcnow
from space.trust import TrustLevel
from tests import factories
from tests.conftest import csrf_token


def topic_url(topic, **query):
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/discuss/t/{topic.slug}/{topic.id}" + (f"?{suffix}" if suffix else "")


@pytest.fixture
def world(make):
    """An open category with a topic and replies, a Q&A category, a private category for
    one group (with a topic), and the people who read them."""
    member = factories.user("member", trust_level=TrustLevel.MEMBER)
    newcomer = factories.user("newcomer", trust_level=TrustLevel.NEW)
    insider = factories.user("insider", trust_level=TrustLevel.MEMBER)
    group = factories.group("crew", members=[insider])
    db.session.add(Tag(name="hello"))
    general = make.category("General")
    qa = make.category("Questions", accepts_answers=True)
    private = make.category("Crew room", groups={group: Access.CREATE})
    topic = make.topic(member, general, title="Welcome to the open forum", tags=["hello"])
    first = make.reply(topic)
    make.reply(topic, reply_to=first.post_number)
    question = make.topic(member, qa, title="How do I join the crew here?")
    secret = make.topic(insider, private, title="Secret plans of the crew", tags=["hello"])
    make.reply(secret, insider)
    return {
        "member": member, "newcomer": newcomer, "insider": insider, "group": group,
        "general": general, "qa": qa, "private": private, "topic": topic, "first": first,
        "question": question, "secret": secret,
    }  # fmt: skip


LISTS = ["/discuss/", "/discuss/top", "/discuss/unsolved", "/discuss/categories",
         "/discuss/tag/hello", "/discuss/top?period=all"]  # fmt: skip


@pytest.mark.parametrize("who", ["anonymous", "newcomer", "member"])
def test_lists_and_topic_pages_for_outsiders_hide_the_private_category(client, login, world, who):
    if who != "anonymous":
        login(world[who])
    for path in LISTS:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert "Secret plans" not in html and "Crew room" not in html, path
    latest = client.get("/discuss/").get_data(as_text=True)
    assert "Welcome to the open forum" in latest and "How do I join" in latest
    assert "How do I join" in client.get("/discuss/unsolved").get_data(as_text=True)
    assert "Welcome to the open forum" not in client.get("/discuss/unsolved").get_data(as_text=True)
    secret, private = world["secret"], world["private"]
    assert client.get(topic_url(secret)).status_code == 404
    assert client.get(f"/discuss/c/{private.slug}").status_code == 404
    reply = db.session.scalar(select(Post).where(Post.topic_id == secret.id,
                                                 Post.post_number == 2))  # fmt: skip
    for path in (f"/discuss/p/{reply.id}", f"/discuss/p/{reply.id}/replies",
                 f"/discuss/p/{reply.id}/parent", f"/discuss/p/{reply.id}/likes"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    page = client.get(topic_url(world["topic"]))
    assert page.status_code == 200
    assert "Welcome to the open forum" in page.get_data(as_text=True)
    assert client.get(f"/discuss/c/{world['general'].slug}").status_code == 200


@pytest.mark.parametrize("who", ["insider", "moderator", "admin"])
def test_members_of_the_group_and_staff_see_the_private_category(client, login, world, who):
    person = world.get(who) or (factories.moderator() if who == "moderator" else factories.admin())
    login(person)
    for path in ("/discuss/", "/discuss/categories", "/discuss/tag/hello",
                 f"/discuss/c/{world['private'].slug}"):  # fmt: skip
        html = client.get(path).get_data(as_text=True)
        assert "Secret plans" in html or "Crew room" in html, path
    assert "Secret plans" in client.get("/discuss/").get_data(as_text=True)
    page = client.get(topic_url(world["secret"]))
    assert page.status_code == 200
    assert "Secret plans of the crew" in page.get_data(as_text=True)


def test_category_counts_leave_private_categories_out(app, world):
    with app.test_request_context():
        cards = {c.category.slug: c for c in topic_lists.category_overview(world["member"])}
        assert world["private"].slug not in cards
        assert cards[world["general"].slug].topic_count == 1
        assert cards[world["general"].slug].post_count == 3
        assert cards[world["general"].slug].latest.id == world["topic"].id
    with app.test_request_context():
        cards = {c.category.slug: c for c in topic_lists.category_overview(world["insider"])}
        assert cards[world["private"].slug].latest.id == world["secret"].id


def test_sub_categories_roll_up_into_their_parent(app, make, client):
    parent = make.category("Events")
    child = make.category("Meetups", parent=parent)
    topic = make.topic(category=child, title="Meetup in Lyon next week")
    html = client.get(f"/discuss/c/{parent.slug}").get_data(as_text=True)
    assert "Meetup in Lyon next week" in html
    with app.test_request_context():
        cards = {c.category.slug: c for c in topic_lists.category_overview(factories.user())}
        assert child.slug not in cards  # shown under its parent
        card = cards[parent.slug]
        assert [c.id for c in card.children] == [child.id]
        assert card.topic_count == 1 and card.latest.id == topic.id
    page = client.get(topic_url(topic)).get_data(as_text=True)
    assert f"/discuss/c/{parent.slug}" in page  # breadcrumbs


def test_latest_puts_pinned_topics_first_until_their_date(app, make):
    category = make.category()
    old = make.topic(category=category, title="An old pinned announcement")
    expired = make.topic(category=category, title="A pin that has run out")
    fresh = make.topic(category=category, title="The freshest discussion")
    now = utcnow()
    db.session.get(Topic, old.id).pinned_at = now
    db.session.get(Topic, old.id).bumped_at = now - timedelta(days=30)
    db.session.get(Topic, expired.id).pinned_at = now - timedelta(days=3)
    db.session.get(Topic, expired.id).pinned_until = now - timedelta(days=1)
    db.session.get(Topic, expired.id).bumped_at = now - timedelta(days=20)
    db.session.commit()
    with app.test_request_context():
        ids = [t.id for t in topic_lists.latest(factories.user()).topics]
        assert ids == [old.id, fresh.id, expired.id]
        ids = [t.id for t in topic_lists.category_topics(factories.user(), category).topics]
        assert ids[0] == old.id


def test_unlisted_and_deleted_topics_stay_out_of_lists(app, make, client):
    category = make.category()
    hidden = make.topic(category=category, title="An unlisted topic reachable by link")
    gone = make.topic(category=category, title="A deleted topic nobody sees")
    db.session.get(Topic, hidden.id).listed = False
    db.session.get(Topic, gone.id).deleted_at = utcnow()
    db.session.commit()
    html = client.get("/discuss/").get_data(as_text=True)
    assert "An unlisted topic" not in html and "A deleted topic" not in html
    assert client.get(topic_url(hidden)).status_code == 200
    assert client.get(topic_url(gone)).status_code == 404


def test_top_orders_by_likes_and_posts_within_the_period(app, make, client):
    category = make.category()
    quiet = make.topic(category=category, title="A quiet topic of this month")
    busy = make.topic(category=category, title="A busy topic of this month")
    ancient = make.topic(category=category, title="An ancient busy topic")
    db.session.get(Topic, busy.id).like_count = 5
    db.session.get(Topic, ancient.id).like_count = 50
    db.session.get(Topic, ancient.id).created_at = utcnow() - timedelta(days=400)
    db.session.commit()
    with app.test_request_context():
        ids = [t.id for t in topic_lists.top(factories.user(), "month").topics]
        assert ids == [busy.id, quiet.id]
        ids = [t.id for t in topic_lists.top(factories.user(), "all").topics]
        assert ids[0] == ancient.id
    assert client.get("/discuss/top?period=decade").status_code == 400
    html = client.get("/discuss/top?period=year").get_data(as_text=True)
    assert "A busy topic" in html and "An ancient busy topic" not in html


def test_unread_and_new_badges(app, make, client, login):
    reader = factories.user("reader", trust_level=TrustLevel.MEMBER)
    category = make.category()
    seen = make.topic(category=category, title="A topic the reader entered")
    unseen = make.topic(category=category, title="A topic the reader never opened")
    make.reply(seen)
    make.reply(seen)
    db.session.add(TopicUser(user_id=reader.id, topic_id=seen.id, last_read_post_number=1))
    db.session.commit()
    login(reader)
    html = client.get("/discuss/").get_data(as_text=True)
    row = re.search(rf'data-topic-id="{seen.id}".*?</tr>', html, re.S).group(0)
    assert 'class="pill pill-unread"' in row and ">2<" in row
    row = re.search(rf'data-topic-id="{unseen.id}".*?</tr>', html, re.S).group(0)
    assert "pill-new" in row
    # Anonymous readers get neither.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    html = client.get("/discuss/").get_data(as_text=True)
    assert "pill-new" not in html and "pill-unread" not in html


def test_tag_and_category_pages(client, world):
    assert client.get("/discuss/tag/no-such-tag").status_code == 404
    assert client.get("/discuss/c/no-such-category").status_code == 404
    html = client.get(f"/discuss/c/{world['general'].slug}").get_data(as_text=True)
    assert "Welcome to the open forum" in html and "How do I join" not in html
    assert client.get("/discuss/?page=2").status_code == 404
    assert client.get("/discuss/?page=abc").status_code == 400


def test_empty_lists_invite_to_start_a_topic(app, make, client, login):
    category = make.category("Empty room")
    assert "No topics yet" in client.get("/discuss/").get_data(as_text=True)
    login(factories.user(trust_level=TrustLevel.MEMBER))
    html = client.get(f"/discuss/c/{category.slug}").get_data(as_text=True)
    assert "No topics yet" in html
    assert f"/discuss/new?category={category.slug}" in html


# --- the topic page --------------------------------------------------------------------------


def test_topic_page_shows_posts_and_redirects_to_its_canonical_address(client, world):
    topic, first = world["topic"], world["first"]
    response = client.get(f"/discuss/t/wrong-slug/{topic.id}?page=1")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/discuss/t/{topic.slug}/{topic.id}")
    html = client.get(topic_url(topic)).get_data(as_text=True)
    for number in (1, 2, 3):
        assert f'id="post-{number}"' in html
    assert f'data-expand="/discuss/p/{first.id}/replies"' in html  # "1 reply" on post 2
    assert client.get(topic_url(topic, page=2)).status_code == 404
    assert client.get(topic_url(topic, page="x")).status_code == 400
    assert client.get(f"/discuss/t/{topic.slug}/999999").status_code == 404
    # Anonymous readers get no read reports.
    assert "data-read-url" not in html


def test_topic_pages_paginate_and_post_links_find_the_page(app, make, client):
    from plugins.discuss import settings

    settings.put("posts_per_page", 5)
    db.session.commit()
    topic = make.topic()
    posts = [make.reply(topic) for _ in range(6)]
    html = client.get(topic_url(topic, page=2)).get_data(as_text=True)
    assert 'id="post-6"' in html and 'id="post-7"' in html and 'id="post-5"' not in html
    assert client.get(topic_url(topic, page=3)).status_code == 404
    response = client.get(f"/discuss/p/{posts[-1].id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/discuss/t/{topic.slug}/{topic.id}?page=2#post-7"
    )
    response = client.get(f"/discuss/p/{posts[0].id}")
    assert response.headers["Location"].endswith(f"/discuss/t/{topic.slug}/{topic.id}#post-2")


def test_slug_redirect_keeps_the_page(app, make, client):
    from plugins.discuss import settings

    settings.put("posts_per_page", 5)
    db.session.commit()
    topic = make.topic()
    for _ in range(6):
        make.reply(topic)
    response = client.get(f"/discuss/t/old/{topic.id}?page=2")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/discuss/t/{topic.slug}/{topic.id}?page=2")


def test_deleted_and_hidden_posts_show_placeholders_to_others(app, make, client, login):
    author = factories.user("author", trust_level=TrustLevel.MEMBER)
    topic = make.topic()
    deleted = make.reply(topic, author, raw="A reply that its author deleted later on.")
    hidden = make.reply(topic, author, raw="A reply that the community flagged away.")
    db.session.get(Post, deleted.id).deleted_at = utcnow()
    db.session.get(Post, hidden.id).hidden_at = utcnow()
    db.session.commit()
    html = client.get(topic_url(topic)).get_data(as_text=True)
    assert "This post was deleted." in html and "hidden by the community" in html
    assert "its author deleted later" not in html and "community flagged away" not in html
    login(author)
    html = client.get(topic_url(topic)).get_data(as_text=True)
    assert "community flagged away" in html and "its author deleted later" not in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(factories.moderator())
    html = client.get(topic_url(topic)).get_data(as_text=True)
    assert "community flagged away" in html and "its author deleted later" in html


def test_status_badges_and_the_accepted_answer(app, make, client):
    category = make.category(accepts_answers=True)
    topic = make.topic(category=category, title="Where do volunteers meet?")
    answer = make.reply(topic, raw="They meet every Tuesday at the library downtown.")
    row = db.session.get(Topic, topic.id)
    row.accepted_post_id = answer.id
    row.closed = True
    row.pinned_at = utcnow()
    db.session.commit()
    html = client.get(topic_url(topic)).get_data(as_text=True)
    assert "status-closed" in html and "status-pinned" in html and "status-solved" in html
    assert f'href="/discuss/p/{answer.id}"' in html
    assert "accepted-answer" in html and "every Tuesday" in html
    listed = client.get("/discuss/unsolved").get_data(as_text=True)
    assert "Where do volunteers meet?" not in listed


def test_in_reply_to_and_replies_fragments(app, make, client):
    topic = make.topic()
    first = make.reply(topic, raw="The parent reply that others will answer.")
    make.reply(topic)
    child = make.reply(topic, reply_to=first.post_number, raw="A child reply, far below.")
    html = client.get(topic_url(topic)).get_data(as_text=True)
    # "in reply to" is shown for post 4 (its parent is not just above it).
    assert f'data-expand="/discuss/p/{child.id}/parent"' in html
    assert f'href="#post-{first.post_number}"' in html
    fragment = client.get(f"/discuss/p/{first.id}/replies", headers={"X-Requested-With": "fetch"})
    assert fragment.status_code == 200
    text = fragment.get_data(as_text=True)
    assert "A child reply, far below." in text and "<html" not in text
    assert "<html" not in client.get(f"/discuss/p/{first.id}/replies?partial=1").get_data(
        as_text=True
    )
    full = client.get(f"/discuss/p/{first.id}/replies").get_data(as_text=True)
    assert "<html" in full and "A child reply, far below." in full
    parent = client.get(f"/discuss/p/{child.id}/parent", headers={"X-Requested-With": "fetch"})
    assert "The parent reply" in parent.get_data(as_text=True)
    assert "<html" in client.get(f"/discuss/p/{child.id}/parent").get_data(as_text=True)
    assert client.get(f"/discuss/p/{first.id}/parent").status_code == 404  # answers nothing
    assert client.get(f"/discuss/p/{first.id}/replies?page=2").status_code == 404


def test_replies_are_capped_with_a_more_link(app, make, client):
    topic = make.topic()
    first = make.reply(topic)
    rows = [
        Post(topic_id=topic.id, user_id=first.user_id, post_number=10 + n,
             reply_to_post_number=first.post_number, raw="x" * 30, cooked=f"<p>r{n}</p>")
        for n in range(reading.REPLIES_PER_PAGE + 3)
    ]  # fmt: skip
    db.session.add_all(rows)
    db.session.commit()
    text = client.get(f"/discuss/p/{first.id}/replies?partial=1").get_data(as_text=True)
    assert text.count('class="mini-post"') == reading.REPLIES_PER_PAGE
    assert f"/discuss/p/{first.id}/replies?page=2" in text
    page2 = client.get(f"/discuss/p/{first.id}/replies?page=2").get_data(as_text=True)
    assert page2.count('class="mini-post"') == 3 + 1  # the replies and the post itself


def test_likers(app, make, client):
    topic = make.topic()
    post = make.reply(topic)
    fans = [factories.user(f"fan{n}") for n in range(3)]
    for fan in fans:
        db.session.add(PostLike(post_id=post.id, user_id=fan.id, post_user_id=post.user_id))
    db.session.get(Post, post.id).like_count = 3
    db.session.commit()
    html = client.get(topic_url(topic)).get_data(as_text=True)
    assert f'href="/discuss/p/{post.id}/likes"' in html
    fragment = client.get(f"/discuss/p/{post.id}/likes", headers={"X-Requested-With": "fetch"})
    text = fragment.get_data(as_text=True)
    assert all(f"/u/{fan.username}" in text or fan.username in text for fan in fans)
    assert "<html" not in text
    assert "<html" in client.get(f"/discuss/p/{post.id}/likes").get_data(as_text=True)
    db.session.get(Post, post.id).deleted_at = utcnow()
    db.session.commit()
    assert client.get(f"/discuss/p/{post.id}/likes").status_code == 404


# --- reading reports and views ---------------------------------------------------------------


@pytest.fixture
def recorded(monkeypatch):
    """Calls to ``activity.record_topic_view`` (the TRUST helper's service)."""
    from plugins.discuss.services import activity

    calls = []
    original = activity.record_topic_view

    def spy(user, topic, highest, *, seconds=0):
        calls.append((user.id, topic.id, highest, seconds))
        return original(user, topic, highest, seconds=seconds)

    monkeypatch.setattr(activity, "record_topic_view", spy)
    return calls


def test_read_report(app, make, client, login, recorded):
    reader = factories.user("reader", trust_level=TrustLevel.BASIC)
    topic = make.topic()
    make.reply(topic)
    login(reader)
    html = client.get(topic_url(topic)).get_data(as_text=True)
    assert f'data-read-url="/discuss/t/{topic.id}/read"' in html
    assert recorded == [(reader.id, topic.id, 2, 0)]
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    url = f"/discuss/t/{topic.id}/read"
    headers = {"X-CSRFToken": token}
    response = client.post(url, json={"highest": 99, "seconds": 500}, headers=headers)
    assert response.status_code == 204
    assert recorded[-1] == (reader.id, topic.id, 2, 60)  # capped at the topic and a minute
    for body in (b"{not json", b"[]", b'{"highest": "x", "seconds": 1}', b'{"seconds": 3}',
                 b'{"highest": -1, "seconds": 3}', b'{"highest": true, "seconds": 3}'):  # fmt: skip
        response = client.post(url, data=body, content_type="application/json", headers=headers)
        assert response.status_code == 400, body
    assert len(recorded) == 2
    # Without the CSRF header the report is refused.
    assert client.post(url, json={"highest": 1, "seconds": 1}).status_code == 400
    assert (
        client.post("/discuss/t/999999/read", json={"highest": 1}, headers=headers).status_code
        == 404
    )


def test_read_report_of_a_private_topic_is_refused(client, login, world, recorded):
    login(world["member"])
    token = csrf_token(client, "/discuss/")
    response = client.post(
        f"/discuss/t/{world['secret'].id}/read",
        json={"highest": 1, "seconds": 5},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 404
    assert recorded == []


def test_views_count_anonymous_readers_and_first_visits(app, make, client, login, recorded):
    topic = make.topic()
    client.get(topic_url(topic))
    client.get(topic_url(topic))
    assert db.session.get(Topic, topic.id).view_count == 2
    reader = factories.user("reader")
    login(reader)
    client.get(topic_url(topic))
    assert db.session.get(Topic, topic.id).view_count == 3
    # Once the reader has a TopicUser row (the TRUST helper's service writes it), later
    # visits do not count again.
    if db.session.scalar(select(TopicUser).where(TopicUser.user_id == reader.id)) is None:
        db.session.add(TopicUser(user_id=reader.id, topic_id=topic.id))
        db.session.commit()
    client.get(topic_url(topic))
    assert db.session.get(Topic, topic.id).view_count == 3


def test_stylesheets_and_scripts_of_discuss_pages_are_served(client, world):
    html = client.get(topic_url(world["topic"])).get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="(/discuss/static/[^"]+)"', html)
    assert any(a.endswith("discuss.css") for a in assets)
    assert any(a.endswith("reading.js") for a in assets)
    for asset in assets:
        response = client.get(asset)
        response.close()
        assert response.status_code == 200, asset
