"""Permissions: named actions with their rule, and the one place that answers them.

An ``Action`` says who may do something: a minimum trust level, staff roles that always
may, whether anonymous readers may, and an optional object check. ``can`` answers views,
templates (as a Jinja global), the API, search and feeds alike; ``require`` aborts with 403,
or 404 when the action is marked ``hide`` and the object must not be known to exist.

Core actions are registered here; plugins add theirs through ``register_actions``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import abort, current_app

from space.trust import TrustLevel

STAFF_ROLES = frozenset({"admin", "moderator"})


@dataclass(frozen=True)
class Action:
    """Who may do ``name``.

    - ``min_trust``: members at this trust level or above may (None: no member by trust alone).
    - ``roles``: staff roles that always may ("admin" is implied everywhere).
    - ``anonymous``: readers without an account may.
    - ``check(user, obj) -> bool``: a rule on the object, applied on top of the above; staff
      holding one of ``roles`` skip it unless ``staff_bypass`` is False.
    - ``hide``: when refused, answer 404 rather than 403 (existence itself is private).
    - ``writes``: the action writes something others read (post, reply, edit, flag,
      message). A silenced person (``space.moderation.penalties``) may do none of these,
      whatever their trust level or roles; ``require`` then answers 403 with the notice
      saying until when and why.
    """

    name: str
    min_trust: TrustLevel | None = TrustLevel.NEW
    roles: frozenset[str] = field(default_factory=frozenset)
    anonymous: bool = False
    check: Callable[[Any, Any], bool] | None = None
    hide: bool = False
    staff_bypass: bool = True
    writes: bool = False


class UnknownAction(KeyError):
    pass


def _registry() -> dict[str, Action]:
    return current_app.extensions["space.actions"]


def register(app, actions) -> None:
    registry = app.extensions.setdefault("space.actions", {})
    for action in actions:
        if action.name in registry:
            raise ValueError(f"action {action.name!r} is registered twice")
        registry[action.name] = action


def has_role(user, role: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, f"is_{role}", False))


def is_staff(user) -> bool:
    return has_role(user, "admin") or has_role(user, "moderator")


def can(user, action: str, obj: Any = None) -> bool:
    """May ``user`` do ``action`` (on ``obj``)?  Raises ``UnknownAction`` for a typo.

    Silence is enforced here, in one place: a silenced person may do no action marked
    ``writes`` (they still read, like, bookmark, watch).
    """
    try:
        rule = _registry()[action]
    except KeyError:
        raise UnknownAction(action) from None
    if not getattr(user, "is_authenticated", False):
        allowed = rule.anonymous
    elif rule.writes and _silenced(user):
        return False
    elif has_role(user, "admin") or any(has_role(user, role) for role in rule.roles):
        if rule.staff_bypass:
            return True
        allowed = True
    else:
        allowed = rule.min_trust is not None and user.trust_level >= rule.min_trust
    return allowed and (rule.check is None or bool(rule.check(user, obj)))


def require(user, action: str, obj: Any = None) -> None:
    """Abort with 401/403, or 404 for hidden actions, unless ``can``. A silenced person
    refused a writing action gets 403 with the notice of their silence."""
    if can(user, action, obj):
        return
    rule = _registry()[action]
    if rule.writes and _silenced(user):
        from space.errors import fail
        from space.moderation.penalties import silence_notice

        fail(403, silence_notice(user) or "")
    if rule.hide:
        abort(404)
    if not getattr(user, "is_authenticated", False):
        abort(401)
    abort(403)


def _silenced(user) -> bool:
    from space.moderation.penalties import is_silenced

    return is_silenced(user)


def _self(user, obj) -> bool:
    return obj is not None and getattr(obj, "id", None) == user.id


def core_actions() -> list[Action]:
    """The core's own actions (plugins add theirs through ``register_actions``)."""
    from space.accounts import groups
    from space.accounts.models import GroupVisibility

    def group_visible(user, group) -> bool:
        return group.visibility != GroupVisibility.PRIVATE or groups.is_member(user, group)

    def joinable(user, group) -> bool:
        return (
            group.visibility == GroupVisibility.PUBLIC
            and not group.is_automatic
            and not groups.is_member(user, group)
        )

    def requestable(user, group) -> bool:
        return group.visibility == GroupVisibility.CLOSED and not groups.is_member(user, group)

    def leavable(user, group) -> bool:
        return (
            not group.is_automatic
            and groups.is_member(user, group)
            and not groups.is_last_owner(user, group)
        )

    def manageable(user, group) -> bool:
        return not group.is_automatic and (has_role(user, "admin") or groups.is_owner(user, group))

    return [
        Action("site.read", anonymous=True),
        Action("user.read", anonymous=True),
        Action("account.read", check=_self),
        Action("account.edit", check=_self, staff_bypass=False),
        Action("token.manage", check=_self),
        Action("notifications.read"),
        Action("search.query", anonymous=True),
        Action("group.read", anonymous=True, check=group_visible, hide=True, roles=STAFF_ROLES),
        Action("group.join", check=joinable, staff_bypass=False, roles=STAFF_ROLES),
        Action("group.request", check=requestable, staff_bypass=False),
        Action("group.leave", check=leavable, staff_bypass=False, roles=STAFF_ROLES),
        Action("group.manage", check=manageable, staff_bypass=False),
        Action("group.create", min_trust=None),
        Action("admin.access", min_trust=None),
        Action("audit.read", min_trust=None, roles=frozenset({"moderator"})),
        # Warn, silence, suspend and lift (space.moderation.penalties; admins are implied).
        Action("moderation.penalize", min_trust=None, roles=frozenset({"moderator"})),
        # Work the review queue (category moderators are checked by the queue itself).
        Action("moderation.review", min_trust=None, roles=frozenset({"moderator"})),
        # Flag content (TL0 only "illegal": the flag service checks reasons and caps).
        Action("moderation.flag", writes=True),
        # Upload images (space/uploads.py) for posts, stories and events.
        Action("upload.create", min_trust=TrustLevel.BASIC, writes=True),
    ]
