"""Categories: creating and changing them, with their per-group permissions."""

from __future__ import annotations

import re

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select

from space.accounts.models import Group
from space.db import db
from space.markup import render

from ..models import Access, Category, CategoryPermission
from .posting import DiscussError, slugify

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def by_slug(slug: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.slug == slug))


def _unique_slug(name: str, slug: str | None, current: Category | None) -> str:
    base = slugify(slug or name, fallback="category")[:60]
    candidate, n = base, 2
    while True:
        taken = by_slug(candidate)
        if taken is None or taken is current:
            return candidate
        if slug:  # asked for this exact slug
            raise DiscussError(_("Another category already uses this address."), "slug")
        candidate, n = f"{base[:55]}-{n}", n + 1


def _check(name: str, color: str, parent: Category | None, current: Category | None) -> None:
    if not name.strip():
        raise DiscussError(_("A category needs a name."), "name")
    if not COLOR_RE.match(color):
        raise DiscussError(_("Give the colour as #rrggbb."), "color")
    if parent is not None:
        if current is not None and parent.id == current.id:
            raise DiscussError(_("A category cannot be its own parent."), "parent")
        if parent.parent_id is not None:
            raise DiscussError(_("Sub-categories cannot have sub-categories."), "parent")
        if current is not None and db.session.scalar(
            select(Category.id).where(Category.parent_id == current.id).limit(1)
        ):
            raise DiscussError(
                _("This category has sub-categories, so it cannot become one."), "parent"
            )


def set_permissions(category: Category, permissions: dict[int | Group, int]) -> None:
    """Replace the category's permissions: {group (or id): Access}. Empty: open to everyone.
    When they change, the category's topics are queued for the search index again, so that
    who may find them follows at once."""
    before = permissions_of(category) if category.id is not None else {}
    db.session.execute(
        delete(CategoryPermission).where(CategoryPermission.category_id == category.id)
    )
    wanted: dict[int, int] = {}
    for group, level in permissions.items():
        group_id = group.id if isinstance(group, Group) else int(group)
        level = int(level)
        if level not in {int(a) for a in Access}:
            raise DiscussError(_("Unknown permission."), "permissions")
        db.session.add(CategoryPermission(category_id=category.id, group_id=group_id,
                                          access=level))  # fmt: skip
        wanted[group_id] = level
    category.restricted = bool(permissions)
    if wanted != before:
        reindex(category)


def reindex(category: Category) -> None:
    """Queue the topics of ``category`` and of its sub-categories (whose acl follows their
    parent's) for the search index, after a change of permissions or parent. The access
    cached for this request is forgotten first, so the acls are computed afresh."""
    from ..models import Topic
    from . import indexing

    if has_request_context():
        for name in ("discuss_categories", "discuss_permissions", "discuss_access"):
            g.pop(name, None)
    db.session.flush()
    children = select(Category.id).where(Category.parent_id == category.id)
    indexing.queue_topics(list(db.session.scalars(
        select(Topic).where(or_(Topic.category_id == category.id,
                                Topic.category_id.in_(children)))
    )))  # fmt: skip


def create_category(
    *,
    name: str,
    description: str = "",
    color: str = "#0b7285",
    parent: Category | None = None,
    accepts_answers: bool = False,
    permissions: dict | None = None,
    slug: str | None = None,
    position: int | None = None,
) -> Category:
    name = name.strip()
    _check(name, color, parent, None)
    if position is None:
        position = (db.session.scalar(select(db.func.max(Category.position))) or 0) + 1
    category = Category(
        name=name,
        slug=_unique_slug(name, slug, None),
        description=description,
        description_html=str(render(description)),
        color=color.lower(),
        parent_id=parent.id if parent else None,
        accepts_answers=accepts_answers,
        position=position,
    )
    db.session.add(category)
    db.session.flush()
    set_permissions(category, permissions or {})
    db.session.flush()
    return category


def update_category(
    category: Category,
    *,
    name: str,
    description: str,
    color: str,
    parent: Category | None,
    accepts_answers: bool,
    slug: str | None = None,
    position: int | None = None,
) -> None:
    name = name.strip()
    _check(name, color, parent, category)
    indexed = (category.parent_id, category.slug, category.accepts_answers)
    category.name = name
    category.slug = _unique_slug(name, slug or category.slug, category)
    category.description = description
    category.description_html = str(render(description))
    category.color = color.lower()
    category.parent_id = parent.id if parent else None
    category.accepts_answers = accepts_answers
    if position is not None:
        category.position = position
    if (category.parent_id, category.slug, category.accepts_answers) != indexed:
        reindex(category)  # the documents carry the acl (a parent's), slug and Q&A status


def permissions_of(category: Category) -> dict[int, int]:
    """{group_id: Access} of the category (empty: open to everyone)."""
    return {
        row.group_id: row.access
        for row in db.session.execute(
            select(CategoryPermission.group_id, CategoryPermission.access).where(
                CategoryPermission.category_id == category.id
            )
        )
    }


def groups_for_permissions() -> list[Group]:
    """Every group, the automatic trust-level groups first (trust level 0: everyone)."""
    return list(db.session.scalars(
        select(Group).order_by(Group.automatic_trust_level.is_(None),
                               Group.automatic_trust_level, Group.name)
    ))  # fmt: skip


def admin_overview() -> list[tuple[Category, list[tuple[Group, int]]]]:
    """Every category in display order with the groups it is restricted to (three queries)."""
    from ..access import all_categories

    rules: dict[int, list[tuple[int, int]]] = {}
    for row in db.session.execute(
        select(CategoryPermission.category_id, CategoryPermission.group_id,
               CategoryPermission.access)
    ):  # fmt: skip
        rules.setdefault(row.category_id, []).append((row.group_id, row.access))
    wanted = {gid for pairs in rules.values() for gid, _level in pairs}
    groups = (
        {g.id: g for g in db.session.scalars(select(Group).where(Group.id.in_(wanted)))}
        if wanted else {}
    )  # fmt: skip
    out = []
    for category in all_categories():
        pairs = [(groups[gid], level) for gid, level in rules.get(category.id, [])
                 if gid in groups]  # fmt: skip
        pairs.sort(key=lambda pair: (-pair[1], pair[0].name))
        out.append((category, pairs))
    return out


def delete_category(category: Category) -> None:
    """Delete an empty category; one with topics (deleted ones too) or sub-categories stays."""
    from ..models import Topic

    if db.session.scalar(select(Topic.id).where(Topic.category_id == category.id).limit(1)):
        raise DiscussError(
            _("This category still has topics. Move or delete them first, then delete it.")
        )
    if db.session.scalar(select(Category.id).where(Category.parent_id == category.id).limit(1)):
        raise DiscussError(
            _("This category has sub-categories. Move or delete them first, then delete it.")
        )
    from ..models import CategoryUser

    for model in (CategoryPermission, CategoryUser):
        db.session.execute(delete(model).where(model.category_id == category.id))
    db.session.execute(delete(Category).where(Category.id == category.id))
