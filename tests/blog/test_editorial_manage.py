"""A story's editorial page and the moves made from it: who sees what, refused input kept,
versions that went stale, schedules typed in the viewer's time zone, following, and the
changes since one's last review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from plugins.blog.models import Status, StoryFollow
from plugins.blog.services import revisions
from space.db import db, utcnow

from .conftest import reload


def url(story, tail=""):
    return f"/blog/stories/{story.id}{tail}"


# --- who sees the page -------------------------------------------------------------------------


def test_writer_sees_the_editorial_page_of_their_draft(make, client, login):
    writer = make.writer()
    story = make.story(writer, Status.DRAFT)
    login(writer)
    response = client.get(url(story))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert story.title in html and "two</strong> paragraphs" in html  # the cooked text
    assert 'id="move-submit"' in html and 'id="move-approve"' not in html
    assert 'id="story-checklist"' in html and 'data-check="category"' in html
    assert "started the story" in html  # the history
    assert f'href="/blog/stories/{story.id}/edit"' in html
    assert f'href="/blog/stories/{story.id}/revisions"' in html


@pytest.mark.parametrize("status", [Status.PITCH, Status.DRAFT, Status.IN_REVIEW,
                                    Status.REJECTED])  # fmt: skip
def test_outsiders_get_a_404(make, client, login, status):
    story = make.story(None, status)
    assert client.get(url(story)).status_code == 404  # anonymous
    login(make.writer())
    assert client.get(url(story)).status_code == 404


def test_readers_of_a_published_story_are_sent_to_its_public_page(make, client, login):
    story = make.published()
    login(make.writer())
    response = client.get(url(story))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/{story.slug}")


def test_unknown_story_is_a_404(make, client, login):
    login(make.editor())
    assert client.get("/blog/stories/999999").status_code == 404
    assert client.get("/blog/stories/abc").status_code == 404


def test_editor_sees_the_review_moves_and_the_approvals(make, client, login):
    story = make.story(None, Status.IN_REVIEW)
    login(make.editor())
    html = client.get(url(story)).get_data(as_text=True)
    for move in ("approve", "request_changes", "reject", "trash"):
        assert f'id="move-{move}"' in html
    assert 'id="move-submit"' not in html
    assert "Note (required)" in html  # request changes, reject
    assert '<dd id="story-approvals">0 of 1</dd>' in html


def test_a_scheduled_story_shows_its_time_in_the_viewers_zone(make, client, login):
    editor = make.editor()
    editor.timezone = "Asia/Tokyo"
    db.session.commit()
    day = (utcnow() + timedelta(days=20)).date()
    when = datetime(day.year, day.month, day.day, 3, 7, tzinfo=UTC)
    story = make.story(None, Status.SCHEDULED, publish_at=when)
    login(editor)
    html = client.get(url(story)).get_data(as_text=True)
    assert "12:07:00" in html  # 03:07 UTC is 12:07 in Tokyo (no daylight saving time)
    assert 'id="move-unschedule"' in html and 'id="move-publish"' in html


# --- making moves ------------------------------------------------------------------------------


def test_writer_submits_and_the_editors_hear_of_it(make, client, login, post):
    from space.notify import Notification

    writer, editor = make.writer(), make.editor()
    story = make.story(writer, Status.DRAFT)
    login(writer)
    response = post(url(story, "/move/submit"), {"version": story.version, "note": "Ready."})
    assert response.status_code == 302
    assert reload(story).status == Status.IN_REVIEW
    told = db.session.scalars(select(Notification).where(Notification.user_id == editor.id))
    assert [n.kind for n in told] == ["blog.submitted"]


def test_request_changes_without_a_note_is_refused_and_shown_again(make, client, login, post):
    story = make.story(None, Status.IN_REVIEW)
    login(make.editor())
    response = post(url(story, "/move/request_changes"), {"version": story.version, "note": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="move-request_changes-error"' in html
    assert "Please say why" in html
    assert reload(story).status == Status.IN_REVIEW


def test_a_refused_move_keeps_the_note_typed(make, client, login, post):
    story = make.story(None, Status.APPROVED, category=None)  # the checklist fails
    editor = make.editor()
    login(editor)
    response = post(url(story, "/move/schedule"),
                    {"version": story.version, "publish_at": "2031-02-03T10:15"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not ready to publish" in html and "It has a category" in html
    assert 'value="2031-02-03T10:15"' in html
    assert reload(story).status == Status.APPROVED


def test_a_stale_version_is_a_conflict(make, client, login, post):
    story = make.story(None, Status.IN_REVIEW)
    login(make.editor())
    response = post(url(story, "/move/reject"), {"version": story.version - 1, "note": "No."})
    assert response.status_code == 409
    assert "Someone else changed this story meanwhile" in response.get_data(as_text=True)
    assert reload(story).status == Status.IN_REVIEW


def test_a_move_made_meanwhile_by_another_editor_is_a_conflict(make, client, login, post):
    story = make.story(None, Status.IN_REVIEW)
    seen = story.version
    make.move(make.editor(), story, "reject", note="Not for us.")
    login(make.editor())
    response = post(url(story, "/move/request_changes"), {"version": seen, "note": "Fix it."})
    assert response.status_code == 409
    assert reload(story).status == Status.REJECTED


@pytest.mark.parametrize("version", ["", "abc", "-1", "0", "99999999999"])
def test_a_missing_or_broken_version_is_a_400(make, client, login, post, version):
    story = make.story(None, Status.IN_REVIEW)
    login(make.editor())
    response = post(url(story, "/move/reject"), {"version": version, "note": "No."})
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)


def test_unknown_moves_are_a_404(make, client, login, post):
    story = make.story(None, Status.IN_REVIEW)
    login(make.editor())
    assert post(url(story, "/move/explode"), {"version": story.version}).status_code == 404
    assert post(url(story, "/move/read"), {"version": story.version}).status_code == 404


def test_a_move_the_person_may_not_make_is_refused(make, client, login, post):
    writer = make.writer()
    story = make.story(writer, Status.IN_REVIEW)
    login(writer)
    assert post(url(story, "/move/approve"), {"version": story.version}).status_code == 403
    assert reload(story).status == Status.IN_REVIEW


def test_outsiders_cannot_move_a_story_they_cannot_see(make, client, login, post):
    story = make.story(None, Status.IN_REVIEW)
    login(make.writer())
    assert post(url(story, "/move/withdraw"), {"version": story.version}).status_code == 404


def test_approval_short_of_the_required_number_says_how_many_remain(make, client, login, post):
    from plugins.blog import settings

    settings.put("required_approvals", 2)
    db.session.commit()
    story = make.story(None, Status.IN_REVIEW)
    login(make.editor())
    response = post(url(story, "/move/approve"), {"version": story.version},
                    follow_redirects=True)  # fmt: skip
    assert "the story needs 1 more" in response.get_data(as_text=True)
    assert reload(story).approvals == 1


def test_writer_who_trashes_their_draft_lands_on_their_list(make, client, login, post):
    writer = make.writer()
    story = make.story(writer, Status.DRAFT)
    login(writer)
    response = post(url(story, "/move/trash"), {"version": story.version})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/blog/stories")
    assert reload(story).status == Status.TRASH


# --- scheduling in the viewer's time zone ------------------------------------------------------


def test_schedule_is_read_in_the_editors_time_zone(make, client, login, post):
    editor = make.editor()
    editor.timezone = "Europe/Paris"
    db.session.commit()
    story = make.story(None, Status.APPROVED)
    login(editor)
    page = client.get(url(story)).get_data(as_text=True)
    assert 'type="datetime-local"' in page and "Time zone: Europe/Paris" in page
    day = (utcnow() + timedelta(days=30)).date()
    typed = f"{day.isoformat()}T14:30"
    response = post(url(story, "/move/schedule"), {"version": story.version, "publish_at": typed})
    assert response.status_code == 302
    story = reload(story)
    assert story.status == Status.SCHEDULED
    paris = datetime(day.year, day.month, day.day, 14, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert story.publish_at == paris.astimezone(UTC)
    assert story.publish_at.hour in (12, 13)  # 14:30 in Paris is 12:30 or 13:30 UTC


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("next tuesday", "Enter a date and time such as"),
        ("2031-13-45T99:99", "Enter a date and time such as"),
        ("", "Choose when to publish."),
        ("2001-01-01T10:00", "Choose a time in the future"),
    ],
)
def test_bad_schedule_times_are_refused(make, client, login, post, typed, message):
    story = make.story(None, Status.APPROVED)
    login(make.editor())
    response = post(url(story, "/move/schedule"), {"version": story.version, "publish_at": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'value="{typed}"' in html
    assert reload(story).status == Status.APPROVED


# --- following ---------------------------------------------------------------------------------


def test_editor_follows_and_unfollows_a_story(make, client, login, post):
    editor = make.editor()
    story = make.story(None, Status.IN_REVIEW)
    login(editor)
    assert ">Follow</button>" in client.get(url(story)).get_data(as_text=True)
    assert post(url(story, "/follow"), {"follow": "1"}).status_code == 302
    assert db.session.get(StoryFollow, (story.id, editor.id)) is not None
    assert ">Stop following</button>" in client.get(url(story)).get_data(as_text=True)
    assert post(url(story, "/follow"), {"follow": "0"}).status_code == 302
    assert db.session.get(StoryFollow, (story.id, editor.id)) is None


def test_a_reader_may_follow_a_published_story_but_not_a_draft(make, client, login, post):
    reader = make.writer()
    published, draft = make.published(), make.story(None, Status.DRAFT)
    login(reader)
    response = post(url(published, "/follow"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/{published.slug}")
    assert db.session.get(StoryFollow, (published.id, reader.id)) is not None
    assert post(url(draft, "/follow")).status_code == 404


# --- the changes since one's last review -------------------------------------------------------


def test_editor_sees_what_changed_since_they_asked_for_changes(make, client, login, post):
    writer, editor = make.writer(), make.editor()
    story = make.story(writer, Status.IN_REVIEW, body="The first line.\nThe second line.")
    make.move(editor, story, "request_changes", note="Say more in the second line.")
    story = reload(story)
    revisions.save(writer, story, revisions.Text(story.title, story.excerpt,
                   "The first line.\nThe second line, with more."),
                   base_revision=story.revision_number)  # fmt: skip
    db.session.commit()
    login(editor)
    page = client.get(url(story)).get_data(as_text=True)
    assert "Changes since your last review" in page
    response = client.get(url(story, "/review-diff"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "From revision 1 (your last review) to revision 2 (now)." in html
    assert "The second line<ins>, with more</ins>." in html


def test_review_diff_says_when_nothing_changed_or_never_reviewed(make, client, login):
    editor = make.editor()
    story = make.story(None, Status.IN_REVIEW)
    login(editor)
    assert 'id="never-reviewed"' in client.get(url(story, "/review-diff")).get_data(as_text=True)
    make.move(editor, story, "request_changes", note="More, please.")
    html = client.get(url(story, "/review-diff")).get_data(as_text=True)
    assert 'id="no-changes"' in html
    assert client.get(url(story, "/review-diff?since=abc")).status_code == 200


def test_review_diff_is_for_insiders_only(make, client, login):
    story = make.published()
    login(make.writer())
    assert client.get(url(story, "/review-diff")).status_code == 404


def test_last_review_is_the_revision_of_the_last_decision(make):
    from plugins.blog.services import queue

    writer, editor = make.writer(), make.editor()
    story = make.story(writer, Status.IN_REVIEW)
    assert queue.last_review(editor, story) is None
    make.move(editor, story, "request_changes", note="Again.")
    assert queue.last_review(editor, reload(story)) == 1
    assert queue.last_review(make.editor(), reload(story)) is None
    diff = queue.review_diff(reload(story), 1)
    assert not diff.changed and diff.since == diff.head == 1
    assert queue.review_diff(reload(story), 0).changed  # from nothing: all of it is new
