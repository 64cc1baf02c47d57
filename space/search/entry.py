"""The ``search_entry`` table: one row per document for the PostgreSQL search backend
(postgres.py), which alone reads and writes it.

Each row keeps a ``tsvector`` of its title (weight A) and body (weight D), analysed with the
text-search configuration of the document's language, under a GIN index. The table exists
on every database (the schema is one history); on SQLite it stays empty. It is declared
without SQLAlchemy's PostgreSQL dialect, which a site on SQLite never loads: the two GIN
indexes get their PostgreSQL option from ``on_postgresql()`` when the app's database is
PostgreSQL (declaring it would load the dialect).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from space.db import UTCDateTime, db


class TSVector(UserDefinedType):
    """PostgreSQL's ``tsvector``, computed by the database (see postgres.py)."""

    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return "TSVECTOR"


Strings = ARRAY(Text).with_variant(JSON(), "sqlite")


class SearchEntry(db.Model):
    """One indexed document. ``config`` is its text-search configuration; ``tsv`` is
    computed by the database from title and body."""

    __tablename__ = "search_entry"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    doc_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    acl: Mapped[list[str]] = mapped_column(Strings)
    author: Mapped[str] = mapped_column(String(64), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[list[str]] = mapped_column(Strings)
    status: Mapped[str] = mapped_column(String(16), default="")
    lang: Mapped[str] = mapped_column(String(16), default="")
    config: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tsv: Mapped[str] = mapped_column(TSVector().with_variant(Text(), "sqlite"))

    __table_args__ = (
        Index("ix_search_entry_tsv", "tsv"),
        Index("ix_search_entry_acl", "acl"),
        Index("ix_search_entry_created_at", "created_at"),
        # Rebuildable from the data (flask space reindex): backups leave it out.
        {"info": {"backup": False}},
    )


GIN_INDEXES = ("ix_search_entry_tsv", "ix_search_entry_acl")


def on_postgresql() -> None:
    """Make the GIN indexes GIN (``CREATE INDEX … USING gin``) for a PostgreSQL database."""
    for index in SearchEntry.__table__.indexes:
        if index.name in GIN_INDEXES:
            index.dialect_options["postgresql"]["using"] = "gin"
