"""Who sees and does what in Discuss: category access and the plugin's permission actions.

A category without permission rows is open: everyone reads it (anonymous readers too),
replies and creates topics. A restricted category lists groups, each with an ``Access``
(see < reply < create); the automatic group of trust level 0 stands for everyone, anonymous
readers included (who may only ever see). A sub-category is visible only when its parent
is. Admins and moderators see and do everything.

``access(user)`` answers for every category at once, once per request (two queries), so
lists, topic pages, search, feeds and the API filter with the same map.
"""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import select

from space import pagecache
from space.accounts.models import Group
from space.accounts.services import group_ids
from space.db import db, utcnow
from space.permissions import STAFF_ROLES, Action, has_role, is_staff
from space.trust import TrustLevel

from .models import Access, Category, CategoryPermission, Post, Topic


def all_categories() -> list[Category]:
    """Every category in display order (parents before their children), once per request."""
    if has_request_context() and "discuss_categories" in g:
        return g.discuss_categories
    rows = list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))
    ordered = [c for c in rows if c.parent_id is None]
    children = [c for c in rows if c.parent_id is not None]
    out: list[Category] = []
    for parent in ordered:
        out.append(parent)
        out.extend(c for c in children if c.parent_id == parent.id)
    known = {c.id for c in out}
    out.extend(c for c in children if c.id not in known)  # orphans, if any
    if has_request_context():
        g.discuss_categories = out
    return out


def _permissions() -> dict[int, dict[int, int]]:
    """{category_id: {group_id: access}} for restricted categories."""
    if has_request_context() and "discuss_permissions" in g:
        return g.discuss_permissions
    found: dict[int, dict[int, int]] = {}
    for row in db.session.execute(
        select(CategoryPermission.category_id, CategoryPermission.group_id,
               CategoryPermission.access)
    ):  # fmt: skip
        found.setdefault(row.category_id, {})[row.group_id] = row.access
    if has_request_context():
        g.discuss_permissions = found
    return found


def _everyone_group_id() -> int | None:
    if has_request_context() and "discuss_everyone" in g:
        return g.discuss_everyone
    found = db.session.scalar(
        select(Group.id).where(Group.automatic_trust_level == int(TrustLevel.NEW))
    )
    if has_request_context():
        g.discuss_everyone = found
    return found


def access(user) -> dict[int, int]:
    """{category_id: Access (0: none)} for ``user``, computed once per request and user;
    for anonymous readers, once per content generation (space/pagecache.py)."""
    key = getattr(user, "id", None)
    cache = g.setdefault("discuss_access", {}) if has_request_context() else {}
    if key in cache:
        return cache[key]
    if getattr(user, "is_authenticated", False):
        result = _access(user)
    else:
        result = pagecache.memo("discuss.anonymous_access", lambda: _access(user))
    cache[key] = result
    return result


def _access(user) -> dict[int, int]:
    categories = all_categories()
    if is_staff(user):
        return {c.id: int(Access.CREATE) for c in categories}
    permissions = _permissions() if any(c.restricted for c in categories) else {}
    signed_in = getattr(user, "is_authenticated", False)
    mine = _group_ids(user) if signed_in and permissions else frozenset()
    everyone = _everyone_group_id() if permissions and not signed_in else None
    own: dict[int, int] = {}
    for category in categories:
        if not category.restricted:
            own[category.id] = int(Access.CREATE) if signed_in else int(Access.SEE)
            continue
        rules = permissions.get(category.id, {})
        if signed_in:
            own[category.id] = max((a for gid, a in rules.items() if gid in mine), default=0)
        else:
            own[category.id] = min(int(Access.SEE), rules.get(everyone, 0))
    by_id = {c.id: c for c in categories}
    result = {}
    for category in categories:
        parent = by_id.get(category.parent_id) if category.parent_id else None
        visible_parent = parent is None or own.get(parent.id, 0) >= Access.SEE
        result[category.id] = own[category.id] if visible_parent else 0
    return result


def _group_ids(user) -> frozenset[int]:
    primed = g.get("discuss_group_ids") if has_request_context() else None
    if primed is not None and user.id in primed:
        return primed[user.id]
    found = group_ids(user)
    if has_request_context():  # once per request (access and category moderators)
        g.setdefault("discuss_group_ids", {})[user.id] = found
    return found


def prime(users) -> None:
    """Load the groups of many people in two queries, so that ``access`` (and so ``can``)
    answers for each of them without one, for the rest of the request (notifying many)."""
    if not has_request_context() or not any(c.restricted for c in all_categories()):
        return
    from space.accounts.models import Membership

    wanted = {u.id: u for u in users if getattr(u, "is_authenticated", False)}
    primed = g.setdefault("discuss_group_ids", {})
    missing = [uid for uid in wanted if uid not in primed]
    if not missing:
        return
    automatic = list(db.session.execute(
        select(Group.id, Group.automatic_trust_level).where(
            Group.automatic_trust_level.is_not(None))
    ))  # fmt: skip
    found: dict[int, set[int]] = {uid: set() for uid in missing}
    for row in db.session.execute(
        select(Membership.user_id, Membership.group_id).where(Membership.user_id.in_(missing))
    ):
        found[row.user_id].add(row.group_id)
    for uid, groups in found.items():
        level = int(wanted[uid].trust_level)
        groups.update(gid for gid, auto in automatic if int(auto) <= level)
        primed[uid] = frozenset(groups)


