"""Groups: the list, one group, its members; joining, leaving and asking to join.

The same rules as the group pages: a private group is invisible (404) to anyone outside it,
in the list and by name; joining, leaving and requests go through the ``group.*`` actions.
"""

from __future__ import annotations

import re

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from marshmallow import fields

from space.accounts import groups
from space.accounts.models import Group
from space.accounts.services import AccountError
from space.api.auth import BEARER_AUTH, OPTIONAL_AUTH
from space.api.blueprint import Blueprint
from space.api.schemas import PageArgs, Schema, Text, length, page_schema, paginate
from space.api.users import UserSchema
from space.db import db
from space.errors import fail
from space.permissions import can, require

bp = Blueprint("api-groups", __name__, description="Groups and their members.")

GROUP_NAME_IN_PATH = re.compile(r"[A-Za-z0-9_-]{1,40}")
ACTIONS = ("join", "leave", "request", "manage")


class GroupSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    title = fields.String()
    description_html = fields.String(metadata={"description": "Sanitized HTML."})
    visibility = fields.String(metadata={"enum": ["public", "closed", "private"]})
    member_count = fields.Integer()
    automatic = fields.Boolean(
        attribute="is_automatic", metadata={"description": "A trust-level group."}
    )
    trust_level = fields.Integer(attribute="automatic_trust_level", allow_none=True)
    # The caller's group ids are looked up once per request, so this costs no query per group.
    is_member = fields.Function(
        lambda group: groups.is_member(current_user, group), metadata={"type": "boolean"}
    )
    url = fields.Function(
        lambda group: url_for("accounts.group", name=group.name, _external=True),
        metadata={"type": "string", "format": "uri"},
    )


class GroupDetailSchema(GroupSchema):
    can = fields.Function(
        lambda group: {action: can(current_user, f"group.{action}", group) for action in ACTIONS},
        metadata={
            "type": "object",
            "description": "What you may do: join, leave, request (to join), manage.",
            "additionalProperties": {"type": "boolean"},
        },
    )


class MemberSchema(Schema):
    user = fields.Nested(UserSchema)
    is_owner = fields.Boolean()


class JoinRequestArgs(Schema):
    message = Text(load_default="", validate=length(max=500))


class JoinRequestSchema(Schema):
    id = fields.Integer()
    group = fields.String(metadata={"description": "The group's name."})
    message = fields.String()
    status = fields.String(metadata={"enum": ["pending", "approved", "refused"]})
    created_at = fields.DateTime()


GroupPageSchema = page_schema(GroupSchema, "GroupPageSchema")
MemberPageSchema = page_schema(MemberSchema, "MemberPageSchema")


def group_or_404(name: str) -> Group:
    """The group named ``name`` if the caller may see it; 404 otherwise (private stays hidden)."""
    group = groups.readable(current_user, name)
    if group is None:
        fail(404, _("There is no such group."))
    return group


@bp.route("/groups", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, GroupPageSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_groups(args):
    """The groups you may see: all public and closed ones, and your private ones."""
    return paginate(groups.visible_groups_query(current_user), args)


@bp.route("/groups/<name>", methods=["GET"])
@bp.response(200, GroupDetailSchema)
@bp.doc(security=OPTIONAL_AUTH)
def get_group(name: str):
    """One group (404 for a private group you are not in)."""
    return group_or_404(name)


@bp.route("/groups/<name>/members", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, MemberPageSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_members(args, name: str):
    """The group's members, owners first (automatic trust-level groups list no one)."""
    group = group_or_404(name)
    page = paginate(groups.members_query(group), args)
    page["items"] = [{"user": m.user, "is_owner": m.is_owner} for m in page["items"]]
    return page


@bp.route("/groups/<name>/join", methods=["POST"])
@bp.response(200, GroupDetailSchema)
@bp.doc(security=BEARER_AUTH)
def join_group(name: str):
    """Join a public group."""
    group = group_or_404(name)
    require(current_user, "group.join", group)
    groups.join(group, current_user._get_current_object())
    db.session.commit()
    return group


@bp.route("/groups/<name>/leave", methods=["POST"])
@bp.response(200, GroupDetailSchema)
@bp.doc(security=BEARER_AUTH)
def leave_group(name: str):
    """Leave a group you are a member of (not an automatic one)."""
    group = group_or_404(name)
    require(current_user, "group.leave", group)
    groups.remove_member(group, current_user._get_current_object())
    db.session.commit()
    return group


@bp.route("/groups/<name>/requests", methods=["POST"])
@bp.arguments(JoinRequestArgs)
@bp.response(201, JoinRequestSchema)
@bp.doc(security=BEARER_AUTH)
def request_to_join(args, name: str):
    """Ask to join a closed group; its owners decide. Asking again returns the pending request."""
    group = group_or_404(name)
    require(current_user, "group.request", group)
    try:
        join_request = groups.request_to_join(
            group, current_user._get_current_object(), args["message"]
        )
    except AccountError as error:
        abort(422, message=error.message)
    db.session.commit()
    return {
        "id": join_request.id,
        "group": group.name,
        "message": join_request.message,
        "status": join_request.status,
        "created_at": join_request.created_at,
    }
