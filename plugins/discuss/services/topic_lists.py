"""Topic lists (latest, top, unsolved, a category's, a tag's) and the categories page.

Each list costs a fixed number of queries whatever the number of topics: a count, one page
of topics with their category, author and last poster joined and their tags in one more
query, and the viewer's reading state of those topics in one batched IN query. Lists only
hold listed, undeleted topics of categories the viewer may see
(``access.visible_category_ids``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil

from flask import current_app
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from space.db import db, utcnow
from space.paging import Page

from .. import access
from ..models import Access, Category, Tag, Topic, TopicUser, topic_tag

# ?period= of the "top" list: days back from now (None: all time).
PERIODS: dict[str, int | None] = {"day": 1, "week": 7, "month": 30, "year": 365, "all": None}
DEFAULT_PERIOD = "month"
# A topic counts as "new" for someone who never entered it during this time after creation.
NEW_TOPIC_DAYS = 2


def list_page_size() -> int:
    return int(current_app.config["SPACE_PAGE_SIZE"])


def posts_page_size() -> int:
    from ..settings import value

    return max(1, int(value("posts_per_page")))


# --- topic lists -----------------------------------------------------------------------------


@dataclass
class TopicList:
    """A page of topics with the viewer's reading state of each (``states``)."""

    page: Page
    states: dict[int, TopicUser]
    signed_in: bool
    now: datetime = field(default_factory=utcnow)

    @property
    def topics(self) -> list[Topic]:
        return self.page.items

    def unread(self, topic: Topic) -> int:
        """Posts the viewer has not read yet in a topic they entered."""
        state = self.states.get(topic.id)
        if state is None:
            return 0
        return max(0, topic.highest_post_number - state.last_read_post_number)

    def resume(self, topic: Topic) -> tuple[int, int] | None:
        """(page, post number) of the first unread post (numbers assumed dense)."""
        state = self.states.get(topic.id)
        if state is None or not self.unread(topic):
            return None
        number = min(state.last_read_post_number + 1, topic.highest_post_number)
        return max(1, ceil(number / posts_page_size())), number

    def is_new(self, topic: Topic) -> bool:
        """Never entered by the (signed-in) viewer and created in the last days."""
        return (
            self.signed_in
            and topic.id not in self.states
            and topic.created_at >= self.now - timedelta(days=NEW_TOPIC_DAYS)
        )


def _listed(user) -> list:
    return [
        Topic.category_id.in_(access.visible_category_ids(user)),
        Topic.deleted_at.is_(None),
        Topic.listed.is_(True),
    ]


def is_pinned(topic: Topic, now: datetime | None = None) -> bool:
    if topic.pinned_at is None:
        return False
    return topic.pinned_until is None or topic.pinned_until > (now or utcnow())


def _pinned_first(now: datetime):
    pinned = and_(
        Topic.pinned_at.is_not(None),
        or_(Topic.pinned_until.is_(None), Topic.pinned_until > now),
    )
    return case((pinned, 0), else_=1)


def _states(user, topic_ids: list[int]) -> dict[int, TopicUser]:
    if not getattr(user, "is_authenticated", False) or not topic_ids:
        return {}
    rows = db.session.scalars(
        select(TopicUser).where(TopicUser.user_id == user.id, TopicUser.topic_id.in_(topic_ids))
    )
    return {row.topic_id: row for row in rows}


def _topic_list(user, where: list, order: list, page: int) -> TopicList:
    size = list_page_size()
    total = db.session.scalar(select(func.count(Topic.id)).where(*where)) or 0
    topics: list[Topic] = []
    if total and (page - 1) * size < total:
        topics = list(
            db.session.scalars(
                select(Topic)
                .where(*where)
                .order_by(*order, Topic.id.desc())
                .limit(size)
                .offset((page - 1) * size)
                .options(
                    joinedload(Topic.category),
                    joinedload(Topic.user),
                    joinedload(Topic.last_post_user),
                    selectinload(Topic.tags),
                )
            ).unique()
        )
    states = _states(user, [t.id for t in topics])
    signed_in = bool(getattr(user, "is_authenticated", False))
    return TopicList(Page(topics, page, size, total), states, signed_in)


def latest(user, page: int = 1) -> TopicList:
    """Listed topics, pinned ones first (while pinned), then by last activity."""
    now = utcnow()
    return _topic_list(user, _listed(user), [_pinned_first(now), Topic.bumped_at.desc()], page)


def top(user, period: str = DEFAULT_PERIOD, page: int = 1) -> TopicList:
    """Topics created during ``period`` with the most likes and posts."""
    where = _listed(user)
    days = PERIODS[period]
    if days is not None:
        where.append(Topic.created_at >= utcnow() - timedelta(days=days))
    score = (Topic.like_count + Topic.post_count).desc()
    return _topic_list(user, where, [score, Topic.bumped_at.desc()], page)


