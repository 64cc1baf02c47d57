"""A story's revisions: the list, side-by-side comparison of any two, restoring one (a new
revision), who sees them, and query budgets that do not grow with the number of revisions."""

from __future__ import annotations

import pytest

from plugins.blog.models import Status
from plugins.blog.services import history, locks, revisions
from plugins.blog.services.workflow import WorkflowError
from space.db import db

from .conftest import reload


def _writer(story):
    from space.accounts.models import User

    return db.session.get(User, story.writer_id)


def _save(story, user, body, title=None):
    story = reload(story)
    revisions.save(user, story, revisions.Text(title or story.title, story.excerpt, body),
                   base_revision=story.revision_number)  # fmt: skip
    db.session.commit()
    return reload(story)


@pytest.fixture
def story(make):
    """Three revisions: the first text, an edit of its second line, a new title."""
    story = make.story(title="The river festival", body="First line.\nSecond line.")
    writer = _writer(story)
    story = _save(story, writer, "First line.\nSecond line, better.")
    return _save(story, writer, "First line.\nSecond line, better.", title="The river party")


# --- the service ------------------------------------------------------------------------------


def test_the_list_is_newest_first_with_authors_and_without_text(story):
    listed = history.revisions(story)
    assert [r.number for r in listed] == [3, 2, 1]
    assert listed[0].user.id == story.writer_id
    with pytest.raises(Exception, match="raise"):
        listed[0].body  # noqa: B018 - the list never loads the text


def test_the_list_is_paginated(make, story):
    assert [r.number for r in history.revisions(story, page=2, per_page=2)] == [1]
    assert history.pages(story, per_page=2) == 2
    assert history.revisions(story, page=9, per_page=2) == []


def test_get_one_revision(story):
    assert history.get(story, 2).body == "First line.\nSecond line, better."
    assert history.get(story, 0) is None
    assert history.get(story, 4) is None


def test_compare_two_revisions_side_by_side(story):
    comparison = history.compare(story, 1, 3)
    assert comparison.changed == ["title", "body"]
    body = comparison.rows["body"]
    assert [row.kind for row in body] == ["equal", "replace"]
    assert "<ins>, better</ins>" in str(body[1].right)
    assert "<del>festival</del>" in str(comparison.rows["title"][0].left)
    assert history.compare(story, 1, 9) is None
    assert history.compare(story, 2, 2).changed == []


def test_restore_is_a_new_revision_with_the_old_text(story):
    writer = _writer(story)
    restored = history.restore(writer, story, 1, base_revision=3)
    db.session.commit()
    story = reload(story)
    assert restored.number == 4
    assert restored.note == "restore:1"
    assert story.title == "The river festival"
    assert story.body == "First line.\nSecond line."
    assert [r.number for r in history.revisions(story)] == [4, 3, 2, 1]
    assert history.get(story, 3).title == "The river party"  # nothing is rewritten


def test_restore_from_a_stale_page_is_refused(story):
    with pytest.raises(revisions.StaleSave):
        history.restore(_writer(story), story, 1, base_revision=2)


def test_restoring_an_unknown_revision_or_the_current_text(story):
    writer = _writer(story)
    with pytest.raises(LookupError):
        history.restore(writer, story, 9, base_revision=3)
    assert history.restore(writer, story, 3, base_revision=3) is None


def test_restoring_a_text_that_breaks_todays_limits_is_refused(story):
    from plugins.blog import settings

    settings.put("title_max_length", 10)
    db.session.commit()
    with pytest.raises(WorkflowError):
        history.restore(_writer(story), story, 1, base_revision=3)


# --- the page ---------------------------------------------------------------------------------


def test_the_revisions_page_compares_the_last_two_by_default(story, client, login):
    login(_writer(story))
    response = client.get(f"/blog/stories/{story.id}/revisions")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Version 2 compared with version 3" in html
    assert "<ins>party</ins>" in html
    assert "The body is the same." not in html and "The text is the same." in html
    assert html.count('id="revision-') == 3


def test_any_two_can_be_compared(story, client, login):
    login(_writer(story))
    html = client.get(f"/blog/stories/{story.id}/revisions?a=1&b=2").get_data(as_text=True)
    assert "Version 1 compared with version 2" in html
    assert "<ins>, better</ins>" in html


