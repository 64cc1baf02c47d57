"""Schemas of the blog's API (``api.py``): what a story, a revision, a decision and an
editorial comment look like, and what the endpoints accept.

What only the people involved and editors may read (the pitch, the checklist, the editorial
state) is dumped from ``editorial``, which the endpoint sets to None for everyone else.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validates_schema

from space.api.schemas import (
    MAX_ID,
    PageArgs,
    Schema,
    Text,
    at_most_items,
    length,
    number_range,
    one_of,
    page_schema,
)

from .models import Status
from .services.workflow import NOTE_MAX, TRANSITIONS, status_label

STATUSES = [status.value for status in Status]
# Upper bounds for what a request may carry; the blog's settings set the real limits
# (``revisions.check``), which answer 422 with the field.
MAX_BODY = 1_000_000
MAX_TEXT = 20_000


class RawText(fields.String):
    """Text kept as typed (Markdown: leading spaces matter), refusing what no database
    stores: NUL characters and lone surrogates."""

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
        return text


def _person_url(user) -> str:
    return url_for("accounts.profile", username=user.username, _external=True)


class BlogPersonSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    name = fields.Function(lambda user: user.display_name or user.username)
    url = fields.Function(_person_url, metadata={"type": "string", "format": "uri"})


class BlogCategorySchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()


class StoryAuthorSchema(Schema):
    user = fields.Nested(BlogPersonSchema)


def _story_url(story) -> str:
    if story.status == Status.PUBLISHED and story.slug:
        return url_for("blog.story", slug=story.slug, _external=True)
    return url_for("blog.story_by_id", story_id=story.id, _external=True)


class StorySchema(Schema):
    """A story as lists show it."""

    id = fields.Integer()
    title = fields.String()
    slug = fields.String(allow_none=True, metadata={"description": "Fixed at first publication."})
    status = fields.String(metadata={"enum": STATUSES})
    status_label = fields.Function(
        lambda story: status_label(story.status),
        metadata={"type": "string", "description": "The status, in the caller's language."},
    )
    language = fields.String()
    excerpt = fields.String()
    category = fields.Nested(BlogCategorySchema, allow_none=True)
    tags = fields.Function(
        lambda story: [tag.name for tag in story.tags],
        metadata={"type": "array", "items": {"type": "string"}},
    )
    authors = fields.List(fields.Pluck(StoryAuthorSchema, "user"),
                          metadata={"description": "The writers, in byline order."})  # fmt: skip
    image_url = fields.String()
    image_alt = fields.String()
    image_attribution = fields.String()
    source_id = fields.Integer(
        allow_none=True, metadata={"description": "The story this one translates."}
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    first_published_at = fields.DateTime(allow_none=True)
    url = fields.Function(_story_url, metadata={"type": "string", "format": "uri"})


class StoryCheckSchema(Schema):
    name = fields.String()
    label = fields.String()
    ok = fields.Boolean()


class StoryPitchSchema(Schema):
    what = fields.String(attribute="pitch_what")
    why = fields.String(attribute="pitch_why")
    who = fields.String(attribute="pitch_who")
    length = fields.Integer(attribute="pitch_length", allow_none=True)


class StoryEditorialSchema(Schema):
    """What the writers, the pitcher and editors see besides the text."""

    pitch = fields.Nested(StoryPitchSchema)
    pitched_by = fields.Nested(BlogPersonSchema, allow_none=True)
    editor = fields.Nested(BlogPersonSchema, allow_none=True)
    due_date = fields.Date(allow_none=True)
    approvals = fields.Integer(metadata={"description": "Since the last substantive edit."})
    submitted_at = fields.DateTime(allow_none=True)
    publish_at = fields.DateTime(allow_none=True, metadata={"description": "Scheduled for."})
    substantive_revision_number = fields.Integer()
    published_revision_number = fields.Integer(allow_none=True)
    locked_by = fields.Nested(BlogPersonSchema, allow_none=True,
                              metadata={"description": "Who is editing it now."})  # fmt: skip
    lock_expires_at = fields.DateTime(allow_none=True)
    checklist = fields.List(
        fields.Nested(StoryCheckSchema),
        metadata={"description": "What must hold before publication."},
    )


class StoryDetailSchema(StorySchema):
    """A story with its text, what the caller may do, and (for those involved and editors)
    its editorial state."""

    body = fields.String(metadata={"description": "The text as written (Markdown)."})
    cooked = fields.String(metadata={"description": "The text as sanitized HTML."})
    revision_number = fields.Integer(
        metadata={"description": "The head revision: send it as `base_revision` when saving."}
    )
    version = fields.Integer(
        metadata={"description": "Send it with a move: a stale one answers 409."}
    )
    topic_id = fields.Integer(
        allow_none=True, metadata={"description": "Its discussion topic, once published."}
    )
    can = fields.Dict(
        keys=fields.String(),
        values=fields.Boolean(),
        metadata={"description": "What you may do: edit, comment, follow, translate."},
    )
    moves = fields.List(
        fields.String(),
        metadata={"description": "The moves (`action` of POST …/moves) you may make now."},
    )
    editorial = fields.Nested(
        StoryEditorialSchema,
        allow_none=True,
        metadata={"description": "For the writers, the pitcher and editors; else null."},
    )


class StoryRevisionSchema(Schema):
    number = fields.Integer()
    user = fields.Nested(BlogPersonSchema, allow_none=True)
    created_at = fields.DateTime()
    substantive = fields.Boolean(
        metadata={"description": "Changed enough to need reviewing again."}
    )
    note = fields.String(metadata={"description": "What made it: empty, or e.g. restore:3."})


class StoryRevisionDetailSchema(StoryRevisionSchema):
    title = fields.String()
    excerpt = fields.String()
    body = fields.String()


class StoryDiffRowSchema(Schema):
    kind = fields.String(metadata={"enum": ["equal", "replace", "delete", "insert"]})
    left = fields.String(allow_none=True, metadata={"description": "Escaped HTML."})
    right = fields.String(allow_none=True, metadata={"description": "Escaped HTML."})


class StoryDiffSchema(Schema):
    """Side-by-side rows per field: removed words in ``<del>``, added ones in ``<ins>``."""

    title = fields.List(fields.Nested(StoryDiffRowSchema))
    excerpt = fields.List(fields.Nested(StoryDiffRowSchema))
    body = fields.List(fields.Nested(StoryDiffRowSchema))


class StoryCompareSchema(Schema):
    a = fields.Nested(StoryRevisionDetailSchema)
    b = fields.Nested(StoryRevisionDetailSchema)
    diff = fields.Nested(StoryDiffSchema)


class StaleSaveSchema(Schema):
    """The answer to a save based on a stale revision (409): nothing was saved."""

    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    head_revision = fields.Integer(metadata={"description": "Save again based on this one."})
    head = fields.Nested(StoryRevisionDetailSchema, allow_none=True)
    diff = fields.Nested(
        StoryDiffSchema, metadata={"description": "From the head revision to what you sent."}
    )


class StoryDecisionSchema(Schema):
    id = fields.Integer()
    action = fields.String(metadata={"description": "A move, or pitch, create, translate…"})
    text = fields.String(metadata={"description": "What the history says, translated."})
    user = fields.Nested(BlogPersonSchema, allow_none=True)
    from_status = fields.String(allow_none=True, metadata={"enum": STATUSES})
    to_status = fields.String(metadata={"enum": STATUSES})
    note = fields.String(
        allow_none=True, metadata={"description": "For those involved and editors; else null."}
    )
    revision_number = fields.Integer()
    created_at = fields.DateTime()


class StoryMoveResultSchema(Schema):
    decision = fields.Nested(StoryDecisionSchema)
    story = fields.Nested(
        StoryDetailSchema,
        allow_none=True,
        metadata={"description": "The story now; null when you may no longer see it."},
    )


class StoryCommentSchema(Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    user = fields.Nested(BlogPersonSchema, allow_none=True)
    body = fields.String(metadata={"description": "As written (Markdown)."})
    cooked = fields.String(metadata={"description": "Sanitized HTML."})
    revision_number = fields.Integer(metadata={"description": "The revision it was written on."})
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.Nested(BlogPersonSchema, allow_none=True)


class StoryThreadSchema(Schema):
    """A top-level comment and its replies, oldest first."""

    comment = fields.Nested(StoryCommentSchema)
    replies = fields.List(fields.Nested(StoryCommentSchema))
    resolved = fields.Boolean()


class StoryThreadListSchema(Schema):
    items = fields.List(fields.Nested(StoryThreadSchema))
    total = fields.Integer(metadata={"description": "Threads."})
    open = fields.Integer(metadata={"description": "Threads not resolved."})


StoryPageSchema = page_schema(StorySchema, "BlogStoryPageSchema")
RevisionPageSchema = page_schema(StoryRevisionSchema, "BlogRevisionPageSchema")
DecisionPageSchema = page_schema(StoryDecisionSchema, "BlogDecisionPageSchema")


# --- what the endpoints accept -----------------------------------------------------------------


def _text(maximum: int, about: str = "", **kwargs) -> Text:
    return Text(validate=length(max=maximum), metadata={"description": about}, **kwargs)


def _number(low: int, about: str = "", **kwargs) -> fields.Integer:
    return fields.Integer(validate=number_range(low, MAX_ID), metadata={"description": about},
                          **kwargs)  # fmt: skip


def _date(about: str, **kwargs) -> fields.Date:
    messages = {"invalid": [_l("Enter a date as YYYY-MM-DD.")]}
    return fields.Date(allow_none=True, error_messages=messages,
                       metadata={"description": about}, **kwargs)  # fmt: skip


class StoryListArgs(PageArgs):
    status = fields.String(load_default=None, validate=one_of(STATUSES),
                           metadata={"description": "Published by default; other statuses "
                                     "for editors, or with `mine`."})  # fmt: skip
    mine = fields.Boolean(load_default=False,
                          metadata={"description": "The stories you write or pitched, in "
                                    "any status but the trash."})  # fmt: skip
    category = _text(60, "A category's slug.", load_default="")
    tag = _text(40, "A tag's name.", load_default="")
    author = _text(40, "A writer's username.", load_default="")
    language = _text(10, "A language code, e.g. fr.", load_default="")


class StoryPitchArgs(Schema):
    title = _text(200, "A working title (optional).", load_default="")
    what = _text(MAX_TEXT, "What happened.", required=True)
    why = _text(MAX_TEXT, "Why it matters to the movement.", required=True)
    who = _text(MAX_TEXT, "Who is involved.", load_default="")
    # "length" in the request; not as an attribute, which would hide ``length()`` here.
    words = _number(1, "The proposed length, in words.", data_key="length", required=True,
                    strict=True)  # fmt: skip
    language = _text(10, "The story's language code.", required=True)


class StoryPitchChangeArgs(StoryPitchArgs):
    """A pitch's fields to change (used with ``partial=True``: those left out stay)."""


