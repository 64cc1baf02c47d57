"""Edits and revisions: the edit window, the revision grace period, retitling through a
revision, the daily cap on edits, and the comparison page (escaped)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugins.discuss import settings
from plugins.discuss.models import Post, PostRevision, Topic
from plugins.discuss.services import editing, revisions
from plugins.discuss.services.posting import DiscussError
from space import diffs
from space.audit import AuditEntry
from space.db import db, utcnow
from space.trust import TrustLevel
from tests import factories


def first_post(topic) -> Post:
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))


def revision_count(post) -> int:
    return db.session.scalar(
        select(func.count(PostRevision.id)).where(PostRevision.post_id == post.id)
    )


def edit(post, user, raw, title=None):
    changed = editing.edit_post(post, user, raw, title)
    db.session.commit()
    return changed


def test_an_edit_makes_a_revision_and_recooks(make):
    author = factories.user(trust_level=TrustLevel.BASIC)
    post = make.reply(make.topic(), author, raw="The original text of this reply.")
    assert edit(post, author, "The **changed** text of this reply.")
    db.session.refresh(post)
    assert post.version == 2 and post.edited_by_id == author.id and post.edited_at is not None
    assert "<strong>changed</strong>" in post.cooked
    texts = [r.raw for r in revisions.for_post(post)]
    assert texts == ["The original text of this reply.", "The **changed** text of this reply."]


def test_nothing_changed_makes_no_revision(make):
    author = factories.user()
    post = make.reply(make.topic(), author, raw="A reply that stays the same.")
    assert not edit(post, author, "A reply that stays the same.")
    assert revision_count(post) == 1 and post.version == 1


def test_edits_within_the_grace_period_fold_into_one_revision(make):
    author = factories.user()
    post = make.reply(make.topic(), author, raw="Version one of the text here.")
    edit(post, author, "Version two of the text here.")
    edit(post, author, "Version two, corrected a little.")
    assert revision_count(post) == 2
    db.session.refresh(post)
    assert post.version == 2
    assert revisions.latest(post).raw == "Version two, corrected a little."
    # After the grace period, a new revision.
    latest = revisions.latest(post)
    latest.created_at = utcnow() - timedelta(minutes=6)
    db.session.commit()
    edit(post, author, "Version three, much later.")
    assert revision_count(post) == 3
    db.session.refresh(post)
    assert post.version == 3


def test_another_editor_always_makes_a_new_revision(make):
    author, moderator = factories.user(), factories.moderator()
    post = make.reply(make.topic(), author, raw="Version one of the text here.")
    edit(post, author, "Version two of the text here.")
    edit(post, moderator, "Version three, by a moderator.")
    assert revision_count(post) == 3
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "discuss.post.edit"))
    assert entry is not None and entry.actor_id == moderator.id


def test_first_post_edit_retitles_the_topic_in_the_same_revision(make):
    author = factories.user()
    topic = make.topic(author, title="The original title of it")
    post = first_post(topic)
    edit(post, author, post.raw, title="A better title for the topic")
    db.session.refresh(topic)
    assert topic.title == "A better title for the topic"
    assert topic.slug == "a-better-title-for-the-topic"
    versions = revisions.for_post(post)
    assert [v.title for v in versions] == [
        "The original title of it",
        "A better title for the topic",
    ]
    with pytest.raises(DiscussError) as caught:
        editing.edit_post(post, author, post.raw, title="Too short")
    assert caught.value.field == "title"
    db.session.rollback()


def test_edit_content_rules(make):
    author = factories.user()
    post = make.reply(make.topic(), author)
    with pytest.raises(DiscussError) as caught:
        editing.edit_post(post, author, "tiny")
    assert caught.value.field == "raw"
    db.session.rollback()


def test_daily_edit_cap(make):
    settings.put("daily_edits", 2)
    settings.put("revision_grace_minutes", 0)
    db.session.commit()
    author = factories.user(trust_level=TrustLevel.BASIC)
    post = make.reply(make.topic(), author)
    edit(post, author, "The first edit of the day, long enough.")
    edit(post, author, "The second edit of the day, long enough.")
    with pytest.raises(DiscussError) as caught:
        editing.edit_post(post, author, "The third edit of the day, long enough.")
    assert caught.value.message.startswith("You may make 2 edits a day.")
    db.session.rollback()
    first = db.session.scalar(select(PostRevision).where(PostRevision.number == 2))
    assert caught.value.retry_at == first.created_at + timedelta(days=1)
    # Trust level 2: × 1.5 → 3 edits.
    author.trust_level = TrustLevel.MEMBER
    db.session.commit()
    edit(post, author, "The third edit of the day, long enough.")


# --- the edit window, through the pages -----------------------------------------------------


@pytest.mark.parametrize(
    ("level", "age", "allowed"),
    [
        (TrustLevel.BASIC, timedelta(hours=23), True),
        (TrustLevel.BASIC, timedelta(hours=25), False),
        (TrustLevel.MEMBER, timedelta(days=29), True),
        (TrustLevel.MEMBER, timedelta(days=31), False),
    ],
)
def test_edit_window(client, login, post, make, level, age, allowed):
    author = factories.user(trust_level=level)
    reply = make.reply(make.topic(), author, raw="A reply written some time ago.")
    reply.created_at = utcnow() - age
    db.session.commit()
    login(author)
    assert client.get(f"/discuss/p/{reply.id}/edit").status_code == (200 if allowed else 403)
    response = post(f"/discuss/p/{reply.id}/edit", {"raw": "A reply edited much later on."})
    assert response.status_code == (302 if allowed else 403)


def test_only_the_author_edits(client, login, post, make):
    reply = make.reply(make.topic())
    login(factories.user(trust_level=TrustLevel.MEMBER))
    assert client.get(f"/discuss/p/{reply.id}/edit").status_code == 403


def test_edit_page_round_trip(client, login, post, make):
    author = factories.user()
    topic = make.topic(author, title="A title that will change")
    first = first_post(topic)
    login(author)
    page = client.get(f"/discuss/p/{first.id}/edit").get_data(as_text=True)
    assert 'value="A title that will change"' in page and first.raw in page
    response = post(
        f"/discuss/p/{first.id}/edit",
        {"raw": "The edited first post, long enough.", "title": "A title that changed"},
    )
    assert response.status_code == 302
    db.session.refresh(topic)
    assert topic.title == "A title that changed"


def test_refused_edit_keeps_what_was_typed(client, login, post, make):
    author = factories.user()
    topic = make.topic(author)
    first = first_post(topic)
    login(author)
    response = post(
        f"/discuss/p/{first.id}/edit",
        {"raw": "The new text <em>typed</em> here.", "title": "short"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The new text &lt;em&gt;typed&lt;/em&gt; here." in page and 'value="short"' in page


# --- the revisions page ------------------------------------------------------------------------


def test_compare_view_escapes_and_marks_changes(client, login, make):
    author = factories.user()
    post = make.reply(make.topic(), author, raw="Hello <script>alert(1)</script> world\nsame line")
    edit(post, author, "Hello <b>bold</b> world\nsame line\nnew line")
    page = client.get(f"/discuss/p/{post.id}/revisions?a=1&b=2").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;<del>script</del>&gt;<del>alert(1)</del>" in page
    assert "&lt;<ins>b</ins>&gt;<ins>bold</ins>&lt;/<ins>b</ins>&gt;" in page
    assert 'class="diff-insert"' in page


def test_compare_bad_versions_fall_back(client, make):
    author = factories.user()
    post = make.reply(make.topic(), author)
    for query in ("?a=abc&b=-1", "?a=99&b=0", ""):
        assert client.get(f"/discuss/p/{post.id}/revisions{query}").status_code == 200


def test_side_by_side(app):
    rows = diffs.side_by_side("a\nb <x>\nc", "a\nB <x>\nc\nd")
    kinds = [row.kind for row in rows]
    assert kinds == ["equal", "replace", "equal", "insert"]
    assert str(rows[1].left) == "<del>b</del> &lt;x&gt;"
    assert str(rows[1].right) == "<ins>B</ins> &lt;x&gt;"
    assert rows[3].left is None and str(rows[3].right) == "<ins>d</ins>"


def test_revisions_page_query_count(client, make, count_queries):
    author = factories.user()
    post = make.reply(make.topic(), author)
    edit(post, author, "A first edit of this reply here.")
    url = f"/discuss/p/{post.id}/revisions"
    client.get(url)
    with count_queries() as small:
        client.get(url)
    for n in range(5):
        revision = revisions.latest(post)
        revision.created_at = utcnow() - timedelta(minutes=10)
        db.session.commit()
        edit(post, factories.user() if n % 2 else author, f"Edit number {n} of this reply.")
    client.get(url)  # what is kept until content changes is read again once
    with count_queries() as large:
        client.get(url)
    assert large.count == small.count


def test_topic_title_is_kept_in_revisions_of_replies_empty(make):
    topic = make.topic()
    reply = make.reply(topic)
    assert revisions.for_post(reply)[0].title == ""
    assert db.session.get(Topic, topic.id).title
