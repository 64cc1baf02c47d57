"""The topic page's flag dialog: one per page, however many posts. Under each post "Flag" is
a link to the post's flag page (what works without script); social.js copies the page's one
``<template>`` under the post. The markup must hold what the script needs (the author's
name, whether it is the first post) and keep ids unique in the document."""

from __future__ import annotations

import re
from collections import Counter
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from plugins.discuss.models import Post
from space.db import db
from space.trust import TrustLevel
from tests import factories

TEMPLATE = re.compile(r'<template id="flag-dialog-template">(.*?)</template>', re.S)
FLAG_LINK = re.compile(
    r'<a class="action-button flag-button" href="([^"]+)"[^>]*?data-flag-author="([^"]*)"([^>]*)>'
)


@pytest.fixture
def member(app):
    return factories.user("member", trust_level=TrustLevel.MEMBER, locale="en")


@pytest.fixture
def busy_topic(make):
    """A topic by "opener" with three replies by three other people."""
    opener = factories.user("opener", trust_level=TrustLevel.MEMBER)
    topic = make.topic(opener, title="Where should the spring meetup happen?")
    for name in ("ana", "bo", "cy"):
        make.reply(topic, factories.user(name, trust_level=TrustLevel.MEMBER))
    return topic


def _page(client, topic) -> str:
    response = client.get(f"/discuss/t/{topic.slug}/{topic.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _posts(topic) -> list[SimpleNamespace]:
    """The topic's posts in order: id, is_first, and the author's name and username (plain
    values, which outlive the requests' sessions)."""
    found = select(Post).where(Post.topic_id == topic.id).options(selectinload(Post.user))
    return [
        SimpleNamespace(id=post.id, is_first=post.is_first, author=post.user.name,
                        username=post.user.username)
        for post in db.session.scalars(found.order_by(Post.post_number))
    ]  # fmt: skip


def test_one_dialog_for_the_whole_page(client, login, busy_topic, member):
    login(member)
    page = _page(client, busy_topic)
    assert page.count("<template") == 1
    dialog = TEMPLATE.search(page).group(1)
    assert dialog.count('name="reason"') == 6 and 'name="reason"' not in TEMPLATE.sub("", page)
    assert 'role="dialog" aria-labelledby="flag-dialog-legend"' in dialog
    assert 'id="flag-dialog-legend"' in dialog
    assert "/code-of-conduct" in dialog and 'name="csrf_token"' in dialog
    assert 'name="take_action"' not in dialog  # members do not "take action"
    # The action is the post's, set by the script: the template has none of its own.
    assert 'class="flag-form">' in dialog and "action=" not in dialog


def test_each_post_links_to_its_flag_page_with_what_the_dialog_needs(
    client, login, busy_topic, member
):
    login(member)
    page = _page(client, busy_topic)
    posts = _posts(busy_topic)
    links = {href: (author, rest) for href, author, rest in FLAG_LINK.findall(page)}
    assert set(links) == {f"/discuss/p/{post.id}/flag" for post in posts}
    for post in posts:
        author, rest = links[f"/discuss/p/{post.id}/flag"]
        assert author == post.author
        assert ("data-flag-first" in rest) == post.is_first
        assert f'id="flag-box-{post.id}"' in page
    # "Flag the whole topic instead" waits in the dialog for the first post.
    dialog = TEMPLATE.search(page).group(1)
    assert f'<p class="flag-topic" hidden><a href="/discuss/t/{busy_topic.id}/flag">' in dialog
    # "Message the author" names whoever the script puts in the slot.
    assert 'Tell <span class="flag-author-name"></span> privately' in dialog


def test_ids_are_unique_in_the_document(client, login, busy_topic, member):
    login(member)
    page = TEMPLATE.sub("", _page(client, busy_topic))
    twice = [name for name, n in Counter(re.findall(r'\sid="([^"]+)"', page)).items() if n > 1]
    assert twice == []


def test_the_authors_name_is_escaped_in_the_link(client, login, make, member):
    author = factories.user("quoted", trust_level=TrustLevel.MEMBER)
    author.display_name = 'Ann "<b>" O\'Neil'
    db.session.commit()
    topic = make.topic(author)
    login(member)
    page = _page(client, topic)
    assert 'data-flag-author="Ann &#34;&lt;b&gt;&#34; O&#39;Neil"' in page
    assert '"<b>"' not in page


def test_your_own_posts_and_flagged_posts_have_no_flag_link(client, login, busy_topic, member):
    login(member)
    posts = _posts(busy_topic)
    client.post(f"/discuss/p/{posts[1].id}/flag",
                data={"reason": "off_topic", "csrf_token": _token(client)})  # fmt: skip
    page = _page(client, busy_topic)
    assert f'id="flagged-{posts[1].id}"' in page and "You flagged this post." in page
    assert f'href="/discuss/p/{posts[1].id}/flag"' not in page
    assert f'href="/discuss/p/{posts[2].id}/flag"' in page
    client.post("/logout", data={"csrf_token": _token(client)})
    login(posts[2])
    page = _page(client, busy_topic)
    assert f'id="flag-box-{posts[2].id}"' not in page and f'id="flag-box-{posts[3].id}"' in page


def test_no_dialog_for_readers_who_may_not_flag(client, busy_topic):
    page = _page(client, busy_topic)
    assert "flag-dialog" not in page and "flag-button" not in page


def test_staff_and_newcomers_get_their_own_dialog(client, login, busy_topic):
    login(factories.moderator(locale="en"))
    assert 'name="take_action"' in TEMPLATE.search(_page(client, busy_topic)).group(1)
    client.post("/logout", data={"csrf_token": _token(client)})
    login(factories.user("newbie", trust_level=TrustLevel.NEW, locale="en"))
    dialog = TEMPLATE.search(_page(client, busy_topic)).group(1)
    assert 'id="flag-dialog-newcomer"' in dialog
    assert 'id="flag-dialog-spam" required disabled' in dialog
    assert 'id="flag-dialog-illegal" required>' in dialog


def test_the_flag_page_names_the_author_for_a_message(client, login, busy_topic, member):
    login(member)
    reply = _posts(busy_topic)[1]
    html = client.get(f"/discuss/p/{reply.id}/flag").get_data(as_text=True)
    assert f"Tell {reply.author} privately" in html
    assert 'action="/discuss/p/' in html and 'id="flag-legend"' in html


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/")
