"""The caller's notifications (``/api/v1/notifications``), described in the caller's language."""

from __future__ import annotations

from urllib.parse import urljoin

from flask import request
from flask_login import current_user
from marshmallow import fields

from space import notify
from space.api.auth import BEARER_AUTH
from space.api.blueprint import Blueprint
from space.api.schemas import Id, PageArgs, Schema, at_most_items, page_schema, paginate
from space.db import db
from space.permissions import require

bp = Blueprint("api-notifications", __name__, description="Your notifications.")


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    text = fields.String(metadata={"description": "What happened, in your language."})
    url = fields.String(metadata={"format": "uri", "description": "Where it points."})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


NotificationPageSchema = page_schema(NotificationSchema, "NotificationPageSchema")


class NotificationListArgs(PageArgs):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only unread ones."})


class MarkReadArgs(Schema):
    ids = fields.List(
        Id(),
        validate=at_most_items(1000),
        metadata={"description": "Which to mark read; leave out to mark all."},
    )


class MarkReadResultSchema(Schema):
    marked = fields.Integer(metadata={"description": "How many were unread and now are read."})
    unread = fields.Integer(metadata={"description": "How many remain unread."})


def _described(item: notify.Notification) -> dict:
    text, url = notify.describe(item)
    return {
        "id": item.id,
        "kind": item.kind,
        "text": text,
        "url": urljoin(request.host_url, url),
        "created_at": item.created_at,
        "read_at": item.read_at,
    }


@bp.route("/notifications", methods=["GET"])
@bp.arguments(NotificationListArgs, location="query")
@bp.response(200, NotificationPageSchema)
@bp.doc(security=BEARER_AUTH)
def list_notifications(args):
    """Your notifications, newest first."""
    require(current_user, "notifications.read")
    query = notify.notifications_query(current_user.id, unread_only=args["unread"])
    page = paginate(query, args)
    page["items"] = [_described(item) for item in page["items"]]
    return page


@bp.route("/notifications/read", methods=["POST"])
@bp.arguments(MarkReadArgs, required=False)
@bp.response(200, MarkReadResultSchema)
@bp.doc(security=BEARER_AUTH)
def mark_read(args):
    """Mark your notifications read: all of them, or those listed in `ids`."""
    require(current_user, "notifications.read")
    marked = notify.mark_read(current_user.id, args.get("ids"))
    db.session.commit()
    return {"marked": marked, "unread": notify.unread_count(current_user.id)}
