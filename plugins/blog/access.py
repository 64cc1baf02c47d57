"""Who may do what with stories: capabilities, not role names.

- **contributor**: anyone signed in (from ``pitch_trust_level``) pitches, and writes and
  submits the stories they are a writer of;
- **author**: a contributor at ``author_trust_level`` or above also starts stories without a
  pitch and, when ``authors_publish`` is on, publishes or schedules their own approved ones;
- **editor** (the account's editor flag): works the editorial queue, decides, edits anyone's
  story, schedules, publishes, unpublishes, trashes and restores;
- **admin**: everything, and the blog's categories and settings.

Every check goes through ``can()``: the actions below are registered by the plugin, and the
moves through the editorial flow are actions too ("blog.approve", "blog.publish"…), whose
rules are the transition table in ``services/workflow.py``.
"""

from __future__ import annotations

import enum

from space.permissions import Action, has_role

from .models import Status, Story
from .settings import value


class Capability(enum.IntEnum):
    NONE = 0
    CONTRIBUTOR = 1
    AUTHOR = 2
    EDITOR = 3
    ADMIN = 4


def capability(user) -> Capability:
    if not getattr(user, "is_authenticated", False):
        return Capability.NONE
    if has_role(user, "admin"):
        return Capability.ADMIN
    if has_role(user, "editor"):
        return Capability.EDITOR
    if user.trust_level >= int(value("author_trust_level")):
        return Capability.AUTHOR
    return Capability.CONTRIBUTOR


def is_editor(user) -> bool:
    return capability(user) >= Capability.EDITOR


def is_writer(user, story: Story | None) -> bool:
    """Is ``user`` one of the story's writers? Reads ``story.authors`` when loaded, else the
    lead writer."""
    if story is None or not getattr(user, "is_authenticated", False):
        return False
    if story.writer_id == user.id:
        return True
    authors = story.__dict__.get("authors")
    return authors is not None and any(author.user_id == user.id for author in authors)


def is_involved(user, story: Story | None) -> bool:
    """Writers and the pitcher: the people whose story it is."""
    return story is not None and (
        is_writer(user, story) or (user.is_authenticated and story.pitched_by_id == user.id)
    )


def can_see(user, story: Story | None) -> bool:
    """Published stories are for everyone; any other status for the people involved and
    editors only. Trashed stories for editors only."""
    if story is None:
        return False
    if story.status == Status.PUBLISHED:
        return True
    if is_editor(user):
        return True
    return story.status != Status.TRASH and is_involved(user, story)


def can_edit(user, story: Story | None) -> bool:
    """Editors edit every story but a trashed one; writers their own while it is a draft or
    changes were requested; the pitcher their pitch."""
    if story is None or story.status == Status.TRASH:
        return False
    if is_editor(user):
        return True
    if story.status == Status.PITCH:
        return story.pitched_by_id == user.id
    return story.status in {Status.DRAFT, Status.CHANGES_REQUESTED} and is_writer(user, story)


def _pitch_level(user, obj) -> bool:
    return user.trust_level >= int(value("pitch_trust_level"))


def _author(user, obj) -> bool:
    return capability(user) >= Capability.AUTHOR


def _translatable(user, story) -> bool:
    return (
        story is not None
        and story.status == Status.PUBLISHED
        and user.trust_level >= int(value("translate_trust_level"))
    )


def actions() -> list[Action]:
    from .services.workflow import transition_actions

    editors = frozenset({"editor"})
    return [
        Action("blog.read", anonymous=True),
        Action("blog.story.read", anonymous=True, check=can_see, hide=True, roles=editors),
        Action("blog.pitch", check=_pitch_level, roles=editors, writes=True),
        Action("blog.story.create", check=_author, roles=editors, writes=True),
        Action("blog.story.edit", check=can_edit, staff_bypass=False, roles=editors,
               writes=True),
        # Editorial material (revisions, comments, the pitch, decision notes): reading it.
        Action("blog.story.editorial", check=lambda u, s: is_involved(u, s), roles=editors,
               hide=True),
        Action("blog.story.comment", check=lambda u, s: is_involved(u, s), roles=editors,
               writes=True),
        Action("blog.story.follow", check=can_see, roles=editors, staff_bypass=False),
        Action("blog.story.translate", check=_translatable, roles=editors, staff_bypass=False,
               writes=True),
        Action("blog.queue", min_trust=None, roles=editors),
        Action("blog.manage", min_trust=None),
        *transition_actions(),
    ]  # fmt: skip
