"""The review queue in the API (``/api/v1/review``), for moderators and category moderators.

The same rules as the pages: anyone who may not review gets 404 (the queue's existence is
private), category moderators see their scopes only, and a decision carries the item's
``version`` — 409 when another moderator acted first, 422 when the decision is refused.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from marshmallow import fields
from sqlalchemy.orm import selectinload

from space.accounts import services as accounts
from space.api.auth import BEARER_AUTH
from space.api.blueprint import Blueprint
from space.api.schemas import (
    Id,
    PageArgs,
    Schema,
    Text,
    length,
    number_range,
    one_of,
    page_schema,
    paginate,
)
from space.db import db
from space.errors import fail

from . import decisions
from .handlers import handlers
from .models import FlagReason, ReviewItem
from .services import AlreadyHandled, ModerationError, NotFound

bp = Blueprint(
    "api-review",
    __name__,
    description="The review queue: flagged and held items, for moderators and category "
    "moderators (404 for everyone else).",
)

STATUSES = ["pending", "approved", "rejected", "ignored", "deleted", "all"]
MAX_ITEM_ID = 2**31 - 1


class PersonSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    name = fields.String()


class SnapshotSchema(Schema):
    title = fields.String()
    html = fields.String(metadata={"description": "Sanitized HTML, as flagged."})
    url = fields.String(metadata={"description": "Where the item is now (site-relative)."})
    context = fields.String()


class ReviewItemSchema(Schema):
    """One item in the queue."""

    id = fields.Integer()
    item_type = fields.String(metadata={"description": "The kind of item, e.g. discuss.post."})
    item_id = fields.Integer()
    kind = fields.String(metadata={"description": "The kind, in the caller's language."})
    status = fields.String(metadata={"enum": STATUSES[:-1]})
    reason = fields.String(metadata={"enum": ["flagged", "held"]})
    score = fields.Float()
    priority = fields.Integer(metadata={"description": "0 low, 1 medium, 2 high."})
    scope = fields.String(metadata={"description": "Who besides staff reviews it."})
    hidden = fields.Boolean()
    hide_count = fields.Integer()
    version = fields.Integer(
        metadata={"description": "Send it with a decision: a stale one answers 409."}
    )
    snapshot = fields.Nested(SnapshotSchema)
    author = fields.Nested(PersonSchema, allow_none=True)
    flag_counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Flags by reason (withdrawn ones left out)."},
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)


class FlagSchema(Schema):
    id = fields.Integer()
    reason = fields.String()
    message = fields.String()
    weight = fields.Float()
    take_action = fields.Boolean()
    status = fields.String()
    created_at = fields.DateTime()
    user = fields.Nested(PersonSchema)


class HistorySchema(Schema):
    action = fields.String()
    from_status = fields.String()
    to_status = fields.String()
    reason = fields.String()
    created_at = fields.DateTime()
    actor = fields.Nested(PersonSchema, allow_none=True)


class PenaltySchema(Schema):
    kind = fields.String(metadata={"enum": ["warning", "silence", "suspend"]})
    reason = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime(allow_none=True)
    lifted_at = fields.DateTime(allow_none=True)


class AuthorRecordSchema(Schema):
    items = fields.Integer(metadata={"description": "The author's items in the queue, ever."})
    agreed = fields.Integer(metadata={"description": "Of those, how many moderators agreed."})
    penalties = fields.List(fields.Nested(PenaltySchema))


class ReviewItemDetailSchema(ReviewItemSchema):
    """One item with its flags, its history and the author's record."""

    flags = fields.List(fields.Nested(FlagSchema))
    history = fields.List(fields.Nested(HistorySchema))
    author_record = fields.Nested(AuthorRecordSchema, allow_none=True)


class ReviewListArgs(PageArgs):
    status = Text(load_default="pending", validate=one_of(STATUSES))
    kind = Text(
        load_default="",
        validate=length(max=40),
        metadata={"description": "An item type, e.g. discuss.post."},
    )
    scope = Text(load_default="", validate=length(max=60))
    reason = Text(load_default="", validate=one_of(["", "flagged", "held"]))
    flag_reason = Text(load_default="", validate=one_of(["", *[r.value for r in FlagReason]]))
    user = Text(load_default="", validate=length(max=40),
                metadata={"description": "The author's username."})  # fmt: skip


class DecideArgs(Schema):
    action = Text(required=True, validate=one_of(decisions.ACTIONS))
    version = Id(required=True)
    reason = Text(load_default="", validate=length(max=1000))
    message = Text(load_default="", validate=length(max=5000),
                   metadata={"description": "Told to the author with a penalty."})  # fmt: skip
    days = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=number_range(0, 3650),
        metadata={"description": "Penalty length; none: the escalating default; 0: until "
                  "lifted."},
    )  # fmt: skip


