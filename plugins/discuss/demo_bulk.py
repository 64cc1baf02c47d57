"""The large demo's discussions (``flask space demo --size large``): 2,000 topics and 40,000
posts by default (``--posts``: about 20 per topic), in English, French, Spanish and Arabic,
with threads, likes, bookmarks, a few edits, accepted answers in the Q&A category and
some topics in the organizers' private category. The same every time
(``random.Random(SEED)``); dates are relative to now.

The services would take many minutes (a notification, a search document and a cooked text
per post). Here rows are written in batches with SQLAlchemy Core: the text comes from
``demo_texts`` and is cooked once per skeleton (each skeleton's Markdown rendered with
placeholders, the plain pieces put in afterwards); then every counter the services keep at
write time (posts, replies, likes, participants, last posts, categories, tags, people's
stats) is set from the rows by a few aggregate UPDATEs (``demo_counts``). No notification is
sent and no search document queued: the command rebuilds the index after the commit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from itertools import accumulate

from sqlalchemy import bindparam, func, insert, select, update

from space.accounts.models import Group, Membership, User
from space.db import db
from space.demo import progress
from space.markup import render, slugify
from space.trust import TrustLevel

from .demo_counts import recount
from .demo_texts import Writer
from .models import (
    Bookmark,
    Category,
    Post,
    PostLike,
    PostRevision,
    Tag,
    Topic,
    TopicUser,
    topic_tag,
)
from .services import posting

SEED = 7
POSTS = 40_000
POSTS_PER_TOPIC = 20
CHUNK = 100  # topics written per round
# Category (by the demo's keys), share of topics in a hundred, kind of title.
CATEGORIES = [("general", 28, "talk"), ("ask", 26, "question"), ("events", 14, "event"),
              ("local", 12, "event"), ("news", 6, "talk"), ("organizers", 14, "talk")]  # fmt: skip
LANGUAGES = [("en", 50), ("fr", 20), ("es", 18), ("ar", 12)]
TAGS = ["welcome", "newcomers", "translation", "photos", "meetup", "edit-a-thon", "wikidata",
        "maps", "accessibility", "libraries", "history", "education", "archives", "budget",
        "training", "heritage", "women-in-science", "open-data", "sources", "tools"]  # fmt: skip
# How much people take part, by trust level.
ACTIVITY = {TrustLevel.NEW: 1, TrustLevel.BASIC: 2, TrustLevel.MEMBER: 4,
            TrustLevel.REGULAR: 7, TrustLevel.LEADER: 7}  # fmt: skip
WATCHING, TRACKING = 3, 2  # NotificationLevel: authors watch, repliers track

# Skeletons of posts: Markdown around numbered pieces; "p" a paragraph, "i" a list item,
# "o" an opening sentence (bold or quoted).
FIRST = [("{0}\n\n{1}", "pp"), ("{0}\n\n{1}\n\n{2}", "ppp"),
         ("{0}\n\n- {1}\n- {2}\n- {3}\n\n{4}", "piiip"), ("**{0}**\n\n{1}", "op")]  # fmt: skip
REPLY = [("{0}", "p"), ("{0}", "p"), ("{0}", "p"), ("{0}\n\n{1}", "pp"),
         ("> {0}\n\n{1}", "op"), ("{0}\n\n- {1}\n- {2}", "pii")]  # fmt: skip
MARK = "QZPIECE{}Q"
# Tables, not entities: Core inserts skip the ORM's bookkeeping for every row.
POST_ROWS, TOPIC_ROWS = Post.__table__, Topic.__table__


def _cooked_skeletons() -> dict[str, str]:
    """Each skeleton cooked once, with placeholders where its pieces go."""
    found = {}
    for pattern, _kinds in FIRST + REPLY:
        found[pattern] = str(render(pattern.format(*(MARK.format(n) for n in range(5)))))
    return found


@dataclass
class Pool:
    """People who may take part somewhere, by id, with cumulative weights for how much each
    takes part (by trust level)."""

    ids: list[int]
    cum: list[int]

    @classmethod
    def of(cls, people: list[tuple[int, int]]) -> Pool:
        return cls([uid for uid, _weight in people],
                   list(accumulate(weight for _uid, weight in people)))  # fmt: skip

    def pick(self, rng: random.Random) -> int:
        return rng.choices(self.ids, cum_weights=self.cum)[0]


@dataclass
class Plan:
    """One topic before it is written: its posts are (user id, reply to, raw, cooked,
    created at, edited at); likes and bookmarks refer to posts by their index."""

    category: str
    lang: str
    title: str
    user_id: int
    start: datetime
    tags: list[str]
    pool: Pool
    count: int = 1  # posts, the first one included
    posts: list[tuple] = field(default_factory=list)
    likes: list[tuple[int, int, datetime]] = field(default_factory=list)
    bookmarks: list[tuple[int, int, datetime]] = field(default_factory=list)
    accepted: int | None = None


class Builder:
    """Plans topics, then fills them with posts, likes and bookmarks, drawing everything
    from one random generator: the same content for the same seed and people."""

    def __init__(self, found: dict[str, Category], now: datetime, seed: int):
        self.rng = random.Random(seed)
        self.writer = Writer(self.rng)
        self.now = now
        self.categories = found
        self.skeletons = _cooked_skeletons()
        weights = {uid: ACTIVITY[TrustLevel(level)] for uid, level in db.session.execute(
            select(User.id, User.trust_level).order_by(User.username))}  # fmt: skip
        self.everyone = Pool.of(list(weights.items()))
        # Who writes in the private room (and the news): its group's members.
        self.pools = {}
        for key, group in (("organizers", "organizers"), ("news", "board")):
            members = [(uid, weights[uid]) for uid in self._members(group)]
            self.pools[key] = Pool.of(members) if members else self.everyone

    def _members(self, group: str) -> list[int]:
        return db.session.scalars(
            select(Membership.user_id).join(Group, Group.id == Membership.group_id)
            .where(Group.name == group).order_by(Membership.user_id)
        ).all()  # fmt: skip

    # --- planning -------------------------------------------------------------------------

    def plans(self, topics: int, posts: int) -> list[Plan]:
        """Every topic's category, language, title, author, start and number of replies."""
        rng = self.rng
        keys = [key for key, _share, _kind in CATEGORIES if key in self.categories]
        shares = [share for key, share, _kind in CATEGORIES if key in self.categories]
        kinds = {key: kind for key, _share, kind in CATEGORIES}
        langs, lang_shares = zip(*LANGUAGES, strict=True)
        made = []
        for _n in range(topics):
            key = rng.choices(keys, weights=shares)[0]
            lang = rng.choices(langs, weights=lang_shares)[0]
            # The news and the organizers' room are written by their own people; their
            # replies (and likes) too in the private room, by everyone in the news.
            authors = self.pools.get(key, self.everyone)
            pool = self.pools["organizers"] if key == "organizers" else self.everyone
            tags = sorted(set(rng.sample(TAGS, rng.randint(1, 3)))) if rng.random() < 0.6 else []
            made.append(Plan(
                category=key, lang=lang, title=self.writer.title(lang, kinds[key])[:255],
                user_id=authors.pick(rng), tags=tags, pool=pool,
                start=self.now - timedelta(seconds=rng.randint(2 * 86400, 365 * 86400)),
            ))  # fmt: skip
        self._replies(made, max(0, posts - topics))
        return made

    def _replies(self, plans: list[Plan], total: int) -> None:
        """Spread ``total`` replies over the topics: a few long threads, many short ones."""
        weights = [self.rng.lognormvariate(0, 0.9) for _plan in plans]
        scale = total / sum(weights) if weights else 0
        counts = [int(w * scale) for w in weights]
        by_remainder = sorted(range(len(plans)), key=lambda i: counts[i] - weights[i] * scale)
        for i in by_remainder[: total - sum(counts)]:
            counts[i] += 1
        for plan, count in zip(plans, counts, strict=True):
            plan.count = 1 + count

    # --- writing the text -----------------------------------------------------------------

    def _text(self, lang: str, first: bool) -> tuple[str, str]:
        """(raw, cooked) of one post."""
        pattern, kinds = self.rng.choice(FIRST if first else REPLY)
        pieces = []
        for kind in kinds:
            if kind == "p":
                pieces.append(self.writer.sentences(lang, self.rng.randint(1, 3), opening=first))
            elif kind == "i":
                pieces.append(self.writer.item(lang))
            else:
                pieces.append(self.writer.sentences(lang, 1, opening=True))
        cooked = self.skeletons[pattern]
        for n, piece in enumerate(pieces):
            cooked = cooked.replace(MARK.format(n), escape(piece, quote=False))
        return pattern.format(*pieces), cooked

    def filled(self, plan: Plan) -> Plan:
        """The topic's posts, likes, bookmarks and accepted answer."""
        rng, count = self.rng, plan.count
        # The people who reply in this topic: a few, the author among them.
        cast = {plan.user_id} | {
            plan.pool.pick(rng) for _n in range(min(count - 1, 2 + int(rng.expovariate(1 / 6))))
        }
        cast = sorted(cast)
        elapsed = (self.now - plan.start).total_seconds() - 120
        span = min(elapsed, 3600 + rng.expovariate(1 / (4 * 86400)))
        offsets = sorted(rng.uniform(60, span) for _n in range(count - 1))
        times = [plan.start]
        for offset in offsets:
            times.append(
                max(plan.start + timedelta(seconds=offset), times[-1] + timedelta(seconds=1))
            )
        posts = []
        for number in range(1, count + 1):
            first = number == 1
            author = plan.user_id if first or rng.random() < 0.2 else rng.choice(cast)
            reply_to = rng.randint(1, number - 1) if not first and rng.random() < 0.35 else None
            lang = plan.lang if rng.random() < 0.85 else "en"
            raw, cooked = self._text(lang, first)
            created = times[number - 1]
            edited = None
            if "\n\n" in raw and rng.random() < 0.04:
                edited = min(created + timedelta(minutes=rng.randint(5, 600)), self.now)
            posts.append((author, reply_to, raw, cooked, created, edited))
        plan.posts = posts
        self._social(plan)
        return plan

    def _social(self, plan: Plan) -> None:
        rng = self.rng
        limit = self.now - timedelta(seconds=30)
        for index, (author, _reply_to, _raw, _cooked, created, _edited) in enumerate(plan.posts):
            likes = 0 if rng.random() < 0.55 else 1 + min(int(rng.expovariate(0.6)), 15)
            if index == 0:
                likes *= 2
            likers = rng.sample(plan.pool.ids, min(likes + 1, len(plan.pool.ids)))
            for liker in [uid for uid in likers if uid != author][:likes]:
                when = min(created + timedelta(minutes=rng.randint(5, 4320)), limit)
                plan.likes.append((index, liker, when))
            if rng.random() < 0.015:
                reader = rng.choice(plan.pool.ids)
                plan.bookmarks.append((index, reader, min(created + timedelta(hours=2), limit)))
        answers = [i for i, post in enumerate(plan.posts) if i > 0 and post[0] != plan.user_id]
        if plan.category == "ask" and answers and rng.random() < 0.55:
            plan.accepted = rng.choice(answers[:4])


