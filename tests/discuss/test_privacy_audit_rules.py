"""The privacy audit of Discuss, continued (see ``test_privacy_audit``): permission rules on
public content for non-staff (edit, delete, recover, accept, move), anonymous writes, and
deleted and unlisted topics."""

from __future__ import annotations

import re

import pytest

from plugins.discuss.models import Post, Topic
from plugins.discuss.services import editing
from space.db import db, utcnow
from tests import factories

from .test_privacy_audit import (
    API,
    SECRET,
    World,
    _first,
    _found,
    bearer,
    browser,
    build_world,
    html,
    outsiders,
    send,
    topic_url,
)


@pytest.fixture
def world(app, make) -> World:
    return build_world(make)


# --- permission rules on public content -------------------------------------------------------


def test_non_staff_cannot_edit_delete_or_recover_others_posts(app, world, make):
    topic = make.topic(
        world.member,
        world.lobby,
        title="Heron nesting season",
        raw="Herons nest here every spring.",
    )
    reply = make.reply(topic, world.mate, raw="A heron reply from mate.")
    outsider = browser(app, world.outsider)
    assert outsider.get(f"/discuss/p/{reply.id}/edit").status_code == 403
    edit = send(outsider, f"/discuss/p/{reply.id}/edit", {"raw": "Rewritten by the outsider."})
    assert edit.status_code == 403
    assert send(outsider, f"/discuss/p/{reply.id}/delete").status_code == 403
    assert db.session.get(Post, reply.id).deleted_at is None
    response = browser(app).patch(f"{API}/posts/{reply.id}", json={"raw": "API rewrite here."},
                                  headers=bearer(world.outsider))  # fmt: skip
    assert response.status_code == 403
    # Its author deletes it; neither they nor the outsider may recover it or see it again.
    mate = browser(app, world.mate)
    assert send(mate, f"/discuss/p/{reply.id}/delete").status_code == 302
    for client in (mate, outsider):
        assert send(client, f"/discuss/p/{reply.id}/recover").status_code == 404
        assert client.get(f"/discuss/p/{reply.id}/revisions").status_code == 404
        assert client.get(f"/discuss/p/{reply.id}/likes").status_code == 404
    db.session.expire_all()
    assert db.session.get(Post, reply.id).deleted_at is not None
    assert db.session.get(Post, reply.id).raw == "A heron reply from mate."
    moderator = browser(app, factories.moderator(locale="en"))
    assert moderator.get(f"/discuss/p/{reply.id}/revisions").status_code == 200
    assert send(moderator, f"/discuss/p/{reply.id}/recover").status_code == 302


def test_hidden_posts_revisions_only_for_author_and_staff(app, world, make):
    topic = make.topic(
        world.member,
        world.lobby,
        title="Lynx tracks in the snow",
        raw="Lynx tracks seen near the river.",
    )
    reply = make.reply(topic, world.mate, raw="Lynx reply that gets hidden.")
    db.session.get(Post, reply.id).hidden_at = utcnow()
    db.session.commit()
    for _who, client in outsiders(app, world):
        assert client.get(f"/discuss/p/{reply.id}/revisions").status_code == 404
        assert client.get(f"/discuss/p/{reply.id}/likes").status_code == 404
        assert "Lynx reply that gets hidden" not in html(client, topic_url(topic))
        assert "Lynx reply" not in html(client, f"/discuss/p/{_first(topic).id}/replies")
    assert browser(app, world.mate).get(f"/discuss/p/{reply.id}/revisions").status_code == 200


def test_answers_are_accepted_only_in_q_and_a_categories(app, world, make):
    topic = make.topic(
        world.member,
        world.lobby,
        title="Badger question of the day",
        raw="Where do badgers sleep in winter?",
    )
    reply = make.reply(topic, world.mate, raw="Badgers dig at night, mostly.")
    for user in (world.outsider, world.member, factories.admin(locale="en")):
        response = send(browser(app, user), f"/discuss/p/{reply.id}/accept")
        assert response.status_code in (403, 422), (user, response.status_code)
    assert db.session.get(Topic, topic.id).accepted_post_id is None


def test_moving_into_a_category_one_cannot_see_is_refused(app, world, make):
    topic = make.topic(world.mate, world.lobby, title="Beaver dam repairs",
                       raw="The beaver dam leaks.")  # fmt: skip
    make.reply(topic, world.member, raw="Beaver dam reply number one.")
    outsider = browser(app, world.outsider)
    refused = [
        (f"/discuss/t/{topic.id}/meta", {"category": str(world.backstage.id)}),
        (f"/discuss/t/{topic.id}/meta", {"category": str(world.vault.id)}),
        (f"/discuss/t/{topic.id}/split", {"posts": "2", "mode": "new", "title": "A split topic",
                                         "category": str(world.backstage.id)}),
        (f"/discuss/t/{topic.id}/split", {"posts": "2", "mode": "existing",
                                         "topic": str(world.secret.id)}),
        (f"/discuss/t/{topic.id}/merge", {"topic": str(world.secret.id)}),
        (f"/discuss/t/{topic.id}/merge", {"topic": f"http://localhost{topic_url(world.secret)}"}),
    ]  # fmt: skip
    for path, data in refused:
        response = send(outsider, path, data)
        assert response.status_code == 422, (path, data, response.status_code)
        assert SECRET not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).category_id == world.lobby.id
    assert db.session.get(Topic, topic.id).post_count == 2
    assert db.session.get(Topic, world.secret.id).post_count == 2


