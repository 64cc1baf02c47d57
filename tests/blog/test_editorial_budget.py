"""A story's editorial page costs a fixed number of queries, however many revisions,
decisions and comments the story has."""

from __future__ import annotations

from plugins.blog.models import Status
from plugins.blog.services import comments, revisions
from space.db import db

from .conftest import reload

# The person, the story and its writers, the history with its people, the comments with
# theirs, whether the viewer follows, their last review, whether they approved since the
# last substantive edit (the "approve" button), the header (unread notifications, settings,
# Discuss's categories for the nav).
MANAGE_BUDGET = 11
# A published story has no "approve" button to check, but shows its discussion topic's link:
# the topic and its best replies (none asked); Discuss's categories are read once anyway.
PUBLISHED_BUDGET = MANAGE_BUDGET - 1 + 2


def grow(make, story, n: int):
    """Give ``story`` ``n`` more revisions, ``n`` comments (half of them replies) and about
    ``n`` decisions (request changes, submit again)."""
    editor, writer = make.editor(), reload(story).authors[0].user_id
    from space.accounts.models import User

    writer = db.session.get(User, writer)
    for i in range(n):
        story = reload(story)
        text = revisions.Text(story.title, story.excerpt, story.body + f"\n\nMore {i}.")
        revisions.save(writer, story, text, base_revision=story.revision_number)
        root = comments.add(editor if i % 2 else writer, story, f"Comment {i}")
        db.session.flush()
        if i % 2:
            comments.add(writer, story, f"Answer {i}", root.id)
        db.session.commit()
    for _ in range(n // 2):
        story = make.move(editor, story, "request_changes", note="Again, please.")
        story = make.move(writer, story, "submit")
    return reload(story)


def cost(client, count_queries, story) -> int:
    path = f"/blog/stories/{story.id}"
    client.get(path)  # the first request of the day records the visit
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


def test_manage_page_costs_the_same_for_2_or_30_of_everything(make, client, login,
                                                              count_queries):  # fmt: skip
    small = grow(make, make.story(None, Status.IN_REVIEW, writers=[make.writer()]), 2)
    large = grow(make, make.story(None, Status.IN_REVIEW, writers=[make.writer()]), 30)
    assert large.revision_number > 30 and small.revision_number < 5
    editor = make.editor()
    login(editor)
    small_cost = cost(client, count_queries, small)
    large_cost = cost(client, count_queries, large)
    html = client.get(f"/blog/stories/{large.id}").get_data(as_text=True)
    assert html.count('class="editorial-comment') >= 45
    assert html.count("requested changes") == 15
    assert small_cost == large_cost == MANAGE_BUDGET


def test_manage_page_of_a_published_story_costs_a_fixed_number_too(make, client, login,
                                                                   count_queries):  # fmt: skip
    editor = make.editor()
    published = make.published()
    assert published.topic_id is not None
    login(editor)
    first = cost(client, count_queries, published)
    for i in range(10):
        comments.add(editor, reload(published), f"Correction {i}")
    db.session.commit()
    assert cost(client, count_queries, published) == first == PUBLISHED_BUDGET
    assert "Its discussion (0 replies)" in client.get(f"/blog/stories/{published.id}").get_data(
        as_text=True
    )
