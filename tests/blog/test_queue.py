"""The editorial queue (editors only): statuses waiting for an editor, filters by status,
category, writer and due date, sorting by time waiting, due date or last change, pages; and
"my stories", a person's own pitches and stories."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from plugins.blog.models import Status, Story
from plugins.blog.services import queue
from space.db import db, utcnow

from .conftest import reload


def ids(html: str) -> list[int]:
    """The ids of the stories listed, in order."""
    import re

    return [int(n) for n in re.findall(r'<li class="card editorial-row" id="story-(\d+)"', html)]


def set_fields(story, **values):
    db.session.execute(update(Story).where(Story.id == story.id).values(**values))
    db.session.commit()
    return reload(story)


@pytest.fixture
def editor(make, login):
    person = make.editor()
    login(person)
    return person


# --- who -------------------------------------------------------------------------------------


def test_the_queue_is_for_editors(make, client, login):
    response = client.get("/blog/editorial")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(make.author())
    assert client.get("/blog/editorial").status_code == 403


def test_admins_work_the_queue_too(make, client, login):
    login(make.admin())
    assert client.get("/blog/editorial").status_code == 200


def test_the_queue_link_is_shown_to_editors_only(make, client, login, editor):
    html = client.get("/blog/stories").get_data(as_text=True)
    assert 'href="/blog/editorial"' in html


# --- what it lists ---------------------------------------------------------------------------


def test_queue_lists_the_statuses_waiting_for_editors_oldest_first(make, client, editor):
    now = utcnow()
    waiting = {}
    for age, status in enumerate([Status.PITCH, Status.IN_REVIEW, Status.CHANGES_REQUESTED,
                                  Status.APPROVED, Status.SCHEDULED]):  # fmt: skip
        story = make.story(None, status)
        waiting[status] = set_fields(story, submitted_at=now - timedelta(hours=age + 1))
    for status in (Status.DRAFT, Status.PUBLISHED, Status.REJECTED, Status.TRASH,
                   Status.DECLINED):  # fmt: skip
        make.story(None, status)
    html = client.get("/blog/editorial").get_data(as_text=True)
    order = [Status.SCHEDULED, Status.APPROVED, Status.CHANGES_REQUESTED, Status.IN_REVIEW,
             Status.PITCH]  # fmt: skip
    assert ids(html) == [waiting[s].id for s in order]
    assert "5 stories" in html
    assert (
        'href="/blog/editorial?status=in_review">In review <span class="editorial-count">1' in html
    )


def test_queue_filters_by_status(make, client, editor):
    review = make.story(None, Status.IN_REVIEW)
    make.story(None, Status.PITCH)
    html = client.get("/blog/editorial?status=in_review").get_data(as_text=True)
    assert ids(html) == [review.id]


def test_queue_filters_by_category(make, client, editor):
    politics = make.category("Politics")
    mine = make.story(None, Status.IN_REVIEW, category=politics)
    make.story(None, Status.IN_REVIEW)
    html = client.get(f"/blog/editorial?category={politics.slug}").get_data(as_text=True)
    assert ids(html) == [mine.id]


def test_queue_filters_by_writer_including_co_writers(make, client, editor):
    ana, bo = make.writer(), make.writer()
    lead = make.story(ana, Status.IN_REVIEW)
    co = make.story(bo, Status.APPROVED, writers=[ana])
    make.story(bo, Status.IN_REVIEW)
    html = client.get(f"/blog/editorial?writer={ana.username.upper()}&sort=updated")
    assert sorted(ids(html.get_data(as_text=True))) == sorted([lead.id, co.id])


def test_queue_filters_by_due_date(make, client, editor):
    today = utcnow().date()
    late = set_fields(
        make.story(None, Status.CHANGES_REQUESTED), due_date=today - timedelta(days=2)
    )
    soon = set_fields(make.story(None, Status.IN_REVIEW), due_date=today + timedelta(days=3))
    set_fields(make.story(None, Status.IN_REVIEW), due_date=today + timedelta(days=30))
    make.story(None, Status.IN_REVIEW)
    overdue = client.get("/blog/editorial?due=overdue").get_data(as_text=True)
    assert ids(overdue) == [late.id] and "overdue</strong>" in overdue
    assert ids(client.get("/blog/editorial?due=week").get_data(as_text=True)) == [soon.id]


def test_queue_sorts_by_due_date_and_by_last_change(make, client, editor):
    today = utcnow().date()
    now = utcnow()
    a = set_fields(make.story(None, Status.IN_REVIEW), due_date=today + timedelta(days=9),
                   updated_at=now - timedelta(days=1))  # fmt: skip
    b = set_fields(make.story(None, Status.IN_REVIEW), due_date=today + timedelta(days=2),
                   updated_at=now - timedelta(days=3))  # fmt: skip
    c = set_fields(make.story(None, Status.IN_REVIEW), due_date=None, updated_at=now)
    by_due = client.get("/blog/editorial?sort=due").get_data(as_text=True)
    assert ids(by_due) == [b.id, a.id, c.id]
    by_change = client.get("/blog/editorial?sort=updated").get_data(as_text=True)
    assert ids(by_change) == [c.id, a.id, b.id]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=published", "Not a valid choice."),
        ("status=nonsense", "Not a valid choice."),
        ("due=yesterday", "Not a valid choice."),
        ("sort=random", "Not a valid choice."),
        ("category=no-such-category", "Not a valid choice."),
        ("writer=nobody-at-all", "There is no one with this username."),
        ("writer=" + "x" * 41, "Use at most 40 characters."),
    ],
)
def test_bad_filters_are_a_400_with_the_form(make, client, editor, query, message):
    response = client.get(f"/blog/editorial?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and 'id="queue-filters"' in html


def test_queue_is_paginated(make, client, editor, app):
    app.config["SPACE_PAGE_SIZE"] = 2
    stories = [make.story(None, Status.IN_REVIEW) for _ in range(3)]
    first = client.get("/blog/editorial").get_data(as_text=True)
    second = client.get("/blog/editorial?page=2").get_data(as_text=True)
    assert len(ids(first)) == 2 and len(ids(second)) == 1
    assert sorted(ids(first) + ids(second)) == sorted(s.id for s in stories)
    assert 'href="/blog/editorial?page=2"' in first
    assert client.get("/blog/editorial?page=abc").status_code == 400
    assert client.get("/blog/editorial?page=9").status_code == 404


def test_filters_are_kept_across_pages(make, client, editor, app):
    app.config["SPACE_PAGE_SIZE"] = 1
    for _ in range(2):
        make.story(None, Status.IN_REVIEW)
    html = client.get("/blog/editorial?status=in_review&sort=updated").get_data(as_text=True)
    assert 'href="/blog/editorial?status=in_review&amp;sort=updated&amp;page=2"' in html


# --- my stories ------------------------------------------------------------------------------


def test_my_stories_lists_my_pitches_and_what_i_write(make, client, login):
    me, other = make.writer(), make.writer()
    pitch = make.pitch(me)
    lead = make.story(me, Status.IN_REVIEW)
    co = make.story(other, Status.DRAFT, writers=[me])
    published = make.published(me)
    make.story(me, Status.TRASH)
    make.story(other, Status.DRAFT)
    login(me)
    html = client.get("/blog/stories").get_data(as_text=True)
    assert sorted(ids(html)) == sorted([pitch.id, lead.id, co.id, published.id])
    assert "4 stories and pitches" in html


def test_my_stories_is_for_people_with_an_account(client, make, login):
    response = client.get("/blog/stories")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(make.writer())
    html = client.get("/blog/stories").get_data(as_text=True)
    assert 'id="mine-empty"' in html and 'href="/blog/pitch"' in html


# --- query budgets -----------------------------------------------------------------------------


def _queue_queries(client, count_queries) -> int:
    client.get("/blog/editorial")  # the first request of the day records the visit
    with count_queries() as counter:
        response = client.get("/blog/editorial")
    assert response.status_code == 200
    return counter.count


def test_the_queue_costs_the_same_queries_for_2_or_30_stories(make, client, editor, count_queries):
    categories = [make.category() for _ in range(3)]
    for n in range(2):
        make.story(None, Status.IN_REVIEW, category=categories[n % 3], writers=[make.writer()])
    small = _queue_queries(client, count_queries)
    for n in range(28):
        status = [Status.IN_REVIEW, Status.APPROVED, Status.PITCH][n % 3]
        if status == Status.PITCH:
            make.pitch()
        else:
            make.story(None, status, category=categories[n % 3], writers=[make.writer()])
    large = _queue_queries(client, count_queries)
    assert small == large == QUEUE_BUDGET


def test_my_stories_cost_the_same_queries_for_2_or_30(make, client, login, count_queries):
    me = make.writer()
    login(me)
    for _ in range(2):
        make.story(me, Status.DRAFT, writers=[make.writer()])

    def cost():
        client.get("/blog/stories")  # the first request of the day records the visit
        with count_queries() as counter:
            assert client.get("/blog/stories").status_code == 200
        return counter.count

    small = cost()
    for n in range(28):
        make.pitch(me) if n % 2 else make.story(me, Status.IN_REVIEW)
    assert cost() == small == MINE_BUDGET


def test_queue_service_loads_writers_category_and_pitcher(make, count_queries):
    make.pitch()
    make.story(None, Status.IN_REVIEW, writers=[make.writer()])
    with count_queries() as counter:
        page = queue.editorial_queue(queue.Filters(), 1, per_page=10)
        seen = [(s.category.name if s.category else None,
                 [a.user.username for a in s.authors],
                 s.pitched_by.username if s.pitched_by else None) for s in page.items]  # fmt: skip
    assert counter.count == 3  # the count, the page, the writers
    assert len(seen) == 2 and page.total == 2


# The person, the header (unread notifications, settings, Discuss's categories for the nav),
# then the page: (the categories and the counts per status for the queue), the stories with
# their category and people joined, their writers, the total.
QUEUE_BUDGET = 9
MINE_BUDGET = 7