def test_a_merge_into_the_private_category_does_not_name_it_in_the_public_topic(app, world, make):
    topic = make.topic(world.mate, world.lobby, title="Seal colony census",
                       raw="Counting the seals on the rocks.")  # fmt: skip
    moderator = browser(app, factories.moderator(locale="en"))
    merged = send(moderator, f"/discuss/t/{topic.id}/merge", {"topic": str(world.secret.id)})
    assert merged.status_code == 302
    for who, client in outsiders(app, world):
        page = html(client, topic_url(topic))  # unlisted, still open by link
        assert SECRET not in page and world.secret.slug not in page, who
        link = re.search(r'href="(/discuss/p/\d+)"[^>]*>another topic<', page)
        assert link, who
        assert client.get(link.group(1)).status_code == 404
    member = browser(app, world.member)
    link = re.search(r'href="(/discuss/p/\d+)"[^>]*>another topic<', html(member, topic_url(topic)))
    assert topic_url(world.secret) in member.get(link.group(1)).location


# --- anonymous writes, deleted and unlisted topics -------------------------------------------


def test_anonymous_posts_are_401_or_a_redirect(app, world):
    first = _first(world.public)
    paths = [f"/discuss/p/{first.id}/{action}" for action in
             ("like", "unlike", "bookmark", "unbookmark", "accept", "unaccept", "delete",
              "recover", "edit")]  # fmt: skip
    paths += [f"/discuss/t/{world.public.id}/{action}" for action in
              ("reply", "read", "notifications", "meta", "status", "split", "merge")]  # fmt: skip
    paths += ["/discuss/new", "/discuss/c/lobby/notifications", "/discuss/preview",
              "/discuss/admin/categories/new", "/discuss/admin/settings"]  # fmt: skip
    client = browser(app)
    for path in paths:
        response = send(client, path, {"raw": "Anonymous text here.", "level": "3"})
        assert response.status_code in (302, 401), (path, response.status_code)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], path
    response = client.post(f"{API}/topics/{world.public.id}/posts", json={"raw": "Anonymous."})
    assert response.status_code == 401


def test_deleted_topics_are_404_for_non_staff_everywhere(app, world, make):
    topic = make.topic(world.member, world.lobby, title="Walrus reunion party",
                       raw="The walrus reunion is off.")  # fmt: skip
    reply = make.reply(topic, world.mate, raw="Walrus reply before deletion.")
    editing.delete_post(_first(topic), world.member)
    db.session.commit()
    for who, client in [*outsiders(app, world), ("author", browser(app, world.member))]:
        gone = [topic_url(topic), f"/discuss/p/{reply.id}", f"/discuss/p/{reply.id}/replies",
                f"/discuss/feed/topic/{topic.id}.rss", f"{API}/topics/{topic.id}"]  # fmt: skip
        for path in gone:
            assert client.get(path).status_code == 404, (who, path)
        for path in ("/discuss/", "/discuss/c/lobby", "/discuss/feed/latest.rss",
                     f"{API}/topics", "/discuss/u/member"):  # fmt: skip
            assert "Walrus reunion" not in html(client, path), (who, path)
        assert "Walrus" not in _found(client, "walrus"), who
    moderator = browser(app, factories.moderator(locale="en"))
    assert "Walrus reunion" in html(moderator, topic_url(topic))


def test_unlisted_topics_stay_out_of_lists_but_open_by_link(app, world, make):
    topic = make.topic(world.member, world.lobby, title="Moose migration north",
                       raw="The moose migrate north.")  # fmt: skip
    make.reply(topic, world.mate, raw="Moose reply with the route.")
    leader = browser(app, world.outsider)  # trust level 4 may unlist
    response = send(leader, f"/discuss/t/{topic.id}/status", {"action": "unlist"})
    assert response.status_code == 302
    for _who, client in outsiders(app, world):
        for path in ("/discuss/", "/discuss/top?period=all", "/discuss/c/lobby",
                     "/discuss/feed/latest.rss", "/discuss/feed/category/lobby.rss",
                     f"{API}/topics", "/discuss/u/member"):  # fmt: skip
            assert "Moose migration" not in html(client, path), path
        assert "Moose" not in _found(client, "moose")
        assert "Moose migration" in html(client, topic_url(topic))
        assert client.get(f"{API}/topics/{topic.id}").status_code == 200
    assert client.get(f"/discuss/feed/topic/{topic.id}.rss").status_code == 404
