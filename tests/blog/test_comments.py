"""Private editorial comments: threaded one level deep, resolvable, cooked when written, told
to the story's people, and never shown to anyone else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugins.blog.models import Status, StoryComment, StoryFollow
from plugins.blog.services import comments
from plugins.blog.services.workflow import WorkflowError
from space.db import db
from space.notify import Notification

from .conftest import reload

SECRET = "Our private worry about paragraph two"


def url(story, tail=""):
    return f"/blog/stories/{story.id}{tail}"


def told(user, kind="blog.comment"):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


def all_comments():
    return db.session.scalars(select(StoryComment).order_by(StoryComment.id)).all()


# --- writing comments --------------------------------------------------------------------------


def test_editor_comments_and_the_writer_is_told(make, client, login, post):
    writer, editor = make.writer(), make.editor()
    story = make.story(writer, Status.IN_REVIEW)
    login(editor)
    response = post(url(story, "/comments"), {"body": f"{SECRET}: **too long**."})
    [comment] = all_comments()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/stories/{story.id}#comment-{comment.id}")
    assert comment.user_id == editor.id and comment.parent_id is None
    assert "<strong>too long</strong>" in comment.cooked
    assert comment.revision_number == story.revision_number
    assert db.session.get(StoryFollow, (story.id, editor.id)) is not None  # commenters follow
    assert len(told(writer)) == 1 and told(editor) == []
    html = client.get(url(story)).get_data(as_text=True)
    assert f'id="comment-{comment.id}"' in html and "<strong>too long</strong>" in html
    assert "on revision 1" in html


def test_writer_answers_and_the_editor_who_commented_is_told(make, client, login, post):
    writer, editor = make.writer(), make.editor()
    story = make.story(writer, Status.IN_REVIEW)
    first = comments.add(editor, story, "Please check the dates.")
    db.session.commit()
    login(writer)
    response = post(url(story, "/comments"), {"body": "Done.", "parent_id": str(first.id)})
    assert response.status_code == 302
    reply = all_comments()[-1]
    assert reply.parent_id == first.id
    assert len(told(editor)) == 1


def test_a_reply_to_a_reply_joins_the_thread(make):
    writer, editor = make.writer(), make.editor()
    story = make.story(writer, Status.DRAFT)
    root = comments.add(editor, story, "Root")
    db.session.flush()
    reply = comments.add(writer, story, "Reply", root.id)
    db.session.flush()
    deeper = comments.add(editor, story, "Reply to the reply", reply.id)
    db.session.commit()
    assert reply.parent_id == root.id and deeper.parent_id == root.id
    threads = comments.thread(reload(story))
    assert len(threads) == 1
    assert threads[0].comment.id == root.id
    assert [c.body for c in threads[0].replies] == ["Reply", "Reply to the reply"]


def test_a_parent_from_another_story_is_refused(make, client, login, post):
    editor = make.editor()
    story, other = make.story(None, Status.DRAFT), make.story(None, Status.DRAFT)
    elsewhere = comments.add(editor, other, "Elsewhere")
    db.session.commit()
    with pytest.raises(WorkflowError) as refused:
        comments.add(editor, story, "Hi", elsewhere.id)
    assert refused.value.field == "parent"
    db.session.rollback()
    login(editor)
    for parent in (str(elsewhere.id), "abc", "99999999"):
        response = post(url(story, "/comments"), {"body": "My answer", "parent_id": parent})
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "The comment you are answering no longer exists." in html
    assert len(all_comments()) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "Write a comment first."), ("", "This field is required."),
     ("x" * (comments.BODY_MAX + 1), "Use at most 10000 characters.")],
)  # fmt: skip
def test_empty_or_huge_comments_are_refused(make, client, login, post, body, message):
    story = make.story(None, Status.DRAFT)
    login(make.editor())
    response = post(url(story, "/comments"), {"body": body})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and 'id="comment-form-new-error"' in html
    assert all_comments() == []


def test_a_refused_reply_keeps_the_text_in_its_thread(make, client, login, post):
    editor = make.editor()
    story = make.story(None, Status.DRAFT)
    root = comments.add(editor, story, "Root")
    db.session.commit()
    login(editor)
    typed = "y" * (comments.BODY_MAX + 1)
    response = post(url(story, "/comments"), {"body": typed, "parent_id": str(root.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="comment-form-{root.id}-error"' in html
    assert f">{typed}</textarea>" in html


def test_comment_markup_is_sanitized(make):
    editor = make.editor()
    story = make.story(None, Status.DRAFT)
    comment = comments.add(editor, story, "<script>alert(1)</script> *fine*")
    assert "<script>" not in comment.cooked and "<em>fine</em>" in comment.cooked


# --- resolving ---------------------------------------------------------------------------------


def test_threads_are_resolved_and_reopened(make, client, login, post):
    writer, editor = make.writer(), make.editor()
    story = make.story(writer, Status.IN_REVIEW)
    root = comments.add(editor, story, "Fix the title.")
    db.session.flush()
    reply = comments.add(writer, story, "Fixed.", root.id)
    db.session.commit()
    login(writer)
    response = post(url(story, f"/comments/{reply.id}/resolve"))  # a reply resolves its thread
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#comment-{root.id}")
    root = db.session.get(StoryComment, root.id)
    assert root.resolved_at is not None and root.resolved_by_id == writer.id
    html = client.get(url(story)).get_data(as_text=True)
    assert "is-resolved" in html and f"Resolved by {writer.name}" in html
    assert "(0 open)" in html
    post(url(story, f"/comments/{root.id}/resolve"), {"reopen": "1"})
    root = db.session.get(StoryComment, root.id)
    assert root.resolved_at is None and root.resolved_by_id is None


def test_resolve_is_idempotent(make):
    editor = make.editor()
    story = make.story(None, Status.DRAFT)
    comment = comments.add(editor, story, "Once.")
    assert comments.resolve(editor, comment) is True
    assert comments.resolve(editor, comment) is False
    assert comments.reopen(editor, comment) is True
    assert comments.reopen(editor, comment) is False


def test_a_comment_of_another_story_cannot_be_resolved_through_this_one(make, client, login, post):
    editor = make.editor()
    story, other = make.story(None, Status.DRAFT), make.story(None, Status.DRAFT)
    elsewhere = comments.add(editor, other, "Elsewhere")
    db.session.commit()
    login(editor)
    assert post(url(story, f"/comments/{elsewhere.id}/resolve")).status_code == 404
    assert db.session.get(StoryComment, elsewhere.id).resolved_at is None


# --- privacy -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PITCH, Status.DRAFT, Status.IN_REVIEW])
def test_outsiders_neither_read_nor_write_comments(make, client, login, post, status):
    editor = make.editor()
    story = make.story(None, status)
    comment = comments.add(editor, story, SECRET)
    db.session.commit()
    login(make.writer())
    assert client.get(url(story)).status_code == 404
    assert post(url(story, "/comments"), {"body": "Let me in"}).status_code == 404
    assert post(url(story, f"/comments/{comment.id}/resolve")).status_code == 404
    assert len(all_comments()) == 1


def test_readers_of_a_published_story_never_see_its_comments(make, client, login, post):
    writer, editor, reader = make.writer(), make.editor(), make.writer()
    story = make.published(writer)
    comment = comments.add(editor, story, SECRET)
    db.session.commit()
    for who in (None, reader):
        if who is not None:
            login(who)
        public = client.get(f"/blog/{story.slug}", follow_redirects=True)
        assert public.status_code == 200 and SECRET not in public.get_data(as_text=True)
        page = client.get(url(story), follow_redirects=True).get_data(as_text=True)
        assert SECRET not in page
    assert post(url(story, "/comments"), {"body": "Me too"}).status_code == 404
    assert post(url(story, f"/comments/{comment.id}/resolve")).status_code == 404


def test_readers_who_follow_a_published_story_are_not_told_of_comments(make):
    writer, editor, reader = make.writer(), make.editor(), make.writer()
    story = make.published(writer)
    db.session.add(StoryFollow(story_id=story.id, user_id=reader.id))
    db.session.commit()
    comments.add(editor, reload(story), SECRET)
    db.session.commit()
    assert told(reader) == []
    assert len(told(writer)) == 1


def test_silenced_writers_cannot_comment(make, client, login, post):
    from datetime import timedelta

    from space.db import utcnow

    writer = make.writer()
    story = make.story(writer, Status.DRAFT)
    writer.silenced_until = utcnow() + timedelta(days=1)
    db.session.commit()
    login(writer)
    assert client.get(url(story)).status_code == 200
    assert post(url(story, "/comments"), {"body": "Hello"}).status_code == 403
    assert all_comments() == []


# --- the thread service ------------------------------------------------------------------------


def test_thread_loads_every_comment_and_author_in_one_query(make, count_queries):
    writer, editor = make.writer(), make.editor()
    story = make.story(writer, Status.IN_REVIEW)
    for n in range(6):
        root = comments.add(editor if n % 2 else writer, story, f"Root {n}")
        db.session.flush()
        comments.add(writer, story, f"Reply {n}", root.id)
        if n == 3:
            comments.resolve(editor, root)
    db.session.commit()
    story = reload(story)
    with count_queries() as counter:
        threads = comments.thread(story)
        names = [
            (t.comment.user.username, t.resolved, [r.user.username for r in t.replies],
             t.comment.resolved_by.username if t.resolved else None)
            for t in threads
        ]  # fmt: skip
    assert counter.count == 1
    assert [t.comment.body for t in threads] == [f"Root {n}" for n in range(6)]
    assert names[3] == (editor.username, True, [writer.username], editor.username)
    assert comments.open_count(threads) == 5
