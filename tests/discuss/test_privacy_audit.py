"""A privacy audit of Discuss: every door to a private category's content, walked by an
outsider (an anonymous reader and a signed-in trust level 4 non-member) and by a member.

Outsiders get 404 (or simply nothing) wherever members see the content; permission rules
(editing, deleting, recovering, accepting, moving) hold for non-staff; deleted topics answer
404 to non-staff and unlisted ones stay out of lists, feeds and search but open by link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from plugins.discuss.models import Access, Bookmark, Category, NotificationLevel, Post, Topic
from plugins.discuss.services import editing, social, watching
from space.accounts import groups
from space.db import db, utcnow
from space.notify import Notification
from space.trust import TrustLevel
from tests import factories
from tests.conftest import FreshContextClient, csrf_token

API = "/api/v1/discuss"
SECRET = "Zebra budget secrets"  # the private topic's title
NESTED = "Vault zebra question"  # a topic in a private sub-category of an open category


@dataclass
class World:
    crew: object
    member: object  # in crew, trust level 3 (creates tags)
    mate: object  # in crew
    outsider: object  # trust level 4, not in crew
    lobby: Category  # open
    vault: Category  # private sub-category of lobby (Q&A)
    backstage: Category  # private (Q&A)
    public: Topic
    secret: Topic
    nested: Topic
    first: Post  # secret's first post (edited once, liked by mate)
    reply: Post  # secret's reply, answering the first post


@pytest.fixture
def world(app, make) -> World:
    return build_world(make)


def build_world(make) -> World:
    """The people, categories and topics every test of the audit walks through."""
    crew = factories.group("crew")
    member = factories.user("member", trust_level=TrustLevel.REGULAR, locale="en")
    mate = factories.user("mate", trust_level=TrustLevel.MEMBER, locale="en")
    outsider = factories.user("outsider", trust_level=TrustLevel.LEADER, locale="en")
    groups.add_member(crew, member)
    groups.add_member(crew, mate)
    db.session.commit()
    lobby = make.category("Lobby")
    vault = make.category("Vault", parent=lobby, groups={crew: Access.CREATE},
                          accepts_answers=True)  # fmt: skip
    backstage = make.category("Backstage", groups={crew: Access.CREATE}, accepts_answers=True)
    public = make.topic(member, lobby, title="Open picnic planning",
                        raw="Bring sandwiches to the picnic.", tags=["shared"])  # fmt: skip
    secret = make.topic(member, backstage, title=SECRET,
                        raw="The zebra budget is classified.", tags=["shared", "hush"])  # fmt: skip
    reply = make.reply(secret, mate, raw="Zebra reply with classified numbers.", reply_to=1)
    nested = make.topic(member, vault, title=NESTED, raw="A zebra question in the vault.")
    first = _first(secret)
    editing.edit_post(first, member, "The zebra budget is classified, really.")
    social.like(mate, first)
    db.session.commit()
    return World(crew, member, mate, outsider, lobby, vault, backstage, public, secret, nested,
                 _first(secret), db.session.get(Post, reply.id))  # fmt: skip


def _first(topic) -> Post:
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))


def browser(app, user=None):
    """A client of its own, signed in as ``user`` (None: anonymous)."""
    app.test_client_class = FreshContextClient
    client = app.test_client()
    if user is not None:
        token = csrf_token(client)
        response = client.post("/login", data={"login": user.username,
                                               "password": factories.PASSWORD,
                                               "csrf_token": token})  # fmt: skip
        assert response.status_code == 302
    return client


def send(client, path, data=None, **kwargs):
    """A form POST with the client's CSRF token."""
    payload = {"csrf_token": token(client), **(data or {})}
    return client.post(path, data=payload, **kwargs)


def token(client) -> str:
    """The client's CSRF token (the home page has a form whether signed in or not)."""
    return csrf_token(client, "/")


