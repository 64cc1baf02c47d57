"""Where documents come from and who may find them.

The core indexes people (type "user") and groups (type "group"); plugins add their types
through ``search_types`` and their documents through ``search_documents``. ``principals``
turns a person into the strings a document's acl is matched against.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from space.db import db, utcnow
from space.markup import plain_text
from space.permissions import has_role, is_staff
from space.plugins import flatten, hook
from space.search.documents import EDITORS, EVERYTHING, PUBLIC, STAFF, Document, SearchType

if TYPE_CHECKING:
    from space.search.query import ParsedQuery


def path_for(endpoint: str, **values) -> str:
    """The site-relative path of ``endpoint``, inside a request or not (CLI, jobs).

    Documents store such paths; the search page adds the site's script root when it shows
    them, so the index stays right whatever the address the site is served from.
    """
    return current_app.url_map.bind("localhost").build(endpoint, values)


def core_types() -> list[SearchType]:
    return [SearchType("user", _l("People")), SearchType("group", _l("Groups"))]


def types() -> dict[str, SearchType]:
    """Every registered type by name: the core's, then each enabled plugin's."""
    found: dict[str, SearchType] = {}
    for kind in core_types() + flatten(hook().search_types()):
        found.setdefault(kind.name, kind)
    return found


def principals(user) -> frozenset[str]:
    """What ``user`` is, for acls: "public"; signed in, also "user:<id>", "tl:<n>" for every
    level up to theirs, "group:<id>" for each group (automatic ones too) and "staff" for
    admins and moderators. Admins also get ``EVERYTHING``: they may find all.
    """
    found = {PUBLIC}
    if not getattr(user, "is_authenticated", False):
        return frozenset(found)
    from space.accounts.groups import my_group_ids

    found.add(f"user:{user.id}")
    found.update(f"tl:{level}" for level in range(int(user.trust_level) + 1))
    found.update(f"group:{group_id}" for group_id in my_group_ids(user))
    if is_staff(user):
        found.add(STAFF)
    if has_role(user, "editor"):
        found.add(EDITORS)
    if has_role(user, "admin"):
        found.add(EVERYTHING)
    return frozenset(found)


def restrict(query: ParsedQuery, user) -> ParsedQuery:
    """``query`` narrowed by the plugins' ``search_restrict`` answers for ``user``.

    Each plugin may answer a set of document keys (e.g. the posts someone bookmarked, for
    ``in:bookmarks``) or None; the query keeps only documents in every set answered.
    """
    keys: frozenset[str] | None = query.keys
    for answer in hook().search_restrict(query=query, user=user):
        if answer is None:
            continue
        answer = frozenset(answer)
        keys = answer if keys is None else keys & answer
    return query if keys is query.keys else replace(query, keys=keys)


def _text(cooked_html: str) -> str:
    return plain_text(cooked_html)


def user_document(user) -> Document:
    """A person's profile: name, username, affiliation and bio; public like the profile."""
    body = " ".join(
        part for part in (f"@{user.username}", user.affiliation, _text(user.bio_html)) if part
    )
    return Document(
        type="user",
        id=user.id,
        title=user.display_name or user.username,
        body=body,
        url=path_for("accounts.profile", username=user.username),
        acl=[PUBLIC],
        created_at=user.created_at or utcnow(),
    )


def group_document(group) -> Document:
    """A group's title and description; a private group only for its members and staff."""
    from space.accounts.models import GroupVisibility

    private = group.visibility == GroupVisibility.PRIVATE
    return Document(
        type="group",
        id=group.id,
        title=group.title,
        body=" ".join(part for part in (group.name, _text(group.description_html)) if part),
        url=path_for("accounts.group", name=group.name),
        acl=[f"group:{group.id}", STAFF] if private else [PUBLIC],
        created_at=group.created_at or utcnow(),
    )


def all_documents(batch: int = 500) -> Iterator[Document]:
    """Every document for a full reindex: people, custom groups, then each plugin's."""
    from space.accounts.models import Group, User

    users = select(User).order_by(User.id).execution_options(yield_per=batch)
    for user in db.session.scalars(users):
        yield user_document(user)
    # Automatic trust-level groups are bookkeeping, not something people look for.
    custom = select(Group).where(Group.automatic_trust_level.is_(None)).order_by(Group.id)
    for group in db.session.scalars(custom.execution_options(yield_per=batch)):
        yield group_document(group)
    for contributed in flatten(hook().search_documents()):
        # A hook returns a list (flattened above) or a generator (iterated here).
        if isinstance(contributed, Document):
            yield contributed
        else:
            yield from contributed


def batches(size: int = 500) -> Iterator[list[Document]]:
    """``all_documents`` in lists of at most ``size``."""
    chunk: list[Document] = []
    for doc in all_documents(size):
        chunk.append(doc)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