@pytest.mark.parametrize("query", ["a=0&b=99", "a=x&b=-1", "a=1e3&b=", "a=99999999999&b=2",
                                   "page=0", "page=abc", "page=99"])  # fmt: skip
def test_bad_choices_fall_back_to_the_last_two(story, client, login, query):
    login(_writer(story))
    response = client.get(f"/blog/stories/{story.id}/revisions?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "compared with version" in html


def test_readers_never_see_the_revisions_of_a_published_story(make, client, login):
    story = make.published()
    assert client.get(f"/blog/stories/{story.id}/revisions").status_code == 404
    login(make.writer())
    assert client.get(f"/blog/stories/{story.id}/revisions").status_code == 404


def test_editors_see_the_revisions(story, make, client, login):
    login(make.editor())
    assert client.get(f"/blog/stories/{story.id}/revisions").status_code == 200


def test_restore_through_the_page(story, client, login, post):
    login(_writer(story))
    path = f"/blog/stories/{story.id}/revisions"
    response = post(f"{path}/1/restore", {"base_revision": "3"}, token_from=path)
    assert response.status_code == 302
    assert "a=1&b=4" in response.headers["Location"]
    story = reload(story)
    assert story.revision_number == 4
    assert story.body == "First line.\nSecond line."
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Version 1 is restored as version 4." in page
    assert "restored version 1" in page


def test_restore_from_a_stale_page_says_so_and_changes_nothing(story, client, login, post):
    login(_writer(story))
    path = f"/blog/stories/{story.id}/revisions"
    response = post(f"{path}/1/restore", {"base_revision": "2"}, token_from=path)
    assert response.status_code == 302
    assert reload(story).revision_number == 3
    assert "Someone saved a newer version meanwhile" in client.get(path).get_data(as_text=True)


def test_restore_while_someone_else_edits_is_refused(story, make, client, login, post):
    editor = make.editor()
    locks.acquire(editor, story)
    db.session.commit()
    login(_writer(story))
    path = f"/blog/stories/{story.id}/revisions"
    post(f"{path}/1/restore", {"base_revision": "3"}, token_from=path)
    assert reload(story).revision_number == 3
    assert f"{editor.name} is editing this story" in client.get(path).get_data(as_text=True)


@pytest.mark.parametrize("base", ["", "abc", "-1"])
def test_restore_with_a_bad_base_is_a_400(story, client, login, post, base):
    login(_writer(story))
    path = f"/blog/stories/{story.id}/revisions"
    assert post(f"{path}/1/restore", {"base_revision": base}, token_from=path).status_code == 400
    assert post(f"{path}/9/restore", {"base_revision": "3"}, token_from=path).status_code == 404


def test_restore_needs_edit_rights(make, client, login, post):
    story = make.story(status=Status.IN_REVIEW)
    story = _save(story, make.editor(), "Edited by an editor")
    login(_writer(story))
    path = f"/blog/stories/{story.id}/revisions"
    page = client.get(path).get_data(as_text=True)
    assert "Restore this version" not in page
    assert post(f"{path}/1/restore", {"base_revision": "2"}, token_from=path).status_code == 403


# --- query budgets ------------------------------------------------------------------------


def _with_revisions(make, n):
    story = make.story()
    writer = _writer(story)
    for i in range(2, n + 1):
        story = _save(story, writer, f"{story.body}\nLine {i}.")
    assert story.revision_number == n
    return story


def _queries(client, count_queries, path):
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


def test_the_revisions_page_costs_the_same_for_2_and_30_revisions(make, client, login,
                                                                   count_queries):  # fmt: skip
    small, large = _with_revisions(make, 2), _with_revisions(make, 30)
    editor = make.editor()
    login(editor)
    path = "/blog/stories/{}/revisions"
    client.get(path.format(small.id))  # warm caches (settings, …)
    few = _queries(client, count_queries, path.format(small.id))
    many = _queries(client, count_queries, path.format(large.id))
    assert few == many
    assert many <= 14


def test_the_edit_page_costs_the_same_for_2_and_30_revisions(make, client, login,
                                                              count_queries):  # fmt: skip
    small, large = _with_revisions(make, 2), _with_revisions(make, 30)
    login(make.editor())
    path = "/blog/stories/{}/edit"
    client.get(path.format(small.id))
    few = _queries(client, count_queries, path.format(small.id))
    many = _queries(client, count_queries, path.format(large.id))
    assert few == many
    assert many <= 14
