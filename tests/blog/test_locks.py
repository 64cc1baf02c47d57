"""The edit lock: one holder at a time, expiry 150 s after the last heartbeat, explicit
take-over, and what the editor's pages and JSON endpoints say about it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from plugins.blog.models import Status, Story
from plugins.blog.services import locks
from space.db import db, utcnow

from .conftest import reload


@pytest.fixture
def story(make):
    return make.story()


def _writer(story):
    from space.accounts.models import User

    return db.session.get(User, story.writer_id)


def _beat_at(story, when):
    """Pretend the holder's last heartbeat was at ``when``."""
    db.session.execute(update(Story).where(Story.id == story.id).values(lock_heartbeat_at=when))
    db.session.commit()


# --- the service ---------------------------------------------------------------------------


def test_a_free_story_is_locked_by_the_first_who_opens_it(make, story):
    writer = _writer(story)
    assert locks.holder(story) is None
    locks.acquire(writer, story)
    db.session.commit()
    story = reload(story)
    assert story.lock_user_id == writer.id
    assert locks.holder(story).id == writer.id


def test_a_second_person_is_refused_and_told_who_holds_the_lock(make, story):
    writer, editor = _writer(story), make.editor()
    locks.acquire(writer, story)
    db.session.commit()
    with pytest.raises(locks.Locked) as refused:
        locks.acquire(editor, reload(story))
    assert refused.value.holder.id == writer.id
    assert refused.value.since is not None
    assert reload(story).lock_user_id == writer.id


def test_a_stale_copy_of_the_story_cannot_win_the_lock(make, story):
    """Two people load the story while it is free; the first to write wins, the second's
    conditional UPDATE changes nothing (what would happen when both click at once)."""
    from sqlalchemy.orm.attributes import set_committed_value

    writer, editor = _writer(story), make.editor()
    locks.acquire(writer, reload(story))
    db.session.commit()
    seen_by_editor = reload(story)
    # As the editor's request read it, a moment before the writer's UPDATE.
    set_committed_value(seen_by_editor, "lock_user_id", None)
    set_committed_value(seen_by_editor, "lock_heartbeat_at", None)
    with pytest.raises(locks.Locked) as refused:
        locks.acquire(editor, seen_by_editor)
    assert refused.value.holder.id == writer.id
    assert reload(story).lock_user_id == writer.id


def test_acquiring_again_refreshes_ones_own_lock(make, story):
    writer = _writer(story)
    earlier = utcnow() - timedelta(seconds=100)
    locks.acquire(writer, story, now=earlier)
    db.session.commit()
    locks.acquire(writer, reload(story))
    db.session.commit()
    assert reload(story).lock_heartbeat_at > earlier + timedelta(seconds=90)


def test_the_lock_expires_150_seconds_after_the_last_heartbeat(make, story):
    writer, editor = _writer(story), make.editor()
    start = utcnow()
    locks.acquire(writer, story, now=start)
    db.session.commit()
    story = reload(story)
    assert locks.holder(story, start + timedelta(seconds=149)).id == writer.id
    assert locks.holder(story, start + timedelta(seconds=150)) is None
    with pytest.raises(locks.Locked):
        locks.acquire(editor, story, now=start + timedelta(seconds=149))
    locks.acquire(editor, reload(story), now=start + timedelta(seconds=151))
    db.session.commit()
    assert reload(story).lock_user_id == editor.id


def test_the_lifetime_is_a_setting(make, story):
    from plugins.blog import settings

    settings.put("lock_seconds", 60)
    db.session.commit()
    writer = _writer(story)
    start = utcnow()
    locks.acquire(writer, story, now=start)
    db.session.commit()
    assert locks.holder(reload(story), start + timedelta(seconds=61)) is None


def test_a_heartbeat_keeps_the_lock_alive(make, story):
    writer, editor = _writer(story), make.editor()
    start = utcnow() - timedelta(seconds=140)
    locks.acquire(writer, story, now=start)
    db.session.commit()
    locks.heartbeat(writer, reload(story))
    db.session.commit()
    with pytest.raises(locks.Locked):
        locks.acquire(editor, reload(story), now=start + timedelta(seconds=200))


def test_a_heartbeat_after_a_take_over_fails_with_the_new_holder(make, story):
    writer, editor = _writer(story), make.editor()
    locks.acquire(writer, story)
    db.session.commit()
    previous = locks.take_over(editor, reload(story))
    db.session.commit()
    assert previous.id == writer.id
    with pytest.raises(locks.TakenOver) as taken:
        locks.heartbeat(writer, reload(story))
    assert taken.value.holder.id == editor.id
    assert reload(story).lock_user_id == editor.id


def test_a_heartbeat_after_expiry_takes_the_lock_back_when_nobody_else_has_it(make, story):
    writer = _writer(story)
    locks.acquire(writer, story, now=utcnow() - timedelta(seconds=600))
    db.session.commit()
    locks.heartbeat(writer, reload(story))
    db.session.commit()
    assert locks.holder(reload(story)).id == writer.id


def test_take_over_of_a_free_story_says_nobody_was_there(make, story):
    editor = make.editor()
    assert locks.take_over(editor, story) is None
    db.session.commit()
    assert reload(story).lock_user_id == editor.id


