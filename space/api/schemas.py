"""Marshmallow building blocks for the API: a base ``Schema`` whose messages are translated,
validators with translated messages, text that is safe to store, and pagination.

marshmallow's own messages are English. ``Schema`` swaps each field's default messages for
translated ones when the field is bound, so every error a client reads comes out in the
caller's language (the strings are lazy: they are translated when the response is written).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema as _Schema
from marshmallow import ValidationError, fields, validate
from sqlalchemy import func, select

from space.api import MAX_ID
from space.db import db

MAX_PAGE = 100_000
MAX_PER_PAGE = 100

# marshmallow's default messages (as it writes them) → the translated message we answer with.
# Messages that carry placeholders are replaced by ones that need none, because marshmallow
# only fills placeholders into plain ``str`` messages.
_DEFAULT_MESSAGES = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field cannot be null."),
    "Invalid value.": _l("This value is not valid."),
    "Not a valid string.": _l("Enter text."),
    "Not a valid utf-8 string.": _l("The text is not valid UTF-8."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid number.": _l("Enter a number."),
    "Number too large.": _l("This number is too large."),
    "Not a valid boolean.": _l("Enter true or false."),
    "Not a valid list.": _l("Enter a list."),
    "Not a valid tuple.": _l("Enter a list."),
    "Not a valid mapping type.": _l("Enter an object."),
    "Invalid type.": _l("Enter an object."),
    "Not a valid {obj_type}.": _l("Enter a date and time in ISO 8601 format."),
    "Not a valid email address.": _l("Enter a valid email address."),
    "Not a valid URL.": _l("Enter a web address starting with http:// or https://."),
}


class Schema(_Schema):
    """Base schema: unknown fields are refused and every message is translated."""

    error_messages = {
        "type": _l("Send a JSON object."),
        "unknown": _l("Unknown field."),
    }

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _translate(field_obj)


def _translate(field: fields.Field) -> None:
    """Replace the field's English default messages (those not set by our code).

    Each becomes a one-item list: ``ValidationError`` wraps only ``str`` messages in a list,
    and a lazy string is not one.
    """
    for key, message in list(field.error_messages.items()):
        if isinstance(message, str) and message in _DEFAULT_MESSAGES:
            field.error_messages[key] = [_DEFAULT_MESSAGES[message]]
    # Fields inside containers are bound by the container, not the schema.
    for inner in (getattr(field, "inner", None), getattr(field, "value_field", None)):
        if isinstance(inner, fields.Field):
            _translate(inner)


# --- validators with translated messages ---------------------------------------------------


def length(min: int | None = None, max: int | None = None) -> validate.Length:  # noqa: A002
    """Text (or list) length; the message names the limits."""
    if min and max:
        message = _l("Use between %(min)d and %(max)d characters.", min=min, max=max)
    elif min:
        message = _l("Use at least %(min)d characters.", min=min)
    else:
        message = _l("Use at most %(max)d characters.", max=max)
    return validate.Length(min=min, max=max, error=message)


def at_most_items(max: int) -> validate.Length:  # noqa: A002 - mirrors marshmallow
    return validate.Length(max=max, error=_l("Send at most %(max)d items.", max=max))


def one_of(choices) -> validate.OneOf:
    return validate.OneOf(list(choices), error=_l("Choose one of the offered values."))


def number_range(min: int, max: int) -> validate.Range:  # noqa: A002 - mirrors marshmallow
    return validate.Range(
        min=min, max=max, error=_l("Enter a number from %(min)s to %(max)s.", min=min, max=max)
    )


def web_address(value: str) -> None:
    """An http(s) address, or empty (the same rule as the profile form)."""
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or " " in value:
        raise ValidationError(_("Enter a web address starting with http:// or https://."))


def known_locale(value: str | None) -> None:
    if value is not None and value not in current_app.config["SPACE_LOCALES"]:
        raise ValidationError(_("Choose one of the offered values."))


class Text(fields.String):
    """A string with surrounding whitespace stripped, refusing what no database stores:
    NUL characters and lone surrogates (which JSON's ``\\u`` escapes can carry)."""

    default_error_messages = {
        "unstorable": [_l("The text contains characters that are not allowed.")],
    }

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("unstorable")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("unstorable") from None
        return text.strip()


def Id(**kwargs) -> fields.Integer:  # noqa: N802 - reads like a field class
    """A database id: a whole number that fits the column."""
    return fields.Integer(strict=True, validate=number_range(1, MAX_ID), **kwargs)


# --- pagination -----------------------------------------------------------------------------


class PageArgs(Schema):
    """``?page=&per_page=`` (1-based; at most 100 items a page)."""

    page = fields.Integer(load_default=1, validate=number_range(1, MAX_PAGE))
    per_page = fields.Integer(
        load_default=None,
        validate=number_range(1, MAX_PER_PAGE),
        allow_none=True,
        metadata={"description": "Items per page; by default the site's page size (30)."},
    )


def page_schema(item_schema: type[_Schema], name: str) -> type[Schema]:
    """An envelope schema ``{"items", "page", "per_page", "total"}`` around ``item_schema``.

    ``name`` must be unique: it names the schema in the OpenAPI document.
    """
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
    )


def paginate(query, args: dict) -> dict:
    """One page of ``query`` as the envelope ``page_schema`` dumps (two queries: the count and
    the page), with the first selected entity of each row."""
    size = args.get("per_page") or min(current_app.config["SPACE_PAGE_SIZE"], MAX_PER_PAGE)
    page = args["page"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    result = db.session.execute(query.limit(size).offset((page - 1) * size))
    items = result.scalars().all()
    return {"items": items, "page": page, "per_page": size, "total": total}