def visible_category_ids(user) -> list[int]:
    return [cid for cid, level in access(user).items() if level >= Access.SEE]


def category_level(user, category_id: int) -> int:
    return access(user).get(category_id, 0)


def category_acl(category: Category) -> list[str]:
    """Search principals allowed to find what is in ``category`` (see ``space.search``)."""
    if not category.restricted:
        parent = db.session.get(Category, category.parent_id) if category.parent_id else None
        return category_acl(parent) if parent is not None else ["public"]
    rules = _permissions().get(category.id, {})
    everyone = _everyone_group_id()
    if everyone in rules:
        return ["public"]
    return ["staff", *(f"group:{gid}" for gid in sorted(rules))]


# --- rules on objects ------------------------------------------------------------------------


def _topic_visible(user, topic: Topic) -> bool:
    if topic is None:
        return False
    if topic.deleted_at is not None and not is_staff(user):
        return False
    return category_level(user, topic.category_id) >= Access.SEE


def _category_visible(user, category: Category) -> bool:
    return category is not None and category_level(user, category.id) >= Access.SEE


def _can_create_in(user, category) -> bool:
    if category is None:  # "may create somewhere": any category
        return any(level >= Access.CREATE for level in access(user).values())
    return category_level(user, category.id) >= Access.CREATE


def is_closed(topic: Topic) -> bool:
    if not topic.closed:
        return False
    return topic.closed_until is None or topic.closed_until > utcnow()


def _can_reply(user, topic: Topic) -> bool:
    if not _topic_visible(user, topic) or topic.archived:
        return False
    if is_closed(topic) and not _is_leader(user):
        return False
    return category_level(user, topic.category_id) >= Access.REPLY


def _is_leader(user) -> bool:
    return is_staff(user) or (
        getattr(user, "is_authenticated", False) and user.trust_level >= TrustLevel.LEADER
    )


def edit_window_seconds(user) -> int:
    from .settings import value

    if user.trust_level >= TrustLevel.MEMBER:
        return int(value("edit_window_member_days")) * 86400
    return int(value("edit_window_hours")) * 3600


def _can_edit(user, post: Post) -> bool:
    """Authors edit their own posts within the window, unless the topic is archived."""
    if post is None or post.user_id != user.id or post.deleted_at is not None:
        return False
    topic = post.topic if "topic" in post.__dict__ else db.session.get(Topic, post.topic_id)
    if topic.archived or not _topic_visible(user, topic):
        return False
    age = (utcnow() - post.created_at).total_seconds()
    return age <= edit_window_seconds(user)


def _can_like(user, post: Post) -> bool:
    """Not one's own, not deleted, in a topic one reads that is not archived."""
    if post is None or post.user_id == user.id or post.deleted_at is not None:
        return False
    topic = post.topic if "topic" in post.__dict__ else db.session.get(Topic, post.topic_id)
    return not topic.archived and _topic_visible(user, topic)


def _can_accept(user, topic: Topic) -> bool:
    """In a Q&A category: the topic's author or a leader (staff bypass the rule)."""
    if topic is None or not _topic_visible(user, topic):
        return False
    category = next((c for c in all_categories() if c.id == topic.category_id), None)
    if category is None or not category.accepts_answers:
        return False
    return topic.user_id == user.id or user.trust_level >= TrustLevel.LEADER


def _own_post(user, post: Post) -> bool:
    return post is not None and post.user_id == user.id


def actions() -> list[Action]:
    staff = STAFF_ROLES
    return [
        Action("discuss.read", anonymous=True),
        Action("category.read", anonymous=True, check=_category_visible, hide=True, roles=staff),
        Action("topic.read", anonymous=True, check=_topic_visible, hide=True, roles=staff),
        Action("topic.create", check=_can_create_in, roles=staff, writes=True),
        Action("topic.reply", check=_can_reply, roles=staff, staff_bypass=False, writes=True),
        Action("post.edit", check=_can_edit, roles=staff, writes=True),
        Action("post.delete", check=_own_post, roles=staff),
        Action("post.like", check=_can_like, staff_bypass=False, roles=staff),
        Action("post.bookmark", check=lambda u, p: p is not None),
        Action("topic.accept_answer", check=_can_accept, roles=staff),
        Action("topic.watch", check=lambda u, t: t is not None),
        # Trust level 3: recategorize, retitle, create tags.
        Action("topic.recategorize", min_trust=TrustLevel.REGULAR, roles=staff),
        Action("tag.create", min_trust=TrustLevel.REGULAR, roles=staff),
        # Trust level 4 and moderators: close, archive, pin, unlist, split, merge, slow mode.
        Action("topic.moderate", min_trust=TrustLevel.LEADER, roles=staff),
        # See deleted posts and hidden ones, restore them.
        Action("post.moderate", min_trust=None, roles=staff),
        Action("category.manage", min_trust=None),
        Action("discuss.settings", min_trust=None),
    ]


def can_see_post(user, post: Post) -> bool:
    """Deleted, hidden and pending posts (held for approval): their author and staff see
    them, nobody else."""
    if post.deleted_at is None and post.hidden_at is None and not post.pending:
        return True
    return is_staff(user) or (getattr(user, "id", None) == post.user_id and post.deleted_at is None)


def is_admin(user) -> bool:
    return has_role(user, "admin")
