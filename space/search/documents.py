"""What search stores and returns, and the contract every backend keeps.

A ``Document`` is one searchable thing (a person, a group, a post, a story, an event…) as the
index sees it: plain text, a link, and an ``acl`` of principals allowed to find it. Backends
(whoosh.py is the embedded default) take documents in and answer ``ParsedQuery``s with
``Results``, filtered by the asker's principals inside the query itself.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from space.search.query import ParsedQuery

# Principals: "public" (everyone), "user:<id>", "tl:<n>", "group:<id>", "staff",
# "role:editor"; the admin marker means "no acl filter at all".
PUBLIC = "public"
STAFF = "staff"
EDITORS = "role:editor"
EVERYTHING = "*"

TYPE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
# A search counts at most this many results; beyond it the page says "more than 1,000" and
# offers that many. Counting (PostgreSQL: ranking too) every match of a common word would
# read each of them, tens of thousands on a large site, for a number nobody pages through.
MAX_COUNTED = 1000


@dataclass(kw_only=True)
class Document:
    """One searchable item. Every argument is by keyword.

    - ``type`` and ``id`` make the unique ``key`` ("post:42"); ``type`` must be a registered
      ``SearchType`` name for the document to be found.
    - ``body`` is plain text (no HTML); ``url`` a path inside the site (e.g. "/u/alice").
    - ``acl``: principals allowed to find it (at least one; ``["public"]`` for everyone).
    - ``created_at`` must be timezone-aware; ``author`` is a username or "".
    - ``category``, ``tags``, ``status`` ("solved"/"unsolved") and ``lang`` feed the filters.

    Raises ``ValueError`` for a bad type name, an empty acl or a naive datetime.
    """

    type: str
    id: str | int
    title: str
    body: str
    url: str
    acl: list[str]
    created_at: datetime
    author: str = ""
    category: str = ""
    tags: list[str] = field(default_factory=list)
    status: str = ""
    lang: str = ""

    def __post_init__(self) -> None:
        if not TYPE_NAME_RE.match(self.type):
            raise ValueError(f"bad search document type {self.type!r}")
        if isinstance(self.acl, str) or not self.acl or not all(self.acl):
            raise ValueError("a search document needs a list of principals in acl")
        if self.created_at.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime (UTC inside)")

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"


@dataclass(frozen=True)
class SearchType:
    """A kind of document: ``name`` as in ``type:name``, ``label`` shown to people (lazy)."""

    name: str
    label: Any


@dataclass(frozen=True)
class Hit:
    """One result as shown: ``snippet`` is safe HTML (escaped text and match marks)."""

    key: str
    type: str
    id: str
    title: str
    url: str
    snippet: Markup
    created_at: datetime | None
    author: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    status: str = ""


@dataclass(frozen=True)
class Results:
    """One page of hits and the total the asker may see; quacks like a pagination object.

    ``capped``: more than ``total`` documents match (``total`` is then ``MAX_COUNTED``) and
    the pages go as far as ``total``.
    """

    total: int
    hits: list[Hit]
    page: int = 1
    per_page: int = 30
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


class Backend(ABC):
    """A search index. Writes may come from several processes; a backend makes them safe.

    A ``transactional`` backend lives in the database: queued changes are given to
    ``write(connection, index, delete)`` inside the transaction that made them. Others get
    them through ``apply`` once the transaction has committed.
    """

    transactional = False

    def write(self, connection, index: list[Document], delete: list[str]) -> None:
        """Transactional backends only: apply changes on ``connection``."""
        raise NotImplementedError

    @abstractmethod
    def index(self, docs: Iterable[Document]) -> None:
        """Add or replace documents (by ``key``)."""

    @abstractmethod
    def delete(self, keys: Iterable[str]) -> None:
        """Remove documents by ``key``; unknown keys are ignored."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every document."""

    @abstractmethod
    def search(
        self, query: ParsedQuery, principals: set[str] | frozenset[str], page: int, per_page: int
    ) -> Results:
        """Page ``page`` of the documents matching ``query`` whose acl meets ``principals``.

        The acl, type and filters are part of the search, so ``total`` and pages only ever
        count what the asker may see; past ``MAX_COUNTED`` matches, ``total`` is
        ``MAX_COUNTED`` and ``capped`` is set. ``EVERYTHING`` among the principals lifts the
        acl.
        ``query.keys``, when not None, keeps only the documents with those keys (an empty
        set: none).
        """

    def rebuild(self, batches: Iterable[list[Document]]) -> None:
        """Replace every document with those of ``batches`` (``flask space reindex``)."""
        self.clear()
        for batch in batches:
            self.index(batch)

    def apply(self, index: list[Document], delete: list[str]) -> None:
        """Deletions and additions from one transaction; backends may do both at once."""
        if delete:
            self.delete(delete)
        if index:
            self.index(index)
