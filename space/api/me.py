"""The caller's own account: ``/api/v1/me`` (with private fields) and ``/api/v1/tokens``."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError, fields

from space.accounts import services
from space.api import tokens
from space.api.auth import BEARER_AUTH
from space.api.blueprint import Blueprint
from space.api.schemas import (
    MAX_ID,
    PageArgs,
    Schema,
    Text,
    at_most_items,
    known_locale,
    length,
    one_of,
    page_schema,
    paginate,
    web_address,
)
from space.api.users import UserSchema
from space.db import db
from space.errors import fail
from space.i18n import SPOKEN_LANGUAGES, is_timezone
from space.permissions import require

bp = Blueprint("api-me", __name__, description="Your own account.")
tokens_bp = Blueprint("api-tokens", __name__, description="Your personal API tokens.")


class MeSchema(UserSchema):
    """Your profile, with the fields only you see."""

    email = fields.String()
    bio = fields.String(metadata={"description": "The bio as you wrote it (Markdown)."})
    locale = fields.String(allow_none=True)
    timezone = fields.String(allow_none=True)
    email_notifications = fields.Boolean()
    confirmed = fields.Boolean(attribute="is_confirmed")


def _known_timezone(value: str | None) -> None:
    if value is not None and not is_timezone(value):
        raise ValidationError(_("Choose a time zone from the list."))


class ProfileUpdateSchema(Schema):
    """Fields to change; those left out stay as they are."""

    display_name = Text(validate=length(max=80))
    bio = Text(validate=length(max=3000), metadata={"description": "Markdown."})
    website = Text(validate=[length(max=300), web_address])
    languages = fields.List(
        Text(validate=one_of(SPOKEN_LANGUAGES)),
        validate=at_most_items(len(SPOKEN_LANGUAGES)),
        metadata={"description": "ISO 639-1 codes of languages you speak."},
    )
    affiliation = Text(validate=length(max=120))
    locale = Text(
        allow_none=True,
        validate=known_locale,
        metadata={"description": "One of the site's languages; null: from your browser."},
    )
    timezone = Text(
        allow_none=True,
        validate=_known_timezone,
        metadata={"description": "An IANA zone such as Europe/Paris; null: the site's."},
    )
    email_notifications = fields.Boolean()


@bp.route("/me")
class Me(MethodView):
    @bp.response(200, MeSchema)
    @bp.doc(security=BEARER_AUTH)
    def get(self):
        """Your profile, with private fields (email, locale, time zone)."""
        require(current_user, "account.read", current_user)
        return current_user._get_current_object()

    @bp.arguments(ProfileUpdateSchema)
    @bp.response(200, MeSchema)
    @bp.doc(security=BEARER_AUTH)
    def patch(self, changes):
        """Change your profile (needs the `write` scope)."""
        require(current_user, "account.edit", current_user)
        if "languages" in changes:
            changes["languages"] = list(dict.fromkeys(changes["languages"]))
        for name in ("locale", "timezone"):
            if name in changes:
                changes[name] = changes[name] or None
        user = current_user._get_current_object()
        services.update_profile(user, **changes)
        db.session.commit()
        return user


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    hint = fields.String(metadata={"description": "The first characters of the token."})
    scopes = fields.List(fields.String())
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)


TokenPageSchema = page_schema(TokenSchema, "TokenPageSchema")


@tokens_bp.route("/tokens", methods=["GET"])
@tokens_bp.arguments(PageArgs, location="query")
@tokens_bp.response(200, TokenPageSchema)
@tokens_bp.doc(security=BEARER_AUTH)
def list_tokens(args):
    """Your live tokens, newest first (the secrets themselves are never shown again)."""
    require(current_user, "token.manage", current_user)
    return paginate(tokens.live_tokens_query(current_user.id), args)


@tokens_bp.route(f"/tokens/<int(max={MAX_ID}):token_id>", methods=["DELETE"])
@tokens_bp.response(204)
@tokens_bp.doc(security=BEARER_AUTH)
def revoke_token(token_id: int):
    """Revoke one of your tokens (it may be the one making this call)."""
    require(current_user, "token.manage", current_user)
    token = db.session.get(tokens.ApiToken, token_id)
    if token is None or token.user_id != current_user.id or token.revoked_at is not None:
        fail(404, _("There is no such token."))
    tokens.revoke(token, by=current_user)
    db.session.commit()