def _topic_row(plan: Plan, found: dict[str, Category], rng: random.Random) -> dict:
    # Counters, last post and "answered" are set from the rows afterwards (``recount``).
    return {
        "category_id": found[plan.category].id, "user_id": plan.user_id, "title": plan.title,
        "slug": slugify(plan.title), "created_at": plan.start, "bumped_at": plan.start,
        "last_posted_at": plan.start, "last_post_user_id": plan.user_id, "post_count": 0,
        "highest_post_number": 0, "like_count": 0, "participant_count": 1,
        "view_count": plan.count * rng.randint(3, 40), "closed": rng.random() < 0.02,
        "archived": False, "listed": True, "slow_mode_seconds": 0, "answered": False,
    }  # fmt: skip


def _write(plans: list[Plan], topic_ids: list[int], accepted: list[dict]) -> None:
    """The posts of ``plans`` with their revisions, likes, bookmarks and readers' states."""
    rows = []
    for plan, topic_id in zip(plans, topic_ids, strict=True):
        for number, (author, reply_to, raw, cooked, created, edited) in enumerate(plan.posts, 1):
            rows.append({
                "topic_id": topic_id, "user_id": author, "post_number": number,
                "reply_to_post_number": reply_to, "raw": raw, "cooked": cooked,
                "created_at": created, "edited_at": edited,
                "edited_by_id": author if edited else None, "version": 2 if edited else 1,
                "like_count": 0, "reply_count": 0, "pending": False,
            })  # fmt: skip
    returning = insert(POST_ROWS).returning(POST_ROWS.c.id, sort_by_parameter_order=True)
    ids = list(db.session.scalars(returning, rows))
    revisions, likes, bookmarks, states = [], [], [], {}
    start = 0
    for plan, topic_id in zip(plans, topic_ids, strict=True):
        post_ids = ids[start : start + len(plan.posts)]
        for row, post_id in zip(rows[start : start + len(plan.posts)], post_ids, strict=True):
            title = plan.title if row["post_number"] == 1 else ""
            if row["edited_at"] is not None:
                revisions.append(_revision(post_id, 1, row, row["raw"].rsplit("\n\n", 1)[0],
                                           title, row["created_at"]))  # fmt: skip
                revisions.append(_revision(post_id, 2, row, row["raw"], title, row["edited_at"]))
            else:
                revisions.append(_revision(post_id, 1, row, row["raw"], title, row["created_at"]))
            _state(states, topic_id, row, plan.user_id)
        for index, user_id, when in plan.likes:
            likes.append({"post_id": post_ids[index], "user_id": user_id,
                          "post_user_id": plan.posts[index][0], "created_at": when})  # fmt: skip
        for index, user_id, when in plan.bookmarks:
            bookmarks.append({"post_id": post_ids[index], "user_id": user_id, "name": "",
                              "created_at": when})  # fmt: skip
        if plan.accepted is not None:
            accepted.append({"topic": topic_id, "post": post_ids[plan.accepted]})
        start += len(plan.posts)
    db.session.execute(insert(PostRevision.__table__), revisions)
    if likes:
        db.session.execute(insert(PostLike.__table__), likes)
    unique = {(b["user_id"], b["post_id"]): b for b in bookmarks}
    if unique:
        db.session.execute(insert(Bookmark.__table__), list(unique.values()))
    db.session.execute(insert(TopicUser.__table__), list(states.values()))