def unsolved(user, page: int = 1) -> TopicList:
    """Questions without an accepted answer, in categories that accept answers."""
    qa = [c.id for c in access.all_categories() if c.accepts_answers]
    where = [*_listed(user), Topic.category_id.in_(qa), Topic.accepted_post_id.is_(None)]
    return _topic_list(user, where, [Topic.bumped_at.desc()], page)


def category_topics(user, category: Category, page: int = 1) -> TopicList:
    """Topics of ``category`` and of its (visible) sub-categories, pinned ones first."""
    ids = [category.id, *(c.id for c in subcategories(user, category))]
    where = [*_listed(user), Topic.category_id.in_(ids)]
    now = utcnow()
    return _topic_list(user, where, [_pinned_first(now), Topic.bumped_at.desc()], page)


def tag_topics(user, tag: Tag, page: int = 1) -> TopicList:
    where = [
        *_listed(user),
        Topic.id.in_(select(topic_tag.c.topic_id).where(topic_tag.c.tag_id == tag.id)),
    ]
    return _topic_list(user, where, [Topic.bumped_at.desc()], page)


def tag_by_name(name: str) -> Tag | None:
    return db.session.scalar(select(Tag).where(Tag.name == name.lower()))


# --- categories ------------------------------------------------------------------------------


def visible_categories(user) -> list[Category]:
    """Categories ``user`` sees, parents before their children (no query after the first)."""
    levels = access.access(user)
    return [c for c in access.all_categories() if levels.get(c.id, 0) >= Access.SEE]


def subcategories(user, category: Category) -> list[Category]:
    return [c for c in visible_categories(user) if c.parent_id == category.id]


def category_by_slug(slug: str) -> Category | None:
    return next((c for c in access.all_categories() if c.slug == slug), None)


def category_parents(category: Category) -> list[Category]:
    """The category's ancestors, outermost first (categories nest one level)."""
    by_id = {c.id: c for c in access.all_categories()}
    found, seen = [], {category.id}
    parent = by_id.get(category.parent_id)
    while parent is not None and parent.id not in seen:
        found.insert(0, parent)
        seen.add(parent.id)
        parent = by_id.get(parent.parent_id)
    return found


@dataclass
class CategoryCard:
    """A category on the categories page with its visible children and latest topic."""

    category: Category
    children: list[Category]
    latest: Topic | None
    topic_count: int
    post_count: int


def category_overview(user) -> list[CategoryCard]:
    """Top-level categories (visible ones) with their sub-categories, counts including the
    visible sub-categories' and the latest topic of each, in one query after access."""
    visible = visible_categories(user)
    latest = _latest_per_category(user, [c.id for c in visible])
    cards = []
    for category in visible:
        if category.parent_id is not None and any(c.id == category.parent_id for c in visible):
            continue
        children = [c for c in visible if c.parent_id == category.id]
        family = [category, *children]
        candidates = [latest[c.id] for c in family if c.id in latest]
        newest = max(candidates, key=lambda t: (t.bumped_at, t.id), default=None)
        cards.append(
            CategoryCard(
                category=category,
                children=children,
                latest=newest,
                topic_count=sum(c.topic_count for c in family),
                post_count=sum(c.post_count + c.topic_count for c in family),
            )
        )
    return cards


def _latest_per_category(user, category_ids: list[int]) -> dict[int, Topic]:
    if not category_ids:
        return {}
    other = aliased(Topic)
    newest_id = (
        select(other.id)
        .where(other.category_id == Category.id, other.deleted_at.is_(None),
               other.listed.is_(True))
        .order_by(other.bumped_at.desc(), other.id.desc())
        .limit(1)
        .correlate(Category)
        .scalar_subquery()
    )  # fmt: skip
    ids = select(newest_id).where(Category.id.in_(category_ids))
    topics = db.session.scalars(
        select(Topic).where(Topic.id.in_(ids)).options(joinedload(Topic.last_post_user))
    )
    return {t.category_id: t for t in topics}


# Topics in the sitemap, the most recently active first.
SITEMAP_TOPICS = 40_000


def sitemap_urls() -> list[tuple[str, datetime]]:
    """Listed topics anonymous readers may see, for /sitemap.xml (one query)."""
    from flask import url_for

    from space.accounts.models import Anonymous

    rows = db.session.execute(
        select(Topic.id, Topic.slug, Topic.bumped_at)
        .where(*_listed(Anonymous()))
        .order_by(Topic.bumped_at.desc())
        .limit(SITEMAP_TOPICS)
    ).all()
    return [(url_for("discuss.topic", slug=slug, topic_id=key), at) for key, slug, at in rows]
