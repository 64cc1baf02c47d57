"""The review handlers and scopes of the test plugin."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import select

from space.db import db
from space.hookspecs import hookimpl
from space.moderation.handlers import ReviewHandler, Snapshot
from space.permissions import is_staff
from tests.plugins.reviewables.models import Note, NoteScope


class NoteHandler(ReviewHandler):
    def __init__(self, name: str, kind: str, label):
        self.name = name
        self.kind = kind
        self.label = label

    def load(self, item_id: int):
        note = db.session.get(Note, item_id)
        return note if note is not None and note.kind == self.kind else None

    def author_id(self, item):
        return item.user_id

    def snapshot(self, item) -> Snapshot:
        return Snapshot(
            title=item.title,
            html=f"<p>{escape(item.body)}</p>",
            url=f"/notes/{item.id}",
            context=item.scope,
        )

    def can_see(self, user, item) -> bool:
        if item.deleted and not is_staff(user):
            return False
        return not item.private or is_staff(user) or getattr(user, "id", None) == item.user_id

    def scope(self, item) -> str:
        return item.scope

    def version(self, item) -> int:
        return item.version

    def author_trust_level(self, item):
        from space.accounts.models import User

        author = db.session.get(User, item.user_id) if item.user_id else None
        return int(author.trust_level) if author is not None else None

    def hide(self, item) -> bool:
        item.record("hide")
        if item.hidden:
            return False
        item.hidden = True
        return True

    def unhide(self, item) -> bool:
        item.record("unhide")
        if not item.hidden:
            return False
        item.hidden = False
        return True

    def delete(self, item, *, by, with_replies: bool = False) -> bool:
        item.record("delete_replies" if with_replies else "delete")
        if item.deleted:
            return False
        item.deleted = True
        return True

    def restore(self, item, *, by) -> bool:
        item.record("restore")
        if not item.deleted:
            return False
        item.deleted = False
        return True

    def close_container(self, item, hours: int) -> bool:
        """Like a topic: closing what is already closed changes nothing."""
        if not item.container:
            return False
        siblings = db.session.scalars(select(Note).where(Note.container == item.container))
        if any(event.startswith("close:") for note in siblings for event in note.events):
            return False
        item.record(f"close:{hours}")
        return True

    def container_key(self, item) -> str:
        return item.container

    def edit_url(self, item):
        return f"/notes/{item.id}/edit"

    def scope_labels(self, scopes) -> dict[str, str]:
        return {scope: f"Notes in {scope}" for scope in scopes if scope.startswith("notes:")}


@hookimpl
def review_handlers():
    return [
        NoteHandler("test.note", "note", _l("Note")),
        NoteHandler("test.comment", "comment", _l("Comment")),
    ]


@hookimpl
def review_scopes(user):
    return list(db.session.scalars(select(NoteScope.scope).where(NoteScope.user_id == user.id)))
