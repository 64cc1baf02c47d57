"""Schemas of Discuss's API (``api.py``): what a category, topic and post look like, and what
the writing endpoints accept. ``liked``/``bookmarked`` read the caller's likes and bookmarks
that the endpoint looked up in one batch (``g.discuss_api_liked``/``_bookmarked``).
"""

from __future__ import annotations

from datetime import UTC

from flask import g, url_for
from flask_login import current_user
from marshmallow import fields

from space.api.schemas import Id, PageArgs, Schema, Text, at_most_items, length, page_schema
from space.permissions import can

from .models import Post

MAX_RAW = 32_000


class AuthorSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    name = fields.Function(lambda user: user.display_name or user.username)
    url = fields.Function(
        lambda user: url_for("accounts.profile", username=user.username, _external=True),
        metadata={"type": "string", "format": "uri"},
    )


class CategorySchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    description_html = fields.String(metadata={"description": "Sanitized HTML."})
    color = fields.String()
    parent_id = fields.Integer(allow_none=True)
    accepts_answers = fields.Boolean(metadata={"description": "A Q&A category."})
    topic_count = fields.Integer()
    post_count = fields.Integer(metadata={"description": "Replies (first posts not counted)."})
    can_create = fields.Function(
        lambda category: can(current_user, "topic.create", category),
        metadata={"type": "boolean", "description": "You may start topics here."},
    )
    url = fields.Function(
        lambda category: url_for("discuss.category", slug=category.slug, _external=True),
        metadata={"type": "string", "format": "uri"},
    )


class TopicSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    slug = fields.String()
    category = fields.Function(lambda topic: topic.category.slug, metadata={"type": "string"})
    tags = fields.Function(
        lambda topic: [tag.name for tag in topic.tags],
        metadata={"type": "array", "items": {"type": "string"}},
    )
    user = fields.Nested(AuthorSchema, metadata={"description": "Who started it."})
    created_at = fields.DateTime()
    bumped_at = fields.DateTime(metadata={"description": "Last reply (orders the list)."})
    post_count = fields.Integer()
    reply_count = fields.Integer()
    like_count = fields.Integer()
    view_count = fields.Integer()
    closed = fields.Boolean()
    archived = fields.Boolean()
    pinned = fields.Function(
        lambda topic: topic.pinned_at is not None, metadata={"type": "boolean"}
    )
    listed = fields.Boolean()
    accepted_post_id = fields.Integer(allow_none=True)
    solved = fields.Boolean(attribute="is_solved")
    url = fields.Function(
        lambda topic: url_for(
            "discuss.topic", slug=topic.slug, topic_id=topic.id, _external=True
        ),  # fmt: skip
        metadata={"type": "string", "format": "uri"},
    )


def _mine(kind: str, post: Post) -> bool:
    return post.id in g.get(f"discuss_api_{kind}", ())


class PostSchema(Schema):
    id = fields.Integer()
    topic_id = fields.Integer()
    post_number = fields.Integer()
    reply_to_post_number = fields.Integer(allow_none=True)
    user = fields.Nested(AuthorSchema)
    raw = fields.String(metadata={"description": "The text as written (Markdown)."})
    cooked = fields.String(metadata={"description": "Sanitized HTML."})
    created_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    like_count = fields.Integer()
    reply_count = fields.Integer()
    hidden = fields.Function(lambda post: post.hidden_at is not None, metadata={"type": "boolean"})
    deleted = fields.Function(lambda p: p.deleted_at is not None, metadata={"type": "boolean"})
    liked = fields.Function(lambda post: _mine("liked", post), metadata={"type": "boolean"})
    bookmarked = fields.Function(
        lambda post: _mine("bookmarked", post), metadata={"type": "boolean"}
    )
    can = fields.Function(
        lambda post: {
            "edit": can(current_user, "post.edit", post),
            "like": can(current_user, "post.like", post),
        },
        metadata={"type": "object", "additionalProperties": {"type": "boolean"},
                  "description": "What you may do: edit, like."},
    )  # fmt: skip
    url = fields.Function(
        lambda post: url_for("discuss.post_link", post_id=post.id, _external=True),
        metadata={"type": "string", "format": "uri"},
    )


CategoryPageSchema = page_schema(CategorySchema, "DiscussCategoryPageSchema")
TopicPageSchema = page_schema(TopicSchema, "DiscussTopicPageSchema")
PostPageSchema = page_schema(PostSchema, "DiscussPostPageSchema")


class TopicDetailSchema(TopicSchema):
    posts = fields.Nested(PostPageSchema, metadata={"description": "One page of its posts."})


class TopicListArgs(PageArgs):
    category = Text(
        load_default="",
        validate=length(max=60),
        metadata={"description": "A category's slug (its sub-categories too)."},
    )
    tag = Text(load_default="", validate=length(max=40))  # fmt: skip


class NewTopicSchema(Schema):
    category = Text(required=True, validate=length(max=60), metadata={"description": "Slug."})
    title = Text(required=True, validate=length(max=255))
    raw = fields.String(required=True, validate=length(max=MAX_RAW),
                        metadata={"description": "Markdown."})  # fmt: skip
    tags = fields.List(Text(validate=length(max=40)), load_default=list,
                       validate=at_most_items(20))  # fmt: skip


class NewPostSchema(Schema):
    raw = fields.String(required=True, validate=length(max=MAX_RAW))
    reply_to = Id(load_default=None, allow_none=True,
                  metadata={"description": "The post number this reply answers."})  # fmt: skip


class EditPostSchema(Schema):
    raw = fields.String(required=True, validate=length(max=MAX_RAW))
    title = Text(validate=length(max=255),
                 metadata={"description": "First posts only: the topic's new title."})  # fmt: skip


class BookmarkArgs(Schema):
    name = Text(load_default="", validate=length(max=100))
    reminder_at = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        default_timezone=UTC,
        metadata={"description": "When to remind you (ISO 8601; UTC unless a zone is given)."},
    )
