"""A test plugin feeding the review queue without Discuss: "test.note" and "test.comment"
items backed by a small table of their own, whose hide / unhide / delete / restore / close
calls are recorded, and category-moderator scopes given through the ``review_scopes`` hook.

Its tables live in their own metadata (so the models-versus-migrations check never sees
them); tests create them with ``create_tables()``.
"""

from space.plugins import Plugin
from tests.plugins.reviewables import hooks
from tests.plugins.reviewables.models import (
    Note,
    NoteScope,
    create_tables,
    give_scope,
    make_note,
)

plugin = Plugin(name="reviewables", hooks=hooks, title="Reviewables")

__all__ = ["Note", "NoteScope", "create_tables", "give_scope", "make_note", "plugin"]
