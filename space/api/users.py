"""People: public profiles and the directory (``/api/v1/users``).

What a profile shows here is what the profile page shows: never the email address, the
locale or the time zone (those are in ``/api/v1/me``, for the person themselves).
"""

from __future__ import annotations

import re

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields
from sqlalchemy import func, select

from space.accounts import services
from space.accounts.models import User
from space.api.auth import OPTIONAL_AUTH
from space.api.blueprint import Blueprint
from space.api.schemas import PageArgs, Schema, Text, length, page_schema, paginate
from space.errors import fail
from space.permissions import require

bp = Blueprint("api-users", __name__, description="People and their public profiles.")

# Wider than the registration rule (old or imported names), narrow enough to refuse junk
# such as NUL characters before it reaches the database.
USERNAME_IN_PATH = re.compile(r"[A-Za-z0-9_.-]{1,40}")


class UserSchema(Schema):
    """A public profile."""

    id = fields.Integer()
    username = fields.String()
    name = fields.String(metadata={"description": "The display name, or else the username."})
    display_name = fields.String()
    bio_html = fields.String(metadata={"description": "The bio, as sanitized HTML."})
    website = fields.String()
    languages = fields.List(fields.String(), metadata={"description": "ISO 639-1 codes."})
    affiliation = fields.String()
    trust_level = fields.Integer()
    roles = fields.List(fields.String())
    created_at = fields.DateTime()
    url = fields.Function(
        lambda user: url_for("accounts.profile", username=user.username, _external=True),
        metadata={"type": "string", "format": "uri"},
    )


UserPageSchema = page_schema(UserSchema, "UserPageSchema")


class UserListArgs(PageArgs):
    q = Text(load_default="", validate=length(max=100))


def user_or_404(username: str) -> User:
    user = services.by_username(username) if USERNAME_IN_PATH.fullmatch(username) else None
    if user is None:
        fail(404, _("There is no one with this username."))
    return user


@bp.route("/users", methods=["GET"])
@bp.arguments(UserListArgs, location="query")
@bp.response(200, UserPageSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_users(args):
    """People, by username; `q` keeps those whose username or display name contains it."""
    require(current_user, "user.read")
    query = select(User).order_by(func.lower(User.username))
    if args["q"]:
        text = args["q"].lower()
        query = query.where(
            func.lower(User.username).contains(text, autoescape=True)
            | func.lower(User.display_name).contains(text, autoescape=True)
        )
    return paginate(query, args)


@bp.route("/users/<username>", methods=["GET"])
@bp.response(200, UserSchema)
@bp.doc(security=OPTIONAL_AUTH)
def get_user(username: str):
    """One person's public profile (404 when there is no such username)."""
    require(current_user, "user.read")
    return user_or_404(username)
