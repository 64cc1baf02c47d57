"""Who hears of what happens to a story: its followers (writers, the pitcher, the editors who
decided or commented, and whoever chose to follow) and, for a submission, the editors.

Nobody is told of their own act, and nobody is told of a story they may not see.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select

from space import notify
from space.accounts.models import User
from space.db import db
from space.permissions import can

from ..models import Story, StoryFollow

# Editors told of a submission when no editor is assigned.
EDITORS_TOLD = 50


def follow(story: Story, user_id: int | None) -> None:
    if user_id is None or story.id is None:
        return
    db.session.flush()
    exists = db.session.get(StoryFollow, (story.id, user_id))
    if exists is None:
        db.session.add(StoryFollow(story_id=story.id, user_id=user_id))


def unfollow(story: Story, user_id: int) -> None:
    db.session.execute(
        delete(StoryFollow).where(StoryFollow.story_id == story.id, StoryFollow.user_id == user_id)
    )


def is_following(story: Story, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(StoryFollow, (story.id, user.id)) is not None


def followers(story: Story) -> list[int]:
    return list(
        db.session.scalars(select(StoryFollow.user_id).where(StoryFollow.story_id == story.id))
    )


def _editors() -> list[int]:
    return list(
        db.session.scalars(
            select(User.id)
            .where(or_(User.is_editor.is_(True), User.is_admin.is_(True)))
            .order_by(User.is_editor.desc(), User.id)
            .limit(EDITORS_TOLD)
        )
    )


# Kinds any reader following a published story may hear of; every other kind is editorial
# (notes, decisions, comments) and reaches only the story's people and editors.
PUBLIC_KINDS = frozenset({"blog.published"})


def tell(
    story: Story,
    kind: str,
    actor,
    *,
    note: str = "",
    decision: str = "",
    editors: bool = False,
    to: list[int] | None = None,
) -> int:
    """Notify the story's followers (or ``to``) of ``kind``; for a submission also the
    assigned editor, or every editor when none is. Editorial kinds reach only those who may
    read the story's editorial side. Returns how many were told."""
    wanted = set(followers(story) if to is None else to)
    if editors:
        wanted.update([story.editor_id] if story.editor_id else _editors())
    actor_id = getattr(actor, "id", None)
    wanted.discard(actor_id)
    wanted.discard(None)
    if not wanted:
        return 0
    people = db.session.scalars(select(User).where(User.id.in_(wanted))).all()
    data = {
        "story_id": story.id,
        "title": story.title or _("Untitled story"),
        "name": getattr(actor, "username", "") or "",
        "note": note[:300],
        "decision": decision,
    }
    told = 0
    action = "blog.story.read" if kind in PUBLIC_KINDS else "blog.story.editorial"
    for person in people:
        if can(person, action, story):
            notify.notify(person.id, kind, **data)
            told += 1
    return told


def notification_types() -> list:
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from space.notify import NotificationType

    def link(data):
        return url_for("blog.manage_story", story_id=data["story_id"])

    def published_link(data):
        return url_for("blog.story_by_id", story_id=data["story_id"])

    def decision(d):
        title, name = d["title"], d["name"]
        if d.get("decision") == "approve":
            return _("%(user)s approved “%(title)s”", user=name, title=title)
        if d.get("decision") == "reject":
            return _("%(user)s rejected “%(title)s”", user=name, title=title)
        return _("%(user)s asked for changes to “%(title)s”", user=name, title=title)

    def kind(name, label, text, url=link):
        return NotificationType(name, label, text, url)

    return [
        kind("blog.pitch_accepted", _l("Your pitches accepted"),
             lambda d: _("%(user)s accepted the pitch “%(title)s”", user=d["name"],
                         title=d["title"])),
        kind("blog.pitch_declined", _l("Your pitches declined"),
             lambda d: _("%(user)s declined the pitch “%(title)s”", user=d["name"],
                         title=d["title"])),
        kind("blog.pitched", _l("New pitches"),
             lambda d: _("%(user)s pitched “%(title)s”", user=d["name"], title=d["title"])),
        kind("blog.submitted", _l("Stories submitted for review"),
             lambda d: _("%(user)s submitted “%(title)s” for review", user=d["name"],
                         title=d["title"])),
        kind("blog.withdrawn", _l("Stories withdrawn from review"),
             lambda d: _("%(user)s withdrew “%(title)s” from review", user=d["name"],
                         title=d["title"])),
        kind("blog.decision", _l("Review decisions on stories"), decision),
        kind("blog.comment", _l("Editorial comments"),
             lambda d: _("%(user)s commented on “%(title)s”", user=d["name"],
                         title=d["title"])),
        kind("blog.scheduled", _l("Stories scheduled"),
             lambda d: _("“%(title)s” is scheduled for publication", title=d["title"])),
        kind("blog.published", _l("Stories published"),
             lambda d: _("“%(title)s” is published", title=d["title"]), published_link),
        kind("blog.unpublished", _l("Stories unpublished"),
             lambda d: _("%(user)s unpublished “%(title)s”", user=d["name"],
                         title=d["title"])),
    ]  # fmt: skip
