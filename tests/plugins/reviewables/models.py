"""The test plugin's tables: notes (the reviewed items) and review scopes per person."""

from __future__ import annotations

from sqlalchemy import JSON, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from space.db import db


class Base(DeclarativeBase):
    metadata = MetaData()


class Note(Base):
    __tablename__ = "test_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="note", nullable=False)
    user_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)
    scope: Mapped[str] = mapped_column(String(60), default="", nullable=False)
    container: Mapped[str] = mapped_column(String(60), default="", nullable=False)
    private: Mapped[bool] = mapped_column(default=False, nullable=False)
    hidden: Mapped[bool] = mapped_column(default=False, nullable=False)
    deleted: Mapped[bool] = mapped_column(default=False, nullable=False)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    # Every call the queue made: "hide", "unhide", "delete", "delete_replies", "restore",
    # "close:4"…
    events: Mapped[list] = mapped_column(JSON, default=list, nullable=False)

    def record(self, event: str) -> None:
        self.events = [*self.events, event]


class NoteScope(Base):
    """``user_id`` moderates ``scope`` (a category moderator)."""

    __tablename__ = "test_note_scope"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    scope: Mapped[str] = mapped_column(String(60), nullable=False)


def create_tables() -> None:
    Base.metadata.create_all(db.engine)


def make_note(author, *, title="A note", body="Some text.", scope="", container="",
              kind="note", private=False, commit=True) -> Note:  # fmt: skip
    note = Note(user_id=getattr(author, "id", author), title=title, body=body, scope=scope,
                container=container, kind=kind, private=private, events=[])  # fmt: skip
    db.session.add(note)
    db.session.flush()
    if commit:
        db.session.commit()
    return note


def give_scope(user, scope: str, *, commit=True) -> None:
    db.session.add(NoteScope(user_id=user.id, scope=scope))
    if commit:
        db.session.commit()
