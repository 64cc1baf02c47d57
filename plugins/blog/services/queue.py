"""The editorial queue (what editors have to look at), a person's own stories, and what
changed since someone's last review.

Lists are paginated and cost a fixed number of queries whatever their size: a count, one page
of stories with their category, lead writer and pitcher joined, and their writers in one
more query. The caller checked ``require(user, "blog.queue")`` for the queue and
``"blog.story.read"`` on the story for ``last_review``/``review_diff``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from space import diffs
from space.db import db, utcnow

from ..models import Status, Story, StoryAuthor, StoryDecision, StoryRevision
from .revisions import Text

# Statuses waiting for an editor, in the order of the flow.
QUEUE_STATUSES = (Status.PITCH, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED,
                  Status.SCHEDULED)  # fmt: skip
# ?due=: stories past their due date, or due within the next seven days.
DUE_FILTERS = ("overdue", "week")
# ?sort=: time waiting (oldest submission first), due date (soonest first), last change.
SORTS = ("waiting", "due", "updated")
DEFAULT_SORT = "waiting"
# The decisions that count as a review.
REVIEW_ACTIONS = ("approve", "request_changes", "reject")


@dataclass(frozen=True)
class Filters:
    status: Status | None = None
    category_id: int | None = None
    writer_id: int | None = None
    due: str | None = None
    sort: str = DEFAULT_SORT


def page_size() -> int:
    return int(current_app.config["SPACE_PAGE_SIZE"])


def _loaded(query):
    return query.options(
        joinedload(Story.category),
        joinedload(Story.writer),
        joinedload(Story.pitched_by),
        selectinload(Story.authors).joinedload(StoryAuthor.user),
    )


def _writes(user_id: int):
    return exists().where(StoryAuthor.story_id == Story.id, StoryAuthor.user_id == user_id)


def queue_query(filters: Filters, today: date | None = None):
    """The stories of the queue matching ``filters``, in the asked order."""
    today = today or utcnow().date()
    query = select(Story)
    if filters.status is not None:
        query = query.where(Story.status == filters.status)
    else:
        query = query.where(Story.status.in_(QUEUE_STATUSES))
    if filters.category_id is not None:
        query = query.where(Story.category_id == filters.category_id)
    if filters.writer_id is not None:
        query = query.where(or_(Story.writer_id == filters.writer_id, _writes(filters.writer_id)))
    if filters.due == "overdue":
        query = query.where(Story.due_date < today)
    elif filters.due == "week":
        query = query.where(Story.due_date >= today, Story.due_date < today + timedelta(days=7))
    if filters.sort == "due":
        order = [Story.due_date.is_(None), Story.due_date, Story.submitted_at.is_(None),
                 Story.submitted_at]  # fmt: skip
    elif filters.sort == "updated":
        order = [Story.updated_at.desc()]
    else:
        order = [Story.submitted_at.is_(None), Story.submitted_at, Story.updated_at]
    return query.order_by(*order, Story.id)


def editorial_queue(filters: Filters, page: int, per_page: int | None = None):
    """One page of the queue (a ``Pagination``: ``items``, ``total``, ``pages``…)."""
    return db.paginate(_loaded(queue_query(filters)), page=page,
                       per_page=per_page or page_size(), error_out=False)  # fmt: skip


def status_counts() -> dict[Status, int]:
    """How many stories wait in each status of the queue (one query)."""
    rows = db.session.execute(
        select(Story.status, func.count())
        .where(Story.status.in_(QUEUE_STATUSES))
        .group_by(Story.status)
    ).all()
    counts = dict.fromkeys(QUEUE_STATUSES, 0)
    counts.update({Status(status): number for status, number in rows})
    return counts


def mine_query(user):
    """``user``'s pitches and the stories they write, in any status but the trash, most
    recently changed first."""
    return (
        select(Story)
        .where(
            Story.status != Status.TRASH,
            or_(Story.pitched_by_id == user.id, Story.writer_id == user.id, _writes(user.id)),
        )
        .order_by(Story.updated_at.desc(), Story.id.desc())
    )


def mine(user, page: int = 1, per_page: int | None = None):
    """One page of ``mine_query`` (a ``Pagination``)."""
    return db.paginate(_loaded(mine_query(user)), page=page, per_page=per_page or page_size(),
                       error_out=False)  # fmt: skip


# --- changes since one's last review -----------------------------------------------------------


def last_review(user, story: Story) -> int | None:
    """The revision number ``user``'s last review decision on ``story`` was made on (None:
    they never reviewed it)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(StoryDecision.revision_number)
        .where(
            StoryDecision.story_id == story.id,
            StoryDecision.user_id == user.id,
            StoryDecision.action.in_(REVIEW_ACTIONS),
        )
        .order_by(StoryDecision.created_at.desc(), StoryDecision.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class ReviewDiff:
    """Rows of ``diffs.side_by_side`` for the title, excerpt and body, from revision
    ``since`` (``old``: None when there is no such revision) to the head."""

    since: int
    head: int
    old: StoryRevision | None
    title: list
    excerpt: list
    body: list

    @property
    def changed(self) -> bool:
        return any(row.kind != "equal" for row in (*self.title, *self.excerpt, *self.body))


def review_diff(story: Story, since: int) -> ReviewDiff:
    """What changed in the story's text from revision ``since`` to now (one query)."""
    old = None
    if 0 < since <= story.revision_number:
        old = db.session.scalar(
            select(StoryRevision).where(
                StoryRevision.story_id == story.id, StoryRevision.number == since
            )
        )
    before = Text.of(old) if old is not None else Text("", "", "")
    now = Text.of(story)
    return ReviewDiff(
        since=since,
        head=story.revision_number,
        old=old,
        title=diffs.side_by_side(before.title, now.title),
        excerpt=diffs.side_by_side(before.excerpt, now.excerpt),
        body=diffs.side_by_side(before.body, now.body),
    )
