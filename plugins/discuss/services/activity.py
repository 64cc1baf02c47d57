"""Recording what people do, for trust levels: visits, topics entered, posts read, reading
time; and listing a person's activity (their topics, replies and likes) for a viewer.

Every counter moves with ``UPDATE … SET n = n + x`` and every row that must be unique (a
person's day, a person's topic) is created in a savepoint that gives way to a concurrent
request, so two requests at once never lose or double an increment.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from space.db import db, utcnow
from space.permissions import is_staff

from ..access import visible_category_ids
from ..models import Post, PostLike, Topic, TopicUser, UserStats, UserVisit
from . import stats, trust

# A read report covers at most this many seconds (the reader sends one every few seconds;
# a tab left open must not count hours of reading).
MAX_SECONDS_PER_REPORT = 60
TABS = ("topics", "replies", "likes")


def _today(now: datetime | None = None) -> date:
    return (now or utcnow()).date()


def _add_to_day(user_id: int, day: date, posts: int = 0, seconds: int = 0) -> bool:
    """Add reading to the person's row for ``day``, creating it (and counting a visited
    day) when it is the first of the day. True when the row was created here."""
    match = (UserVisit.user_id == user_id, UserVisit.visited_on == day)
    adds = {}
    if posts:
        adds["posts_read"] = UserVisit.posts_read + posts
    if seconds:
        adds["time_read_seconds"] = UserVisit.time_read_seconds + seconds
    if adds:
        changed = db.session.execute(
            update(UserVisit).where(*match).values(**adds),
            execution_options={"synchronize_session": False},
        ).rowcount
        if changed:
            return False
    elif db.session.scalar(select(UserVisit.id).where(*match)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                UserVisit(user_id=user_id, visited_on=day, posts_read=posts,
                          time_read_seconds=seconds)
            )  # fmt: skip
    except IntegrityError:  # another request created the day meanwhile: add to it
        if adds:
            db.session.execute(
                update(UserVisit).where(*match).values(**adds),
                execution_options={"synchronize_session": False},
            )
        return False
    stats.bump(user_id, days_visited=1)
    db.session.execute(
        update(UserStats).where(UserStats.user_id == user_id).values(last_visit_on=day),
        execution_options={"synchronize_session": False},
    )
    return True


def record_visit(user, *, now: datetime | None = None) -> bool:
    """Count today (UTC) as a visited day for ``user`` (once per day); True when new."""
    if not getattr(user, "is_authenticated", False):
        return False
    return _add_to_day(user.id, _today(now))


def _enter(user_id: int, topic_id: int, highest: int, seconds: int, now) -> bool:
    """Create the person's row for the topic with this first report; False when it exists
    (created meanwhile by another request, or earlier by reading or posting)."""
    try:
        with db.session.begin_nested():
            db.session.add(
                TopicUser(user_id=user_id, topic_id=topic_id, last_read_post_number=highest,
                          time_read_seconds=seconds, first_visited_at=now, last_visited_at=now)
            )  # fmt: skip
    except IntegrityError:
        return False
    return True


def _advance(state_id: int, old: int, highest: int, seconds: int, now) -> int:
    """Add time and raise the last read post number; returns how many numbers were new.
    The raise is a compare-and-set on the old number, so two reports never both count the
    same posts."""
    db.session.execute(
        update(TopicUser)
        .where(TopicUser.id == state_id)
        .values(time_read_seconds=TopicUser.time_read_seconds + seconds, last_visited_at=now),
        execution_options={"synchronize_session": False},
    )
    for _attempt in range(5):
        if highest <= old:
            return 0
        changed = db.session.execute(
            update(TopicUser)
            .where(TopicUser.id == state_id, TopicUser.last_read_post_number == old)
            .values(last_read_post_number=highest),
            execution_options={"synchronize_session": False},
        ).rowcount
        if changed:
            return highest - old
        old = db.session.scalar(
            select(TopicUser.last_read_post_number).where(TopicUser.id == state_id)
        )
    return 0


def record_topic_view(user, topic, highest_seen: int, *, seconds: int = 0) -> int:
    """``user`` (signed in) looked at ``topic`` up to post number ``highest_seen`` for
    ``seconds``: topics entered, posts read (only numbers beyond what they had read), time;
    then the automatic promotion to levels 1 and 2. Returns the number of posts newly read."""
    if not getattr(user, "is_authenticated", False):
        return 0
    user = trust._real(user)
    seconds = max(0, min(int(seconds or 0), MAX_SECONDS_PER_REPORT))
    highest = max(0, min(int(highest_seen or 0), int(topic.highest_post_number or 0)))
    now = utcnow()
    state = db.session.execute(
        select(TopicUser.id, TopicUser.last_read_post_number).where(
            TopicUser.user_id == user.id, TopicUser.topic_id == topic.id
        )
    ).first()
    entered = state is None and _enter(user.id, topic.id, highest, seconds, now)
    if entered:
        new_posts = highest
    else:
        if state is None:  # created by a concurrent report
            state = db.session.execute(
                select(TopicUser.id, TopicUser.last_read_post_number).where(
                    TopicUser.user_id == user.id, TopicUser.topic_id == topic.id
                )
            ).one()
        new_posts = _advance(state.id, state.last_read_post_number, highest, seconds, now)
        loaded = db.session.identity_map.get(db.session.identity_key(TopicUser, state.id))
        if loaded is not None:  # keep a row loaded earlier in the request truthful
            db.session.expire(loaded)
    stats.bump(user.id, topics_entered=int(entered), posts_read=new_posts,
               time_read_seconds=seconds)  # fmt: skip
    _add_to_day(user.id, _today(now), new_posts, seconds)
    trust.maybe_promote(user)
    return new_posts


# --- a person's activity, as a viewer may see it ----------------------------------------------


def activity_query(viewer, person, tab: str):
    """The posts of ``person``'s ``tab`` (their topics, replies, or the posts they liked)
    that ``viewer`` may see, newest first, with topic, category and author loaded."""
    own_view = is_staff(viewer) or getattr(viewer, "id", None) == person.id
    query = (
        select(Post)
        .join(Topic, Topic.id == Post.topic_id)
        .where(
            Topic.category_id.in_(visible_category_ids(viewer)),
            Topic.deleted_at.is_(None),
            Post.deleted_at.is_(None),
        )
        .options(
            contains_eager(Post.topic).joinedload(Topic.category),
            joinedload(Post.user),
        )
    )
    if not own_view:
        query = query.where(Post.hidden_at.is_(None), Topic.listed.is_(True))
    elif not is_staff(viewer):  # one's own hidden posts, never others' (the likes tab)
        query = query.where(or_(Post.hidden_at.is_(None), Post.user_id == viewer.id))
    if tab == "likes":
        return (
            query.join(PostLike, PostLike.post_id == Post.id)
            .where(PostLike.user_id == person.id)
            .order_by(PostLike.created_at.desc(), PostLike.id.desc())
        )
    numbered = Post.post_number == 1 if tab == "topics" else Post.post_number > 1
    return query.where(Post.user_id == person.id, numbered).order_by(
        Post.created_at.desc(), Post.id.desc()
    )


def activity_page(viewer, person, tab: str, page: int, per_page: int = 20):
    """One page of ``activity_query`` (two queries: the rows and the count)."""
    return db.paginate(activity_query(viewer, person, tab), page=page, per_page=per_page,
                       error_out=False)  # fmt: skip


def summary(person) -> dict[str, int]:
    """The person's all-time counters (shown to themselves and staff only: they include
    activity in categories other viewers may not see)."""
    row = db.session.get(UserStats, person.id)
    if row is None:
        return dict.fromkeys(
            ("topics", "replies", "likes_given", "likes_received", "days_visited"), 0
        )
    return {
        "topics": row.topic_count,
        "replies": max(0, row.post_count - row.topic_count),
        "likes_given": row.likes_given,
        "likes_received": row.likes_received,
        "days_visited": row.days_visited,
    }