ReviewPageSchema = page_schema(ReviewItemSchema, "ReviewItemPageSchema")


def _may_review() -> None:
    if not decisions.may_review(current_user):
        fail(404, _("There is nothing here."))


def _item_or_404(item_id: int) -> ReviewItem:
    _may_review()
    item = db.session.get(ReviewItem, item_id, options=[selectinload(ReviewItem.target_user)])
    if item is None or not decisions.visible_to(current_user, item):
        fail(404, _("There is nothing here."))
    return item


def _refuse(field: str, message: str):
    abort(422, message=message, errors={"query": {field: [message]}})


def _row(item: ReviewItem, counts: dict[int, dict[str, int]]) -> dict:
    handler = handlers().get(item.item_type)
    return {
        **{name: getattr(item, name) for name in (
            "id", "item_type", "item_id", "reason", "score", "priority", "scope", "hide_count",
            "version", "snapshot", "created_at", "updated_at", "resolved_at")},
        "kind": str(handler.label) if handler is not None else item.item_type,
        "status": str(item.status),
        "hidden": item.hidden_at is not None,
        "author": item.target_user,
        "flag_counts": counts.get(item.id, {}),
    }  # fmt: skip


def _detail(item: ReviewItem) -> dict:
    record = decisions.author_record(item.target_user_id) if item.target_user_id else None
    return {
        **_row(item, decisions.flag_counts([item.id])),
        "flags": decisions.flags_of(item),
        "history": decisions.history_of(item),
        "author_record": record,
    }


@bp.route("/review", methods=["GET"])
@bp.arguments(ReviewListArgs, location="query")
@bp.response(200, ReviewPageSchema)
@bp.doc(security=BEARER_AUTH)
def list_items(args):
    """Items to review, highest priority and score first (`status` is pending by default)."""
    _may_review()
    if args["kind"] and args["kind"] not in handlers():
        _refuse("kind", _("Choose one of the offered values."))
    if args["scope"] and args["scope"] not in decisions.scope_choices(current_user):
        _refuse("scope", _("Choose one of the offered values."))
    author = None
    if args["user"]:
        author = accounts.by_username(args["user"])
        if author is None:
            _refuse("user", _("There is no one with this username."))
    query = decisions.queue_query(
        current_user,
        status=args["status"],
        item_type=args["kind"] or None,
        scope=args["scope"] or None,
        reason=args["reason"] or None,
        user_id=author.id if author else None,
        flag_reason=args["flag_reason"] or None,
    ).options(selectinload(ReviewItem.target_user))
    page = paginate(query, args)
    counts = decisions.flag_counts([item.id for item in page["items"]])
    return {**page, "items": [_row(item, counts) for item in page["items"]]}


@bp.route("/review/<int(max=2147483647):item_id>", methods=["GET"])
@bp.response(200, ReviewItemDetailSchema)
@bp.doc(security=BEARER_AUTH)
def get_item(item_id: int):
    """One item: the snapshot as flagged, every flag, the history and the author's record."""
    return _detail(_item_or_404(item_id))


@bp.route("/review/<int(max=2147483647):item_id>/decide", methods=["POST"])
@bp.arguments(DecideArgs)
@bp.response(200, ReviewItemDetailSchema)
@bp.alt_response(409, description="Another moderator already handled the item.")
@bp.alt_response(422, description="The decision was refused (the message says why).")
@bp.doc(security=BEARER_AUTH)
def decide(args, item_id: int):
    """Decide on an item: agree (`agree_hide`, `agree_keep`, `agree_edit`, `agree_delete`,
    `agree_delete_replies`, `agree_silence`, `agree_suspend`), `disagree`, `ignore`; for
    held items `approve` or `reject`."""
    item = _item_or_404(item_id)
    try:
        decisions.decide(
            current_user,
            item,
            args["action"],
            version=args["version"],
            reason=args["reason"],
            penalty_days=args["days"],
            message=args["message"],
        )
    except AlreadyHandled as error:
        db.session.rollback()
        abort(409, message=error.message)
    except NotFound:
        db.session.rollback()
        fail(404, _("There is nothing here."))
    except ModerationError as error:
        db.session.rollback()
        errors = {"json": {error.field: [error.message]}} if error.field else None
        abort(422, message=error.message, errors=errors)
    db.session.commit()
    return _detail(_item_or_404(item_id))