class StoryDetailArgs(Schema):
    """What the editor saves beside the text; a field left out stays as it is."""

    category = _text(60, "A category's slug; null: none.", allow_none=True)
    tags = fields.List(Text(validate=length(max=40)), validate=at_most_items(20),
                       metadata={"description": "Tag names (created when new)."})  # fmt: skip
    image_url = _text(500, "An uploaded file's address (/uploads/…).")
    image_alt = _text(MAX_TEXT, "The image's text alternative.")
    image_attribution = _text(MAX_TEXT, "Who made the image, or its source.")


class NewStoryArgs(StoryDetailArgs):
    title = _text(MAX_TEXT, required=True)
    excerpt = _text(MAX_TEXT, load_default="")
    body = RawText(load_default="", validate=length(max=MAX_BODY),
                   metadata={"description": "Markdown."})  # fmt: skip
    language = _text(10, "The story's language code.", required=True)


class StorySaveArgs(StoryDetailArgs):
    base_revision = _number(0, "The revision you started from (the story's `revision_number` "
                            "when you read it); needed to save the text.", strict=True)  # fmt: skip
    title = _text(MAX_TEXT)
    excerpt = _text(MAX_TEXT)
    body = RawText(validate=length(max=MAX_BODY), metadata={"description": "Markdown."})
    language = _text(10, "The story's language code.")
    writers = fields.List(Text(validate=length(max=40)), validate=at_most_items(20),
                          metadata={"description": "Editors: usernames, the lead "
                                    "writer first."})  # fmt: skip
    due_date = _date("Editors: when the draft is due.")
    slug = _text(120, "Editors, once published: its address (the old one redirects).")

    @validates_schema
    def _base_with_text(self, data, **kwargs):
        if {"title", "excerpt", "body"} & set(data) and "base_revision" not in data:
            raise ValidationError(_("Send the revision you started from to save the text."),
                                  "base_revision")  # fmt: skip