def html(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def topic_url(topic) -> str:
    return f"/discuss/t/{topic.slug}/{topic.id}"


def outsiders(app, world):
    return [("anonymous", browser(app)), ("outsider", browser(app, world.outsider))]


def bearer(user) -> dict:
    from space.api import tokens

    _token, secret = tokens.create(user, "tests", ["read", "write"])
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def count_text(page: str) -> int:
    """The first "N topic(s)" on a page."""
    return int(re.search(r"(\d+) topics?\b", page).group(1))


# --- lists and their counts ------------------------------------------------------------------

LISTS = ["/discuss/", "/discuss/top?period=all", "/discuss/unsolved", "/discuss/categories",
         "/discuss/c/lobby", "/discuss/tag/shared", "/discuss/tag/hush"]  # fmt: skip


def test_lists_and_counts_leave_the_private_category_out(app, world):
    for who, client in outsiders(app, world):
        for path in LISTS:
            page = html(client, path)
            assert SECRET not in page and NESTED not in page, (who, path)
            assert "Backstage" not in page and "Vault" not in page, (who, path)
        assert count_text(html(client, "/discuss/c/lobby")) == 1, who
        assert count_text(html(client, "/discuss/tag/shared")) == 1, who
        assert count_text(html(client, "/discuss/tag/hush")) == 0, who
        categories = html(client, "/discuss/categories")
        assert count_text(categories) == 1 and "2 posts" not in categories, who
        assert client.get("/discuss/c/backstage").status_code == 404
        assert client.get("/discuss/c/vault").status_code == 404
    member = browser(app, world.member)
    for path in ("/discuss/", "/discuss/top?period=all", "/discuss/unsolved"):
        page = html(member, path)
        assert SECRET in page and NESTED in page, path
    assert "Backstage" in html(member, "/discuss/categories")
    lobby = html(member, "/discuss/c/lobby")
    assert NESTED in lobby and count_text(lobby) == 2
    assert count_text(html(member, "/discuss/tag/shared")) == 2
    assert count_text(html(member, "/discuss/tag/hush")) == 1
    assert SECRET in html(member, "/discuss/c/backstage")


# --- a topic, its posts and what hangs off them --------------------------------------------


def _post_doors(world) -> list[str]:
    first, reply = world.first, world.reply
    return [
        topic_url(world.secret),
        topic_url(world.nested),
        f"/discuss/p/{first.id}",
        f"/discuss/p/{reply.id}",
        f"/discuss/p/{first.id}/replies",
        f"/discuss/p/{reply.id}/parent",
        f"/discuss/p/{first.id}/likes",
        f"/discuss/p/{first.id}/likes?partial=1",
        f"/discuss/p/{first.id}/revisions",
        f"/discuss/t/{world.secret.id}/reply",
        f"/discuss/t/{world.secret.id}/reply?quote=1",
        f"/discuss/p/{first.id}/edit",
        f"/discuss/p/{reply.id}/bookmark",
        f"/discuss/p/{reply.id}/flag",
        f"/discuss/t/{world.secret.id}/flag",
        f"/discuss/t/{world.secret.id}/split",
        f"/discuss/t/{world.secret.id}/merge",
        f"/discuss/feed/topic/{world.secret.id}.rss",
        "/discuss/feed/category/backstage.atom",
        f"{API}/topics/{world.secret.id}",
    ]


def test_every_door_of_a_private_topic_is_a_404_for_outsiders(app, world):
    for who, client in outsiders(app, world):
        for path in _post_doors(world):
            response = client.get(path)
            if who == "anonymous" and path.endswith("/bookmark"):  # sign in first
                assert response.status_code == 302 and "/login" in response.location
                continue
            assert response.status_code == 404, (who, path, response.status_code)
            assert SECRET not in response.get_data(as_text=True)
    member = browser(app, world.member)
    for path in _post_doors(world)[:9]:
        response = member.get(path)
        assert response.status_code in (200, 302), (path, response.status_code)
    assert "classified" in html(member, f"/discuss/p/{world.first.id}/revisions")
    assert "mate" in html(member, f"/discuss/p/{world.first.id}/likes")


def test_outsiders_cannot_act_on_private_posts(app, world):
    first, reply = world.first, world.reply
    client = browser(app, world.outsider)
    actions = [
        (f"/discuss/p/{first.id}/like", {}),
        (f"/discuss/p/{first.id}/unlike", {}),
        (f"/discuss/p/{reply.id}/bookmark", {"name": "mine"}),
        (f"/discuss/p/{reply.id}/unbookmark", {}),
        (f"/discuss/p/{reply.id}/accept", {}),
        (f"/discuss/p/{reply.id}/unaccept", {}),
        (f"/discuss/p/{reply.id}/delete", {}),
        (f"/discuss/p/{reply.id}/recover", {}),
        (f"/discuss/p/{reply.id}/edit", {"raw": "Overwritten by an outsider, sorry."}),
        (f"/discuss/t/{world.secret.id}/reply", {"raw": "An outsider's reply, long enough."}),
        (f"/discuss/t/{world.secret.id}/read", {}),
        (f"/discuss/t/{world.secret.id}/notifications", {"level": "3"}),
        ("/discuss/c/backstage/notifications", {"level": "3"}),
        (f"/discuss/t/{world.secret.id}/meta", {"title": "Renamed by an outsider"}),
        (f"/discuss/t/{world.secret.id}/status", {"action": "close"}),
        (f"/discuss/t/{world.secret.id}/split", {"posts": "2", "title": "Stolen posts here"}),
        (f"/discuss/t/{world.secret.id}/merge", {"topic": str(world.public.id)}),
    ]
    for path, data in actions:
        assert send(client, path, data).status_code == 404, path
    headers = bearer(world.outsider)
    api = browser(app)
    raw = {"raw": "From the API, long enough."}
    for method, path, body in [
        ("post", f"/posts/{first.id}/like", None),
        ("delete", f"/posts/{first.id}/like", None),
        ("post", f"/posts/{reply.id}/accept", None),
        ("post", f"/posts/{reply.id}/bookmark", {}),
        ("delete", f"/posts/{reply.id}/bookmark", None),
        ("post", f"/topics/{world.secret.id}/posts", raw),
        ("patch", f"/posts/{reply.id}", raw),
    ]:
        response = getattr(api, method)(API + path, json=body, headers=headers)
        assert response.status_code == 404, (method, path, response.status_code)
    db.session.expire_all()
    secret = db.session.get(Topic, world.secret.id)
    assert secret.post_count == 2 and secret.title == SECRET and secret.accepted_post_id is None
    assert db.session.get(Post, reply.id).deleted_at is None
    assert db.session.scalar(select(Bookmark)) is None


def test_drafts_and_preview_reveal_nothing(app, world):
    key = f"reply:{world.secret.id}"
    member = browser(app, world.member)
    csrf = token(member)
    saved = member.put(f"/discuss/drafts/{key}", json={"data": {"raw": "Member's zebra draft"},
                       "sequence": 0}, headers={"X-CSRFToken": csrf})  # fmt: skip
    assert saved.status_code == 200
    outsider = browser(app, world.outsider)
    csrf = token(outsider)
    answer = outsider.get(f"/discuss/drafts/{key}", headers={"X-CSRFToken": csrf})
    assert answer.status_code == 200 and answer.get_json()["draft"] is None
    assert outsider.get(f"/discuss/t/{world.secret.id}/reply").status_code == 404
    anonymous = browser(app)
    csrf = token(anonymous)
    for method in ("get", "put", "delete"):
        response = getattr(anonymous, method)(f"/discuss/drafts/{key}", json={},
                                              headers={"X-CSRFToken": csrf})  # fmt: skip
        assert response.status_code == 401, method
    assert send(anonymous, "/discuss/preview", {"raw": "hello"}).status_code == 401


# --- feeds, the API and search ---------------------------------------------------------------


def test_feeds_and_the_api_leave_the_private_category_out(app, world):
    for who, client in outsiders(app, world):
        for path in ("/discuss/feed/latest.rss", "/discuss/feed/tag/shared.atom",
                     "/discuss/feed/tag/hush.rss", "/discuss/feed/category/lobby.rss"):  # fmt: skip
            body = html(client, path)
            assert SECRET not in body and NESTED not in body, (who, path)
    outsider_api = browser(app)
    for headers in ({}, bearer(world.outsider)):
        topics = outsider_api.get(f"{API}/topics?per_page=50", headers=headers).get_json()
        titles = {t["title"] for t in topics["items"]}
        assert titles == {"Open picnic planning"}
        tagged = outsider_api.get(f"{API}/topics?tag=hush", headers=headers).get_json()
        assert tagged["items"] == []
        lobby = outsider_api.get(f"{API}/topics?category=lobby", headers=headers).get_json()
        assert {t["title"] for t in lobby["items"]} == {"Open picnic planning"}
        slugs = {
            c["slug"]
            for c in outsider_api.get(f"{API}/categories", headers=headers).get_json()["items"]
        }
        assert slugs == {"lobby"}
        for path in ("/topics?category=backstage", "/topics?category=vault",
                     f"/topics/{world.nested.id}"):  # fmt: skip
            assert outsider_api.get(API + path, headers=headers).status_code == 404, path
    headers = bearer(world.member)
    titles = {
        t["title"] for t in outsider_api.get(f"{API}/topics", headers=headers).get_json()["items"]
    }
    assert {SECRET, NESTED} <= titles


def _found(client, query: str) -> str:
    return html(client, f"/search?q={query}")


def test_search_follows_the_category_when_it_becomes_private(app, world, make):
    """Restricting a category in the admin takes its topics and replies out of outsiders'
    search results at once (and opening it again brings them back)."""
    late = make.category("Garden")
    topic = make.topic(world.member, late, title="Quokka garden plans",
                       raw="Where the quokka beds go this year.")  # fmt: skip
    make.reply(topic, world.mate, raw="A quokka reply about watering.")
    stranger = browser(app, world.outsider)
    assert "Quokka garden plans" in _found(stranger, "quokka")
    admin = browser(app, factories.admin(locale="en"))
    form = {"name": "Garden", "slug": "garden", "description": "", "color": "#112233",
            "color_text": "", "parent": "0", "position": "",
            f"perm-{world.crew.id}": str(int(Access.CREATE))}  # fmt: skip
    response = send(admin, f"/discuss/admin/categories/{late.id}", form)
    assert response.status_code == 302
    for who, client in outsiders(app, world):
        page = _found(client, "quokka")
        assert "Quokka garden plans" not in page and "watering" not in page, who
    assert "Quokka garden plans" in _found(browser(app, world.member), "quokka")
    # A sub-category moved under a private parent follows it too.
    patio = make.category("Patio", parent=world.lobby)
    make.topic(
        world.member, patio, title="Wombat patio chairs", raw="Wombat chairs for the patio party."
    )
    assert "Wombat patio chairs" in _found(stranger, "wombat")
    form.update(name="Patio", slug="patio", parent=str(world.backstage.id))
    form.pop(f"perm-{world.crew.id}")
    assert send(admin, f"/discuss/admin/categories/{patio.id}", form).status_code == 302
    assert "Wombat patio chairs" not in _found(stranger, "wombat")
    # Opened again: found again.
    form = {**form, "name": "Garden", "slug": "garden", "parent": "0"}
    assert send(admin, f"/discuss/admin/categories/{late.id}", form).status_code == 302
    assert "Quokka garden plans" in _found(stranger, "quokka")


def test_search_hides_private_topics(app, world):
    for who, client in outsiders(app, world):
        page = _found(client, "zebra")
        assert SECRET not in page and NESTED not in page and "classified" not in page, who
    page = _found(browser(app, world.member), "zebra")
    assert SECRET in page and NESTED in page


# --- notifications, bookmarks, activity, profile ----------------------------------------------


def _notes(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_a_mention_in_a_private_topic_does_not_notify_an_outsider(app, world):
    member = browser(app, world.member)
    response = send(member, f"/discuss/t/{world.secret.id}/reply",
                    {"raw": "Hey @outsider and @mate, look at this zebra."})  # fmt: skip
    assert response.status_code == 302
    assert _notes(world.outsider) == []
    assert [n.kind for n in _notes(world.mate)] == ["mentioned"]


def test_after_a_move_into_the_private_category_old_traces_lead_nowhere(app, world, make):
    """The outsider replied to, bookmarked and was notified about a public topic that then
    moved into the private category: links 404, lists and bookmarks forget it."""
    topic = make.topic(world.member, world.lobby, title="Otter logistics for June",
                       raw="Otters need a pond and some fish.")  # fmt: skip
    reply = make.reply(topic, world.outsider, raw="I can bring the otter pond.")
    make.reply(topic, world.member, raw="Thanks @outsider, otter pond it is.")
    social.bookmark(world.outsider, db.session.get(Post, reply.id))
    watching.set_topic_level(world.outsider, topic, NotificationLevel.WATCHING)
    watching.set_category_level(world.outsider, world.lobby, NotificationLevel.WATCHING)
    db.session.commit()
    outsider = browser(app, world.outsider)
    notes = _notes(world.outsider)
    assert notes and all(n.data["topic_id"] == topic.id for n in notes)
    assert "Otter logistics for June" in html(outsider, "/discuss/bookmarks")
    assert "Otter logistics for June" in html(outsider, "/discuss/u/outsider?tab=replies")
    member = browser(app, world.member)
    moved = send(member, f"/discuss/t/{topic.id}/meta", {"category": str(world.backstage.id)})
    assert moved.status_code == 302
    for path in ("/discuss/", "/discuss/bookmarks", "/discuss/u/outsider?tab=replies",
                 "/discuss/u/member", "/discuss/c/lobby"):  # fmt: skip
        assert "Otter logistics for June" not in html(outsider, path), path
    for note in notes:
        link = outsider.get(f"/discuss/p/{note.data['post_id']}")
        assert link.status_code == 404
    assert outsider.get(topic_url(topic)).status_code == 404
    assert "Otter logistics for June" not in _found(outsider, "otter")
    # What happens in it from now on reaches members only: a mention, a reply to the
    # outsider's post, a like of it, a new topic in the category, a bookmark's reminder.
    assert send(member, f"/discuss/t/{topic.id}/reply",
                {"raw": "Hello @outsider, still about the otters.",
                 "reply_to": str(reply.post_number)}).status_code == 302  # fmt: skip
    assert send(member, f"/discuss/p/{reply.id}/like").status_code == 302
    bookmark = db.session.scalar(select(Bookmark).where(Bookmark.user_id == world.outsider.id))
    bookmark.reminder_at = utcnow()
    db.session.commit()
    social.send_reminders()
    assert len(_notes(world.outsider)) == len(notes)


def test_activity_pages_and_profile_counts(app, world):
    for who, client in outsiders(app, world):
        for tab in ("topics", "replies", "likes"):
            page = html(client, f"/discuss/u/member?tab={tab}")
            assert SECRET not in page and NESTED not in page, (who, tab)
            page = html(client, f"/discuss/u/mate?tab={tab}")
            assert SECRET not in page and "classified" not in page, (who, tab)
        assert 'id="discuss-activity-counts"' not in html(client, "/discuss/u/member")
        profile = html(client, "/u/member")
        assert 'data-count="topics"' not in profile, who
    member = browser(app, world.member)
    assert SECRET in html(member, "/discuss/u/member?tab=topics")
    assert SECRET in html(member, "/discuss/u/mate?tab=likes")
    assert 'id="discuss-activity-counts"' in html(member, "/discuss/u/member")


def test_ones_own_likes_leave_out_hidden_posts_of_others(app, world, make):
    topic = make.topic(world.member, world.lobby, title="Puffin sightings this week",
                       raw="Puffins on the cliffs this morning.")  # fmt: skip
    reply = make.reply(topic, world.mate, raw="A puffin photo that gets hidden later.")
    social.like(world.outsider, db.session.get(Post, reply.id))
    db.session.commit()
    outsider = browser(app, world.outsider)
    assert "puffin photo" in html(outsider, "/discuss/u/outsider?tab=likes")
    db.session.get(Post, reply.id).hidden_at = utcnow()
    db.session.commit()
    assert "puffin photo" not in html(outsider, "/discuss/u/outsider?tab=likes")
    assert "puffin photo" in html(browser(app, world.mate), "/discuss/u/mate?tab=replies")
