"""Discuss in the core search: topic and post documents, privacy, filters, in:bookmarks,
re-indexing after changes and the full reindex."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plugins.discuss.models import Access, Post, Topic
from plugins.discuss.services import indexing, social
from space import search
from space.db import db, utcnow
from space.trust import TrustLevel
from tests import factories


def find(text, user=None, **kwargs):
    parsed = search.restrict(search.parse(text, known_types=search.types(), **kwargs), user)
    return search.backend().search(parsed, search.principals(user), 1, 50)


def keys(results) -> set[str]:
    return {hit.key for hit in results.hits}


def page(client, q, **args):
    response = client.get("/search", query_string={"q": q, **args})
    return response.status_code, response.get_data(as_text=True)


@pytest.fixture
def ada(app):
    return factories.user("ada", trust_level=TrustLevel.MEMBER, locale="en")


@pytest.fixture
def private(app, make):
    """A category for the members of "crew": (category, crew, a member)."""
    from space.accounts import groups

    crew = factories.group("crew")
    crewmate = factories.user("crewmate", trust_level=TrustLevel.MEMBER, locale="en")
    groups.add_member(crew, crewmate)
    db.session.commit()
    return make.category("Backstage", groups={crew: Access.CREATE}), crew, crewmate


def test_types_are_registered_with_labels(app):
    kinds = search.types()
    assert {"topic", "post"} <= kinds.keys()
    assert str(kinds["topic"].label) == "Topics" and str(kinds["post"].label) == "Posts"


def test_a_topic_and_its_replies_are_documents(app, make, ada):
    category = make.category("Meetups", accepts_answers=True)
    # Tags need trust level 3 to be created.
    leader = factories.user("leila", trust_level=TrustLevel.REGULAR)
    topic = make.topic(
        leader,
        category,
        title="Planning the Lisbon edit-a-thon",
        raw="We need **volunteers** for the welcome desk.",
        tags=["lisbon"],
    )
    reply = make.reply(topic, ada, raw="Count me in for the welcome desk shift!")
    hits = {hit.key: hit for hit in find("welcome desk").hits}
    assert set(hits) == {f"topic:{topic.id}", f"post:{reply.id}"}
    first = hits[f"topic:{topic.id}"]
    assert first.title == "Planning the Lisbon edit-a-thon"
    assert first.url == f"/discuss/t/{topic.slug}/{topic.id}"
    assert first.author == "leila" and first.category == category.slug
    assert first.tags == ("lisbon",) and first.status == "unsolved"
    assert "<strong>" not in str(first.snippet), "plain text, not HTML"
    answer = hits[f"post:{reply.id}"]
    assert answer.title == topic.title and answer.author == "ada"
    assert answer.url == f"/discuss/p/{reply.id}" and answer.tags == ("lisbon",)
    assert find("welcome desk", type_name="post").total == 1


def test_status_follows_the_accepted_answer(app, make, ada):
    category = make.category("Questions", accepts_answers=True)
    asker = factories.user("asker", trust_level=TrustLevel.MEMBER)
    topic = make.topic(asker, category, title="How do I upload a photo?")
    answer = make.reply(topic, ada, raw="Use the upload wizard from the sidebar.")
    other = make.topic(asker, category, title="Where is the photo contest?")
    plain = make.topic(asker, make.category("Chat"), title="Photo walk this Sunday!")
    social.accept_answer(asker, db.session.get(Post, answer.id))
    db.session.commit()
    assert keys(find("photo status:solved")) == {f"topic:{topic.id}"}
    assert keys(find("photo status:unsolved")) == {f"topic:{other.id}"}
    assert f"topic:{plain.id}" in keys(find("photo"))


def test_filters_by_user_category_tag_and_dates(app, make, ada):
    leader = factories.user("leila", trust_level=TrustLevel.REGULAR)
    events = make.category("Events")
    topic = make.topic(leader, events, title="Translation sprint in Dakar", tags=["sprint"])
    reply = make.reply(topic, ada, raw="I can translate into Wolof during the sprint.")
    make.topic(ada, make.category("General"), title="Another translation question")
    assert keys(find("translat user:ada")) == {f"post:{reply.id}", *keys(find("user:ada another"))}
    assert keys(find("translation category:events")) == {f"topic:{topic.id}", f"post:{reply.id}"}
    assert keys(find("tag:sprint")) == {f"topic:{topic.id}", f"post:{reply.id}"}
    today = utcnow().date()
    assert find(f"sprint after:{today}").total == 2
    assert find(f"sprint before:{today}").total == 0
    assert find(f"sprint before:{today + timedelta(days=1)}").total == 2


def test_private_categories_stay_private_on_the_search_page(
    app, client, login, post, make, private
):
    category, _crew, crewmate = private
    topic = make.topic(
        crewmate,
        category,
        title="Budget for the summit",
        raw="The secret budget for the regional summit.",
    )
    reply = make.reply(topic, crewmate, raw="Second secret summit detail here.")
    make.topic(
        crewmate,
        make.category("Open"),
        title="Public summit news",
        raw="Everyone may read about the summit.",
    )
    queries = [
        ("summit", {}),
        ("summit", {"type": "topic"}),
        ("summit", {"type": "post"}),
        ("summit type:post", {}),
        ("secret", {}),
        (f"category:{category.slug}", {}),
    ]
    # Anonymous readers and signed-in outsiders find only the public topic.
    outsider = factories.user("outsider", trust_level=TrustLevel.LEADER, locale="en")
    for who in (None, outsider):
        if who is not None:
            login(who)
        for q, args in queries:
            status, html = page(client, q, **args)
            assert status == 200
            assert "Budget for the summit" not in html and "summit detail" not in html, (who, q)
        assert "Public summit news" in page(client, "summit")[1]
    post("/logout")
    # Members and staff find it.
    for who in (crewmate, factories.moderator(locale="en"), factories.admin(locale="en")):
        results = find("summit", who)
        assert {f"topic:{topic.id}", f"post:{reply.id}"} <= keys(results), who
    login(crewmate)
    status, html = page(client, "summit", type="post")
    assert status == 200 and "Budget for the summit" in html


def test_unlisted_topics_and_hidden_or_deleted_posts_are_not_found(app, make, ada):
    topic = make.topic(ada, title="Unlisted planning thread", raw="Quiet planning for the gala.")
    reply = make.reply(topic, raw="A reply about the gala dinner.")
    other = make.reply(topic, raw="Another gala reply, hidden later.")
    assert find("gala").total == 3
    hidden = db.session.get(Post, other.id)
    hidden.hidden_at = utcnow()
    indexing.queue_post(hidden, db.session.get(Topic, topic.id))
    db.session.commit()
    assert keys(find("gala")) == {f"topic:{topic.id}", f"post:{reply.id}"}
    found = db.session.get(Topic, topic.id)
    found.listed = False
    indexing.queue_topic(found)
    db.session.commit()
    assert find("gala").total == 0
    found.listed = True
    indexing.queue_topic(found)
    db.session.commit()
    assert keys(find("gala")) == {f"topic:{topic.id}", f"post:{reply.id}"}
    indexing.remove_topic(found)
    db.session.commit()
    assert find("gala").total == 0


def test_deleting_a_first_post_takes_the_whole_topic_away(app, make, ada):
    from plugins.discuss.services import editing

    topic = make.topic(ada, title="A topic about the kayak trip", raw="Kayak trip on Saturday.")
    make.reply(topic, raw="Kayak reply, with paddles.")
    assert find("kayak").total == 2
    first = db.session.scalar(
        db.select(Post).where(Post.topic_id == topic.id, Post.post_number == 1)
    )
    editing.delete_post(first, ada)
    db.session.commit()
    assert find("kayak").total == 0


def test_moving_a_topic_into_a_private_category_hides_its_posts(app, make, ada, private):
    category, _crew, _crewmate = private
    topic = make.topic(ada, title="Venue options for the hackathon")
    reply = make.reply(topic, raw="The library has a big hackathon room.")
    assert find("hackathon", ada).total == 2
    moved = db.session.get(Topic, topic.id)
    moved.category_id = category.id
    indexing.queue_topic(moved)
    db.session.commit()
    assert find("hackathon", ada).total == 0
    assert f"post:{reply.id}" in keys(find("hackathon", factories.admin()))


def test_a_restricted_subcategory_of_a_restricted_parent_needs_both(app, make):
    from space.accounts import groups

    outer, inner = factories.group("outer"), factories.group("inner")
    both, only_inner = factories.user("both"), factories.user("only_inner")
    groups.add_member(outer, both)
    groups.add_member(inner, both)
    groups.add_member(inner, only_inner)
    db.session.commit()
    parent = make.category("Council", groups={outer: Access.CREATE, inner: Access.CREATE})
    child = make.category("Council secrets", parent=parent, groups={inner: Access.CREATE})
    admin = factories.admin()
    make.topic(admin, child, title="Only for council insiders")
    assert find("insiders", both).total == 1
    assert find("insiders", only_inner).total == 1, "inner may see the parent too"
    assert find("insiders", factories.user("nobody")).total == 0
    # Disjoint groups: an acl cannot say "in both", so only staff find it (never a leak).
    strict = make.category("Strict", groups={outer: Access.CREATE})
    sub = make.category("Strict inner", parent=strict, groups={inner: Access.CREATE})
    make.topic(admin, sub, title="Strictly for both groups")
    assert find("strictly", only_inner).total == 0, "not in the parent's group"
    assert find("strictly", both).total == 0
    assert find("strictly", factories.moderator()).total == 1


def test_in_bookmarks_narrows_to_what_the_asker_bookmarked(app, client, login, make, ada):
    topic = make.topic(title="Poster ideas for the festival", raw="Festival poster drafts.")
    reply = make.reply(topic, raw="Festival poster with a bicycle.")
    make.reply(topic, raw="Festival poster with a tree.")
    other = make.topic(title="Another festival question", raw="Festival parking, anyone know?")
    first = db.session.scalar(db.select(Post).where(Post.topic_id == other.id))
    social.bookmark(ada, db.session.get(Post, reply.id))
    social.bookmark(ada, first)
    db.session.commit()
    assert keys(find("festival in:bookmarks", ada)) == {f"post:{reply.id}", f"topic:{other.id}"}
    assert keys(find("in:bookmarks", ada)) == {f"post:{reply.id}", f"topic:{other.id}"}
    assert find("festival in:bookmarks", factories.user("bob")).total == 0
    assert find("festival in:bookmarks").total == 0, "anonymous readers have no bookmarks"
    assert find("festival").total == 4
    login(ada)
    status, html = page(client, "festival in:bookmarks")
    assert status == 200 and "bicycle" in html and "tree" not in html


def test_reindex_rebuilds_discuss_documents(app, make, runner, private):
    category, _crew, _crewmate = private
    topic = make.topic(title="Reindexed meetup topic", raw="Meetup agenda and snacks.")
    make.reply(topic, raw="Meetup reply about snacks.")
    hidden_topic = make.topic(category=category, title="Private meetup topic")
    unlisted = make.topic(title="Unlisted meetup topic")
    db.session.get(Topic, unlisted.id).listed = False
    db.session.commit()
    search.backend().clear()
    result = runner.invoke(args=["space", "reindex"])
    assert result.exit_code == 0, result.output
    assert {h.title for h in find("meetup").hits} == {"Reindexed meetup topic"}
    admin = factories.admin()
    assert f"topic:{hidden_topic.id}" in keys(find("meetup", admin))
    assert f"topic:{unlisted.id}" not in keys(find("meetup", admin))


def test_reindex_costs_a_fixed_number_of_queries(app, make, count_queries):
    def cost():
        with count_queries() as counter:
            docs = list(indexing.all_documents(batch=100))
        return counter.count, len(docs)

    category = make.category()
    for _ in range(2):
        make.reply(make.topic(category=category))
    small, n_small = cost()
    other = make.category()
    for _ in range(6):
        topic = make.topic(category=other, tags=())
        make.reply(topic)
        make.reply(topic)
    large, n_large = cost()
    assert n_large > n_small
    assert large == small


def test_queue_topic_costs_a_fixed_number_of_queries(app, make, count_queries):
    def cost(size):
        topic = make.topic()
        for _ in range(size):
            make.reply(topic)
        found = db.session.get(Topic, topic.id)
        with count_queries() as counter:
            indexing.queue_topic(found)
        db.session.rollback()
        return counter.count

    assert cost(1) == cost(5)