def test_release_gives_up_only_ones_own_lock(make, story):
    writer, editor = _writer(story), make.editor()
    locks.acquire(writer, story)
    db.session.commit()
    assert locks.release(editor, reload(story)) is False
    assert locks.release(writer, reload(story)) is True
    db.session.commit()
    story = reload(story)
    assert story.lock_user_id is None and story.lock_heartbeat_at is None


# --- through the pages ----------------------------------------------------------------------


def test_opening_the_editor_takes_the_lock(make, story, client, login):
    writer = _writer(story)
    login(writer)
    response = client.get(f"/blog/stories/{story.id}/edit")
    assert response.status_code == 200
    assert "data-story-editor" in response.get_data(as_text=True)
    assert reload(story).lock_user_id == writer.id


def test_a_second_person_sees_who_is_editing_and_a_take_over_button(make, story, client, login):
    writer = _writer(story)
    locks.acquire(writer, story)
    db.session.commit()
    editor = make.editor()
    login(editor)
    response = client.get(f"/blog/stories/{story.id}/edit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{writer.name} is editing this story" in html
    assert f"/blog/stories/{story.id}/lock/take" in html
    assert "data-story-editor" not in html
    assert reload(story).lock_user_id == writer.id


def test_an_expired_lock_does_not_stop_the_next_editor(make, story, client, login):
    writer = _writer(story)
    locks.acquire(writer, story)
    db.session.commit()
    _beat_at(story, utcnow() - timedelta(seconds=151))
    editor = make.editor()
    login(editor)
    response = client.get(f"/blog/stories/{story.id}/edit")
    assert "data-story-editor" in response.get_data(as_text=True)
    assert reload(story).lock_user_id == editor.id


def test_take_over_through_the_page_then_the_old_holders_heartbeat_gets_409(
    make, story, app, login, post
):
    writer, editor = _writer(story), make.editor()
    locks.acquire(writer, story)
    db.session.commit()
    other = app.test_client()  # the writer's browser, the ``client`` fixture is the editor's
    token = _login_other(other, writer)
    login(editor)
    response = post(f"/blog/stories/{story.id}/lock/take")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/stories/{story.id}/edit")
    assert reload(story).lock_user_id == editor.id
    beat = other.post(f"/blog/stories/{story.id}/lock", headers={"X-CSRFToken": token})
    assert beat.status_code == 409
    assert beat.get_json()["holder"] == editor.name
    assert editor.name in beat.get_json()["error"]


def _login_other(other, user):
    """Sign ``user`` in on a second client; returns that client's CSRF token."""
    from tests.conftest import csrf_token

    token = csrf_token(other)
    response = other.post("/login", data={"login": user.username,
                                          "password": "correct horse battery",
                                          "csrf_token": token})  # fmt: skip
    assert response.status_code == 302
    return csrf_token(other, "/blog/stories")


def test_the_heartbeat_answers_when_the_lock_ends(make, story, client, login):
    from tests.conftest import csrf_token

    writer = _writer(story)
    login(writer)
    client.get(f"/blog/stories/{story.id}/edit")
    token = csrf_token(client, f"/blog/stories/{story.id}/edit")
    response = client.post(f"/blog/stories/{story.id}/lock", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert "expires_at" in response.get_json()


def test_the_heartbeat_needs_a_csrf_token(make, story, client, login):
    login(_writer(story))
    assert client.post(f"/blog/stories/{story.id}/lock").status_code == 400


def test_the_heartbeat_of_someone_who_may_not_edit_is_refused_in_json(make, story, client, login):
    from tests.conftest import csrf_token

    login(make.writer())
    token = csrf_token(client, "/blog/stories")
    response = client.post(f"/blog/stories/{story.id}/lock", headers={"X-CSRFToken": token})
    assert response.status_code == 404
    assert response.get_json()["error"]
    assert client.post("/blog/stories/999999/lock",
                       headers={"X-CSRFToken": token}).status_code == 404  # fmt: skip


def test_a_writer_whose_story_went_to_review_is_told_in_json(make, client, login):
    story = make.story(status=Status.IN_REVIEW)
    from tests.conftest import csrf_token

    login(_writer(story))
    token = csrf_token(client, "/blog/stories")
    response = client.post(f"/blog/stories/{story.id}/lock", headers={"X-CSRFToken": token})
    assert response.status_code == 403
    assert "no longer edit" in response.get_json()["error"]


def test_leaving_the_editor_releases_the_lock(make, story, client, login, post):
    writer = _writer(story)
    login(writer)
    client.get(f"/blog/stories/{story.id}/edit")
    response = post(f"/blog/stories/{story.id}/lock/release", {"beacon": "1"},
                    token_from=f"/blog/stories/{story.id}/edit")  # fmt: skip
    assert response.status_code == 204
    assert reload(story).lock_user_id is None
    response = post(f"/blog/stories/{story.id}/lock/release")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/stories/{story.id}")


def test_only_people_who_may_edit_take_over(make, story, client, login, post):
    writer = _writer(story)
    locks.acquire(writer, story)
    db.session.commit()
    login(make.writer())
    assert post(f"/blog/stories/{story.id}/lock/take").status_code == 404
    assert reload(story).lock_user_id == writer.id
