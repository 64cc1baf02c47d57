"""Discuss in the JSON API (``/api/v1/discuss``): categories, topics and posts; posting,
editing, likes, bookmarks and accepted answers.

The same rules as the pages: ``require``/``can`` with Discuss's actions and ``access`` for
category visibility, so what is private stays private (404, like something missing). Writes
go through the same services; a refusal (``DiscussError``) is a 422 with its translated
message, under the field at fault. Each endpoint costs a fixed number of queries.
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from space.api.auth import BEARER_AUTH, OPTIONAL_AUTH
from space.api.blueprint import Blueprint
from space.api.schemas import PageArgs, paginate
from space.db import db
from space.errors import fail
from space.permissions import can, is_staff, require

from . import access
from .api_schemas import (
    BookmarkArgs,
    CategoryPageSchema,
    EditPostSchema,
    NewPostSchema,
    NewTopicSchema,
    PostSchema,
    TopicDetailSchema,
    TopicListArgs,
    TopicPageSchema,
    TopicSchema,
)
from .models import Bookmark, Category, Post, PostLike, Tag, Topic, topic_tag
from .services import editing, posting, social
from .services.posting import DiscussError

bp = Blueprint("api-discuss", __name__, description="Discuss: categories, topics and posts.")

ID = "int(max=2147483647)"


# --- helpers -------------------------------------------------------------------------------


def refuse(error: DiscussError):
    """A service's refusal as the API's 422, the message under its field."""
    db.session.rollback()
    where = error.field or "_schema"
    abort(422, message=error.message, errors={"json": {where: [error.message]}})


def _me():
    return current_user._get_current_object()


def _topic_query():
    return select(Topic).options(
        joinedload(Topic.user), joinedload(Topic.category), selectinload(Topic.tags)
    )


def topic_or_404(topic_id: int) -> Topic:
    topic = db.session.scalar(_topic_query().where(Topic.id == topic_id))
    if topic is None:
        fail(404, _("There is no such topic."))
    require(current_user, "topic.read", topic)
    return topic


def post_or_404(post_id: int) -> Post:
    """A post the caller may see, with its author and topic loaded."""
    post = db.session.scalar(select(Post).where(Post.id == post_id)
                             .options(joinedload(Post.user)))  # fmt: skip
    if post is None:
        fail(404, _("There is no such post."))
    topic = topic_or_404(post.topic_id)
    if not access.can_see_post(current_user, post):
        fail(404, _("There is no such post."))
    set_committed_value(post, "topic", topic)
    return post


def _remember_mine(posts: list[Post]) -> None:
    """The caller's likes and bookmarks among ``posts`` (two queries when signed in)."""
    ids = [p.id for p in posts]
    liked: set[int] = set()
    marked: set[int] = set()
    if ids and current_user.is_authenticated:
        liked = set(db.session.scalars(select(PostLike.post_id).where(
            PostLike.user_id == current_user.id, PostLike.post_id.in_(ids))))  # fmt: skip
        marked = set(db.session.scalars(select(Bookmark.post_id).where(
            Bookmark.user_id == current_user.id, Bookmark.post_id.in_(ids))))  # fmt: skip
    g.discuss_api_liked, g.discuss_api_bookmarked = liked, marked


def _posts_page(topic: Topic, args: dict) -> dict:
    query = select(Post).where(Post.topic_id == topic.id)
    if not is_staff(current_user):
        mine = Post.user_id == current_user.id if current_user.is_authenticated else False
        query = query.where(Post.deleted_at.is_(None), or_(Post.hidden_at.is_(None), mine))
    found = paginate(query.order_by(Post.post_number).options(joinedload(Post.user)), args)
    for post in found["items"]:
        set_committed_value(post, "topic", topic)
    _remember_mine(found["items"])
    return found


class _Detail:
    """A topic with one page of its posts, for ``TopicDetailSchema``."""

    def __init__(self, topic: Topic, posts: dict):
        self._topic = topic
        self.posts = posts

    def __getattr__(self, name):
        return getattr(self._topic, name)


def _detail(topic_id: int, args: dict | None = None) -> _Detail:
    topic = topic_or_404(topic_id)
    return _Detail(topic, _posts_page(topic, args or {"page": 1, "per_page": None}))


def _fresh_post(post_id: int) -> Post:
    post = post_or_404(post_id)
    _remember_mine([post])
    return post


# --- reading ---------------------------------------------------------------------------------


