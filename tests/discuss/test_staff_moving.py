"""Splitting and merging topics: numbering at the destination, "in reply to" links,
counters of both topics and both categories, the accepted answer, and who may."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from plugins.discuss.models import Category, Post, Topic, TopicUser
from plugins.discuss.services import moving
from plugins.discuss.services.posting import DiscussError
from space.audit import AuditEntry
from space.db import db
from space.trust import TrustLevel
from tests import factories


@pytest.fixture
def leader(app, login):
    person = factories.user(trust_level=TrustLevel.LEADER)
    login(person)
    return person


def _posts(topic_id) -> dict[int, Post]:
    db.session.expire_all()
    rows = db.session.scalars(select(Post).where(Post.topic_id == topic_id))
    return {post.post_number: post for post in rows}


def _fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def _thread(make, category=None):
    """Post 1 by the author; 2 by Ann; 3 by Bob answering 2; 4 by Ann answering 1; 5 by Cy
    answering 3 — written in that order, a minute apart."""
    author, ann, bob, cy = (factories.user(trust_level=TrustLevel.MEMBER) for _ in range(4))
    topic = make.topic(author, category)
    make.reply(topic, ann)
    make.reply(topic, bob, reply_to=2)
    make.reply(topic, ann, reply_to=1)
    make.reply(topic, cy, reply_to=3)
    base = _posts(topic.id)[1].created_at
    for number, post in _posts(topic.id).items():
        post.created_at = base + timedelta(minutes=number)
    db.session.commit()
    return _fresh(Topic, topic.id), (author, ann, bob, cy)


def test_split_into_a_new_topic(make, post, leader):
    there = make.category("There")
    topic, (author, ann, bob, cy) = _thread(make)
    source_category = topic.category_id
    response = post(f"/discuss/t/{topic.id}/split", {
        "posts": ["3", "5"], "mode": "new", "title": "The side discussion, split out",
        "category": str(there.id)})  # fmt: skip
    assert response.status_code == 302
    new = db.session.scalar(select(Topic).where(Topic.id != topic.id))
    assert response.headers["Location"].endswith(f"/t/{new.slug}/{new.id}")
    assert (new.user_id, new.category_id, new.title) == (
        bob.id,
        there.id,
        "The side discussion, split out",
    )
    moved = _posts(new.id)
    assert [(n, p.user_id, p.reply_to_post_number) for n, p in sorted(moved.items())] == [
        (1, bob.id, None),
        (2, cy.id, 1),
    ]  # 3 answered 2, which stayed: a plain post now
    assert moved[1].reply_count == 1
    assert (new.post_count, new.highest_post_number, new.participant_count) == (2, 2, 2)
    assert new.last_posted_at == moved[2].created_at == new.bumped_at
    assert new.last_post_user_id == cy.id and new.answered

    stayed = _posts(topic.id)
    topic = _fresh(Topic, topic.id)
    assert sorted(stayed) == [1, 2, 4]
    assert stayed[2].reply_count == 0 and stayed[1].reply_count == 1
    assert (topic.post_count, topic.highest_post_number, topic.participant_count) == (3, 5, 2)
    assert topic.last_posted_at == stayed[4].created_at and topic.last_post_user_id == ann.id

    source, target = _fresh(Category, source_category), _fresh(Category, there.id)
    assert (source.topic_count, source.post_count) == (1, 2)
    assert (target.topic_count, target.post_count) == (1, 1)
    assert db.session.scalar(
        select(TopicUser.posted).where(TopicUser.topic_id == new.id, TopicUser.user_id == cy.id)
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "discuss.topic.split"))
    assert entry.target_id == topic.id and entry.details["to"] == new.id


def test_split_a_range_into_an_existing_topic(make, post, leader, client):
    topic, _people = _thread(make)
    other = make.topic(category=make.category("Elsewhere"))
    make.reply(other)
    link = f"http://localhost/discuss/t/{other.slug}/{other.id}?page=1"
    response = post(
        f"/discuss/t/{topic.id}/split", {"from": "2", "to": "3", "mode": "existing", "topic": link}
    )
    assert response.status_code == 302
    moved = _posts(other.id)
    assert sorted(moved) == [1, 2, 3, 4]
    assert moved[3].reply_to_post_number is None and moved[4].reply_to_post_number == 3
    assert moved[3].reply_count == 1
    other = _fresh(Topic, other.id)
    assert (other.post_count, other.highest_post_number) == (4, 4)
    stayed = _posts(topic.id)
    assert sorted(stayed) == [1, 4, 5]
    assert stayed[5].reply_to_post_number is None  # its parent (3) went away
    assert _fresh(Category, other.category_id).post_count == 3
    assert _fresh(Category, topic.category_id).post_count == 2
    # Numbers keep growing after a move: the next reply is 6, not a reused number.
    assert make.reply(_fresh(Topic, topic.id)).post_number == 6


def test_the_accepted_answer_moves_with_its_post(make, leader):
    qa = make.category("Questions", accepts_answers=True)
    topic, _people = _thread(make, qa)
    other = make.topic(category=qa)
    answer = _posts(topic.id)[4]
    topic.accepted_post_id = answer.id
    db.session.commit()
    from flask import current_app

    with current_app.test_request_context():
        moving.split(leader, topic, [4], destination=other)
    db.session.commit()
    assert _fresh(Topic, topic.id).accepted_post_id is None
    assert _fresh(Topic, other.id).accepted_post_id == answer.id
    assert _fresh(Post, answer.id).post_number == 2


def test_merge_moves_every_post_and_closes_the_topic(make, post, leader):
    topic, (author, ann, bob, cy) = _thread(make)
    other = make.topic(category=make.category("Elsewhere"))
    response = post(f"/discuss/t/{topic.id}/merge", {"topic": str(other.id)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{other.slug}/{other.id}")
    moved = _posts(other.id)
    assert sorted(moved) == [1, 2, 3, 4, 5, 6]
    assert [moved[n].user_id for n in range(2, 7)] == [author.id, ann.id, bob.id, ann.id, cy.id]
    assert [moved[n].reply_to_post_number for n in range(2, 7)] == [None, None, 3, 2, 4]
    other = _fresh(Topic, other.id)
    assert (other.post_count, other.participant_count) == (6, 5)
    source = _fresh(Topic, topic.id)
    assert source.closed and not source.listed
    [note] = _posts(topic.id).values()
    assert note.post_number == 6 and note.user_id == leader.id
    assert f"/t/{other.slug}/{other.id}" in note.cooked
    assert (source.post_count, source.highest_post_number) == (1, 6)
    assert _fresh(Category, topic.category_id).post_count == 0
    assert _fresh(Category, other.category_id).post_count == 5
    assert db.session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == "discuss.topic.merge")
    )


def test_refusals_keep_what_was_typed(make, post, leader):
    topic, _people = _thread(make)
    split = f"/discuss/t/{topic.id}/split"
    hidden = make.topic(category=make.category("Hidden", groups={factories.group(): 3}))
    cases = [
        {"posts": ["1", "2"], "mode": "new", "title": "Taking the first post too"},
        {"posts": [], "mode": "new", "title": "Nothing selected at all"},
        {"posts": ["2"], "mode": "new", "title": "short"},
        {"posts": ["2"], "mode": "existing", "topic": str(topic.id)},
        {"posts": ["2"], "mode": "existing", "topic": str(hidden.id)},
        {"posts": ["2"], "mode": "existing", "topic": "99999"},
        {"posts": ["x"], "mode": "new", "title": "A bad post number here"},
        {"from": "3", "mode": "new", "title": "Half a range is not a range"},
        {"from": "4", "to": "2", "mode": "new", "title": "A range the wrong way round"},
    ]
    for data in cases:
        response = post(split, data)
        assert response.status_code == 422, data
        html = response.get_data(as_text=True)
        assert 'id="split-error"' in html
        if data.get("title"):
            assert f'value="{data["title"]}"' in html
    # A missing topic and a hidden one read the same.
    missing = post(split, cases[5]).get_data(as_text=True)
    assert post(split, cases[4]).get_data(as_text=True).count("split-error") == missing.count(
        "split-error"
    )
    assert sorted(_posts(topic.id)) == [1, 2, 3, 4, 5]
    merge = f"/discuss/t/{topic.id}/merge"
    for target in ("", str(topic.id), str(hidden.id), "nonsense"):
        response = post(merge, {"topic": target})
        assert response.status_code == 422
        assert 'id="merge-error"' in response.get_data(as_text=True)


def test_regulars_cannot_split_or_merge(make, client, login, post):
    topic, _people = _thread(make)
    login(factories.user(trust_level=TrustLevel.REGULAR))
    assert client.get(f"/discuss/t/{topic.id}/split").status_code == 403
    assert post(f"/discuss/t/{topic.id}/merge", {"topic": "1"}).status_code == 403


def test_the_split_page_lists_posts_in_pages_at_a_fixed_cost(make, client, leader, count_queries):
    topic, _people = _thread(make)
    path = f"/discuss/t/{topic.id}/split"
    client.get(path)
    with count_queries() as small:
        html = client.get(path).get_data(as_text=True)
    assert 'name="posts" value="5"' in html and 'name="posts" value="1"' not in html
    for _ in range(55):
        make.reply(_fresh(Topic, topic.id))
    with count_queries() as large:
        html = client.get(path).get_data(as_text=True)
    assert large.count == small.count
    assert 'name="posts" value="50"' in html and 'name="posts" value="51"' not in html
    assert 'name="posts" value="51"' in client.get(path + "?page=2").get_data(as_text=True)
    assert client.get(path + "?page=abc").status_code == 400


def test_moving_needs_a_category_one_may_create_in(make, app, leader):
    topic, _people = _thread(make)
    secret = make.category("Secret", groups={factories.group(): 3})
    with app.test_request_context(), pytest.raises(DiscussError):
        moving.split(leader, _fresh(Topic, topic.id), [2], title="Into the secret room",
                     category=secret)  # fmt: skip
