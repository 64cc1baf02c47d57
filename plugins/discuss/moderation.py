"""Discuss in the one review queue (``space.moderation``).

Two review handlers: "discuss.post" (one post) and "discuss.topic" (a topic, known by its
first post and title). The queue calls them to snapshot, hide, restore, delete a post or close
its topic; they call Discuss's services directly (the queue already checked who decides).
Category moderators are the groups holding ``Access.MODERATE`` in a category: their review
scope is "discuss.category:<id>".

Posting goes through ``screen`` (watched words: block, require approval, flag, censor) and
``after_post``; an author's edit through ``screen_edit`` and ``after_edit``. A post held for
approval is ``pending`` and hidden (``hidden_at``) until a moderator approves it: every list,
feed, search and notification that leaves hidden posts out leaves it out too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from space.db import db, utcnow
from space.moderation.handlers import ReviewHandler, Snapshot
from space.permissions import can
from space.search.sources import path_for

from . import access
from .models import Access, Post, Topic

SCOPE = "discuss.category:"
CONTAINER = "discuss.topic:"


def scope_for(category_id: int) -> str:
    return f"{SCOPE}{category_id}"


def _load_post(where) -> Post | None:
    return db.session.scalar(
        select(Post)
        .where(where)
        .options(joinedload(Post.user), joinedload(Post.topic).joinedload(Topic.category))
    )


class PostHandler(ReviewHandler):
    """A post of Discuss."""

    name = "discuss.post"
    label = _l("Post")

    def load(self, item_id: int) -> Post | None:
        return _load_post(Post.id == item_id)

    def author_id(self, item: Post) -> int | None:
        return item.user_id

    def snapshot(self, item: Post) -> Snapshot:
        topic = item.topic
        return Snapshot(
            title=f"{topic.title} #{item.post_number}",
            html=item.cooked,
            url=path_for("discuss.post_link", post_id=item.id),
            context=topic.category.name,
        )

    def can_see(self, user, item: Post) -> bool:
        return (
            item.deleted_at is None
            and can(user, "topic.read", item.topic)
            and access.can_see_post(user, item)
        )

    def scope(self, item: Post) -> str:
        return scope_for(item.topic.category_id)

    def scope_labels(self, names) -> dict[str, str]:
        """How the queue names Discuss's scopes: the category's name."""
        by_scope = {scope_for(c.id): c.name for c in access.all_categories()}
        return {name: by_scope[name] for name in names if name in by_scope}

    def version(self, item: Post) -> int:
        return item.version

    def author_trust_level(self, item: Post) -> int | None:
        return int(item.user.trust_level) if item.user is not None else None

    def hide(self, item: Post) -> bool:
        if item.hidden_at is not None:
            return False
        item.hidden_at = utcnow()
        _reindex(item)
        return True

    def unhide(self, item: Post) -> bool:
        was_pending = item.pending
        if item.hidden_at is None and not was_pending:
            return False
        item.hidden_at = None
        item.pending = False
        if was_pending:
            _approved(item)
        _reindex(item)
        return True

    def delete(self, item: Post, *, by, with_replies: bool = False) -> bool:
        from .services import editing

        done = False
        if with_replies and not item.is_first:
            for reply in replies_below(item):
                done = editing.delete_post(reply, by, reason=_("Deleted by a moderator.")) or done
        return editing.delete_post(item, by, reason=_("Deleted by a moderator.")) or done

    def restore(self, item: Post, *, by) -> bool:
        from .services import editing

        return editing.recover_post(item, by)

    def close_container(self, item: Post, hours: int) -> bool:
        topic = item.topic
        if topic.deleted_at is not None or access.is_closed(topic):
            return False  # closed already: the first closing stands
        topic.closed = True
        topic.closed_until = utcnow() + timedelta(hours=hours)
        return True

    def container_key(self, item: Post) -> str:
        return f"{CONTAINER}{item.topic_id}"

    def edit_url(self, item: Post) -> str | None:
        return path_for("discuss.edit_post", post_id=item.id)


class TopicHandler(PostHandler):
    """A whole topic, flagged from its first post: its title and first post are reviewed,
    hiding hides the first post, deleting deletes the topic."""

    name = "discuss.topic"
    label = _l("Topic")

    def load(self, item_id: int) -> Post | None:
        return _load_post(and_(Post.topic_id == item_id, Post.post_number == 1))

    def snapshot(self, item: Post) -> Snapshot:
        topic = item.topic
        return Snapshot(
            title=topic.title,
            html=item.cooked,
            url=path_for("discuss.topic", slug=topic.slug, topic_id=topic.id),
            context=topic.category.name,
        )

    def can_see(self, user, item: Post) -> bool:
        return item.topic.deleted_at is None and super().can_see(user, item)

    def delete(self, item: Post, *, by, with_replies: bool = False) -> bool:
        return super().delete(item, by=by, with_replies=False)  # the first post: the topic


def handlers() -> list[ReviewHandler]:
    return [PostHandler(), TopicHandler()]


def _reindex(post: Post) -> None:
    from .services import indexing

    indexing.queue_post(post, post.topic)


def _approved(post: Post) -> None:
    """A held post is approved: a held topic is listed again, watchers hear of it."""
    from space.accounts.models import User

    from .services import indexing, watching

    topic = post.topic
    if post.is_first and not topic.listed:
        topic.listed = True
        indexing.queue_topic(topic)
    author = post.user or db.session.get(User, post.user_id)
    watching.post_created(author, topic, post, new_topic=post.is_first)


def replies_below(post: Post) -> list[Post]:
    """The live posts answering ``post``, directly or down a chain of replies, latest
    first (two queries: the topic's reply links, then the posts)."""
    rows = db.session.execute(
        select(Post.id, Post.post_number, Post.reply_to_post_number).where(
            Post.topic_id == post.topic_id, Post.deleted_at.is_(None),
            Post.reply_to_post_number.is_not(None))
    ).all()  # fmt: skip
    children: dict[int, list[tuple[int, int]]] = {}
    for post_id, number, parent in rows:
        children.setdefault(parent, []).append((post_id, number))
    wanted: list[int] = []
    todo, seen = [post.post_number], {post.post_number}
    while todo:
        for post_id, number in children.get(todo.pop(), []):
            if number not in seen:
                seen.add(number)
                wanted.append(post_id)
                todo.append(number)
    if not wanted:
        return []
    return list(db.session.scalars(select(Post).where(Post.id.in_(wanted))
                                   .order_by(Post.post_number.desc())))  # fmt: skip


# --- category moderators ---------------------------------------------------------------------


def moderated_category_ids(user) -> list[int]:
    """Categories where one of ``user``'s groups holds ``Access.MODERATE``. Read from the
    categories and permissions ``access`` keeps for the request: no query on a site without
    category moderators, the person's groups (shared with ``access``) otherwise."""
    if not getattr(user, "is_authenticated", False):
        return []
    if not any(c.restricted for c in access.all_categories()):
        return []
    moderated = {
        category_id: {gid for gid, level in rules.items() if level >= Access.MODERATE}
        for category_id, rules in access._permissions().items()
    }
    moderated = {cid: groups for cid, groups in moderated.items() if groups}
    if not moderated:
        return []
    mine = access._group_ids(user)
    return sorted(cid for cid, groups in moderated.items() if groups & mine)


def review_scopes(user) -> list[str]:
    return [scope_for(cid) for cid in moderated_category_ids(user)]


# --- watched words ---------------------------------------------------------------------------


@dataclass
class Screened:
    """What the watched words made of a text: ``raw`` (censored), and the words that hold the
    post for approval or flag it."""

    raw: str
    held: tuple[str, ...] = ()
    flagged: tuple[str, ...] = ()


def screen(raw: str, title: str = "") -> Screened:
    """Check a new post's title and text. Raises ``DiscussError`` when a blocked word is in
    them; otherwise the text with censored words masked."""
    from space.moderation import words
    from space.moderation.models import WatchedAction

    from .services.posting import DiscussError

    found = words.check(f"{title}\n{raw}" if title else raw)
    if found is not None and found.action == WatchedAction.BLOCK:
        raise DiscussError(words.block_message(found), "raw")
    held = found.words if found and found.action == WatchedAction.REQUIRE_APPROVAL else ()
    flagged = found.words if found and found.action == WatchedAction.FLAG else ()
    return Screened(raw=words.censor(raw), held=held, flagged=flagged)


def screen_title(title: str) -> str:
    from space.moderation import words

    return words.censor(title)


def after_post(post: Post, screened: Screened) -> None:
    """Queue a new post the watched words held or flagged."""
    from space.moderation import services

    if screened.held:
        services.hold("discuss.post", post.id, _words_reason(screened.held))
    elif screened.flagged:
        services.auto_flag("discuss.post", post.id, _words_reason(screened.flagged))


def hold_new(post: Post) -> None:
    """Keep a post just created from readers until approved (a held topic is unlisted)."""
    post.pending = True
    post.hidden_at = post.hidden_at or utcnow()
    if post.is_first:
        topic = db.session.get(Topic, post.topic_id)
        topic.listed = False


def screen_edit(raw: str, title: str | None) -> Screened:
    """An edit: blocked words refuse it, censored ones are masked; words that would hold a
    new post flag the edited one."""
    screened = screen(raw, title or "")
    return Screened(raw=screened.raw, flagged=screened.held or screened.flagged)


def after_edit(post: Post, user, screened: Screened) -> None:
    """After a saved edit: the author's edit may unhide a flagged post (once); words that
    call for a moderator flag it."""
    from space.moderation import services

    if user.id == post.user_id:
        services.author_edited("discuss.post", post.id)
        if post.is_first:
            services.author_edited("discuss.topic", post.topic_id)
    if screened.flagged:
        services.auto_flag("discuss.post", post.id, _words_reason(screened.flagged))


def _words_reason(found) -> str:
    return _("Watched words: %(words)s", words=", ".join(found))


# --- flags on the topic page -----------------------------------------------------------------


def may_flag(user) -> bool:
    """May ``user`` flag at all (signed in, not silenced)? The rest is ``services.flag``'s."""
    from flask import current_app

    from space.moderation import penalties

    if not getattr(user, "is_authenticated", False) or penalties.is_silenced(user):
        return False
    if "moderation.flag" in current_app.extensions.get("space.actions", {}):
        return can(user, "moderation.flag")
    return True


def viewer_flags(view) -> dict[int, object]:
    """{post id: the viewer's pending flag} for the posts of a topic page (one query, once
    per page; none signed out)."""
    from space.moderation.models import Flag, FlagStatus

    user = view.viewer
    if not getattr(user, "is_authenticated", False):
        return {}
    cache = g.setdefault("discuss_viewer_flags", {})
    key = (user.id, view.topic.id, tuple(p.id for p in view.posts))
    if key not in cache:
        ids = [p.id for p in view.posts]
        cache[key] = {}
        if ids:
            cache[key] = {
                row.item_id: row
                for row in db.session.scalars(
                    select(Flag).where(Flag.user_id == user.id, Flag.item_type == "discuss.post",
                                       Flag.item_id.in_(ids), Flag.status == FlagStatus.PENDING)
                )
            }  # fmt: skip
    return cache[key]


def withdrawable(flag) -> bool:
    from space.moderation.settings import value

    return utcnow() <= flag.created_at + timedelta(minutes=int(value("flag_undo_minutes")))