@bp.route("/categories", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, CategoryPageSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_categories(args):
    """The categories you may see, in display order."""
    require(current_user, "discuss.read")
    visible = access.visible_category_ids(current_user)
    query = select(Category).where(Category.id.in_(visible))
    return paginate(query.order_by(Category.position, Category.name, Category.id), args)


@bp.route("/topics", methods=["GET"])
@bp.arguments(TopicListArgs, location="query")
@bp.response(200, TopicPageSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_topics(args):
    """The latest topics you may see (by last reply); `category` and `tag` narrow the list."""
    require(current_user, "discuss.read")
    visible = access.visible_category_ids(current_user)
    query = _topic_query().where(
        Topic.category_id.in_(visible), Topic.deleted_at.is_(None), Topic.listed.is_(True)
    )
    if args["category"]:
        found = next((c for c in access.all_categories() if c.slug == args["category"]), None)
        if found is None or found.id not in visible:
            fail(404, _("There is no such category."))
        family = [found.id, *(c.id for c in access.all_categories()
                              if c.parent_id == found.id and c.id in visible)]  # fmt: skip
        query = query.where(Topic.category_id.in_(family))
    if args["tag"]:
        tag = db.session.scalar(select(Tag).where(Tag.name == args["tag"].lower()))
        if tag is None:
            fail(404, _("There is no such tag."))
        query = query.where(
            Topic.id.in_(select(topic_tag.c.topic_id).where(topic_tag.c.tag_id == tag.id))
        )
    return paginate(query.order_by(Topic.bumped_at.desc(), Topic.id.desc()), args)


@bp.route(f"/topics/<{ID}:topic_id>", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, TopicDetailSchema)
@bp.doc(security=OPTIONAL_AUTH)
def get_topic(args, topic_id: int):
    """A topic with one page of its posts (`page`, `per_page`)."""
    return _detail(topic_id, args)


# --- writing -------------------------------------------------------------------------------


@bp.route("/topics", methods=["POST"])
@bp.arguments(NewTopicSchema)
@bp.response(201, TopicDetailSchema)
@bp.doc(security=BEARER_AUTH)
def create_topic(args):
    """Start a topic in a category where you may (the composer's rules and limits)."""
    require(current_user, "topic.create")
    category = next((c for c in access.all_categories() if c.slug == args["category"]), None)
    try:
        if category is None or not can(current_user, "topic.create", category):
            raise DiscussError(_("Choose a category you may post in."), "category")
        topic = posting.create_topic(_me(), category, args["title"], args["raw"], args["tags"])
    except DiscussError as error:
        refuse(error)
    db.session.commit()
    return _detail(topic.id)


@bp.route(f"/topics/<{ID}:topic_id>/posts", methods=["POST"])
@bp.arguments(NewPostSchema)
@bp.response(201, PostSchema)
@bp.doc(security=BEARER_AUTH)
def create_post(args, topic_id: int):
    """Reply to a topic (to one of its posts with `reply_to`, a post number)."""
    topic = topic_or_404(topic_id)
    require(current_user, "topic.reply", topic)
    try:
        post = posting.create_post(_me(), topic, args["raw"], args["reply_to"])
    except DiscussError as error:
        refuse(error)
    db.session.commit()
    return _fresh_post(post.id)


@bp.route(f"/posts/<{ID}:post_id>", methods=["PATCH"])
@bp.arguments(EditPostSchema)
@bp.response(200, PostSchema)
@bp.doc(security=BEARER_AUTH)
def edit_post(args, post_id: int):
    """Edit your post (within the edit window); `title` retitles a topic from its first post."""
    post = post_or_404(post_id)
    require(current_user, "post.edit", post)
    try:
        editing.edit_post(post, _me(), args["raw"], args.get("title"))
    except DiscussError as error:
        refuse(error)
    db.session.commit()
    return _fresh_post(post_id)


@bp.route(f"/posts/<{ID}:post_id>/like", methods=["POST"])
@bp.response(200, PostSchema)
@bp.doc(security=BEARER_AUTH)
def like(post_id: int):
    """Like a post (not your own; liking twice changes nothing)."""
    post = post_or_404(post_id)
    try:
        social.like(_me(), post)
    except DiscussError as error:
        refuse(error)
    db.session.commit()
    return _fresh_post(post_id)


@bp.route(f"/posts/<{ID}:post_id>/like", methods=["DELETE"])
@bp.response(200, PostSchema)
@bp.doc(security=BEARER_AUTH)
def unlike(post_id: int):
    """Take your like back (only shortly after giving it)."""
    post = post_or_404(post_id)
    try:
        social.unlike(_me(), post)
    except DiscussError as error:
        refuse(error)
    db.session.commit()
    return _fresh_post(post_id)


@bp.route(f"/posts/<{ID}:post_id>/bookmark", methods=["POST"])
@bp.arguments(BookmarkArgs)
@bp.response(200, PostSchema)
@bp.doc(security=BEARER_AUTH)
def bookmark(args, post_id: int):
    """Bookmark a post, with an optional `name` and `reminder_at` (or change the bookmark)."""
    post = post_or_404(post_id)
    require(current_user, "post.bookmark", post)
    try:
        social.bookmark(_me(), post, name=args["name"], reminder_at=args["reminder_at"])
    except DiscussError as error:
        refuse(error)
    db.session.commit()
    return _fresh_post(post_id)


@bp.route(f"/posts/<{ID}:post_id>/bookmark", methods=["DELETE"])
@bp.response(200, PostSchema)
@bp.doc(security=BEARER_AUTH)
def unbookmark(post_id: int):
    """Remove your bookmark of a post."""
    post = post_or_404(post_id)
    social.unbookmark(_me(), post)
    db.session.commit()
    return _fresh_post(post_id)


@bp.route(f"/posts/<{ID}:post_id>/accept", methods=["POST"])
@bp.response(200, TopicSchema)
@bp.doc(security=BEARER_AUTH)
def accept(post_id: int):
    """Mark a reply as its topic's accepted answer (Q&A categories: the asker, TL4, staff)."""
    post = post_or_404(post_id)
    require(current_user, "topic.accept_answer", post.topic)
    try:
        social.accept_answer(_me(), post)
    except DiscussError as error:
        refuse(error)
    db.session.commit()
    return topic_or_404(post.topic_id)


@bp.route(f"/posts/<{ID}:post_id>/accept", methods=["DELETE"])
@bp.response(200, TopicSchema)
@bp.doc(security=BEARER_AUTH)
def unaccept(post_id: int):
    """Withdraw the accepted answer (when it is this post)."""
    post = post_or_404(post_id)
    require(current_user, "topic.accept_answer", post.topic)
    if post.topic.accepted_post_id == post.id:
        try:
            social.unaccept_answer(_me(), post.topic)
        except DiscussError as error:
            refuse(error)
        db.session.commit()
    return topic_or_404(post.topic_id)