def _revision(post_id: int, number: int, row: dict, raw: str, title: str, when) -> dict:
    return {"post_id": post_id, "number": number, "user_id": row["user_id"], "raw": raw,
            "title": title, "created_at": when, "updated_at": when}  # fmt: skip


def _state(states: dict, topic_id: int, row: dict, author: int) -> None:
    """The poster's state in the topic, as ``posting`` leaves it after their posts."""
    key = (row["user_id"], topic_id)
    state = states.get(key)
    if state is None:
        states[key] = {
            "user_id": row["user_id"], "topic_id": topic_id, "posted": True,
            "notification_level": WATCHING if row["user_id"] == author else TRACKING,
            "last_read_post_number": row["post_number"], "first_visited_at": row["created_at"],
            "last_visited_at": row["created_at"], "time_read_seconds": 0,
        }  # fmt: skip
        return
    state["last_read_post_number"] = row["post_number"]
    state["last_visited_at"] = row["created_at"]


def build(found: dict[str, Category], now: datetime, *, topics: int, posts: int,
          seed: int = SEED) -> dict[str, int]:  # fmt: skip
    """Write ``topics`` topics holding ``posts`` posts in the demo's categories ``found``
    (by key: "general", "ask", …), by everyone on the site; returns what was written."""
    builder = Builder(found, now, seed)
    plans = builder.plans(topics, posts)
    for name in sorted({tag for plan in plans for tag in plan.tags}):
        posting.resolve_tags([name], may_create=True)
    tag_ids = dict(db.session.execute(select(Tag.name, Tag.id)).all())
    rng = random.Random(seed + 1)
    topic_ids = list(db.session.scalars(
        insert(TOPIC_ROWS).returning(TOPIC_ROWS.c.id, sort_by_parameter_order=True),
        [_topic_row(plan, found, rng) for plan in plans]))  # fmt: skip
    links = [{"topic_id": tid, "tag_id": tag_ids[tag]}
             for plan, tid in zip(plans, topic_ids, strict=True) for tag in plan.tags]  # fmt: skip
    if links:
        db.session.execute(topic_tag.insert(), links)
    accepted: list[dict] = []
    before = db.session.scalar(select(func.max(Post.id))) or 0
    chunks = [range(n, min(n + CHUNK, len(plans))) for n in range(0, len(plans), CHUNK)]
    for chunk in progress(chunks, "Discussions", sum(plan.count for plan in plans),
                          weight=lambda c: sum(plans[i].count for i in c)):  # fmt: skip
        written = [builder.filled(plans[i]) for i in chunk]
        _write(written, [topic_ids[i] for i in chunk], accepted)
        for plan in written:  # what was written need not stay in memory
            plan.posts, plan.likes, plan.bookmarks = [], [], []
    if accepted:
        db.session.execute(
            update(TOPIC_ROWS).where(TOPIC_ROWS.c.id == bindparam("topic"))
            .values(accepted_post_id=bindparam("post")), accepted,
        )  # fmt: skip
    if topic_ids:
        recount(min(topic_ids), before + 1)
    return {"topics": len(topic_ids), "posts": sum(plan.count for plan in plans)}
