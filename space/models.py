"""Imports every core model so the metadata (and Alembic) sees the whole core schema.
Plugins' models are imported by their own packages."""

from space.accounts.models import Group, Invite, JoinRequest, Membership, User
from space.api.tokens import ApiToken
from space.audit import AuditEntry
from space.jobs import JobRun
from space.moderation.models import (
    Acknowledgment,
    Flag,
    Penalty,
    ReviewHistory,
    ReviewItem,
    WatchedWord,
)
from space.notify import MailMessage, Notification
from space.search.entry import SearchEntry
from space.site import SiteSetting
from space.uploads import Upload

__all__ = [
    "Acknowledgment",
    "Flag",
    "Penalty",
    "ReviewHistory",
    "ReviewItem",
    "WatchedWord",
    "ApiToken",
    "AuditEntry",
    "Group",
    "Invite",
    "JobRun",
    "JoinRequest",
    "MailMessage",
    "SearchEntry",
    "Membership",
    "Notification",
    "SiteSetting",
    "Upload",
    "User",
]