class StoryRestoreArgs(Schema):
    base_revision = _number(0, "The story's head revision when you read it.", required=True,
                            strict=True)  # fmt: skip


class StoryCompareArgs(Schema):
    a = _number(1, "The older revision; by default the one before `b`.", load_default=None)
    b = _number(1, "The newer revision; by default the head.", load_default=None)


class StoryMoveArgs(Schema):
    action = fields.String(required=True, validate=one_of(TRANSITIONS),
                           metadata={"enum": list(TRANSITIONS)})  # fmt: skip
    note = _text(NOTE_MAX, "Needed to decline, request changes, reject and unpublish; the "
                 "writer reads it.", load_default="")  # fmt: skip
    publish_at = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        error_messages={
            "invalid": [_l("Enter a date and time in ISO 8601 format.")],
            "invalid_awareness": [
                _l("Give the time with its offset from UTC, e.g. 2030-05-01T09:00:00+02:00.")
            ],
        },
        metadata={"description": "schedule: when (ISO 8601 with an offset)."},
    )
    writer = _text(40, "accept: the writer's username (by default the pitcher).",
                   load_default="")  # fmt: skip
    due_date = _date("accept: when the draft is due.", load_default=None)
    version = _number(1, "The story's `version` you read: 409 if it moved since.",
                      load_default=None, allow_none=True)  # fmt: skip


class StoryCommentArgs(Schema):
    body = RawText(required=True, validate=length(max=MAX_TEXT),
                   metadata={"description": "Markdown."})  # fmt: skip
    parent_id = _number(1, "The comment this one answers.", load_default=None, allow_none=True)
