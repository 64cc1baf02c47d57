"""The blog in the JSON API (``/api/v1/blog``): stories, pitches, saves, revisions, moves
through the editorial flow, history and editorial comments.

The same rules as the pages: ``require``/``can`` with the blog's actions. A story the caller
may not see answers 404 exactly like a missing one; its revisions and editorial comments are
for its writers, its pitcher and editors only (404 for everyone else, even on a published
story). Writes go through the services: a refusal (``WorkflowError``) is a 422 with the
translated message under its field, a move someone else made first (``Conflict``) a 409, and
a save based on a stale revision a 409 carrying the head revision and the difference (nothing
is saved, nothing is lost). Each endpoint costs a fixed number of queries.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from space.accounts import services as accounts
from space.api.auth import BEARER_AUTH, OPTIONAL_AUTH
from space.api.blueprint import Blueprint
from space.api.schemas import PageArgs, paginate
from space.db import db
from space.errors import fail
from space.permissions import can, require

from . import api_schemas as schemas
from .models import Status, Story, StoryComment, StoryDecision
from .services import (
    comments,
    locks,
    pitches,
    queue,
    reading,
    workflow,
)
from .services.workflow import Conflict, WorkflowError

bp = Blueprint("api-blog", __name__, description="Blog: stories, revisions, reviews, comments.")

ID = "int(max=2147483647)"
# The actions a story's ``can`` answers, by the name the API gives them.
CAN = {"edit": "blog.story.edit", "comment": "blog.story.comment",
       "follow": "blog.story.follow", "translate": "blog.story.translate"}  # fmt: skip
# Fields a service names differently from the API.
FIELDS = {"parent": "parent_id"}


# --- helpers -----------------------------------------------------------------------------------


class _View:
    """An object as a schema dumps it, with some attributes added or replaced."""

    def __init__(self, obj, **extra):
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._obj, name)


def me():
    return current_user._get_current_object()


def refuse(error: WorkflowError):
    """A service's refusal as the API's 422, the message under its field."""
    db.session.rollback()
    where = FIELDS.get(error.field, error.field) if error.field else "_schema"
    abort(422, message=error.message, errors={"json": {where: [error.message]}})


def _missing():
    fail(404, _("There is no such story."))


def story_or_404(story_id: int, *, detail: bool = False) -> Story:
    """The story with its writers, category and tags (and, for ``detail``, the people of its
    editorial state), if the caller may see it; else 404 as if it did not exist."""
    query = select(Story).where(Story.id == story_id).options(*reading.story_options())
    if detail:
        query = query.options(
            joinedload(Story.pitched_by), joinedload(Story.editor), joinedload(Story.lock_user)
        )
    story = db.session.scalar(query)
    if story is None or not can(current_user, "blog.story.read", story):
        _missing()
    return story


def insider(story: Story) -> bool:
    """May the caller read what is only for the story's people (revisions, editorial
    comments, the pitch, decision notes)? Its writers, its pitcher and editors."""
    return can(current_user, "blog.story.editorial", story)


def insider_story_or_404(story_id: int) -> Story:
    story = story_or_404(story_id)
    if not insider(story):
        _missing()
    return story


def story_detail(story_id: int) -> _View:
    story = story_or_404(story_id, detail=True)
    editorial = None
    if insider(story):
        live = locks.is_live(story)
        editorial = _View(story, pitch=story, checklist=workflow.checklist(story),
                          locked_by=story.lock_user if live else None,
                          lock_expires_at=locks.expires_at(story) if live else None)  # fmt: skip
    return _View(
        story,
        can={name: can(current_user, action, story) for name, action in CAN.items()},
        moves=[move.name for move in workflow.available(current_user, story)],
        editorial=editorial,
    )


def _decision(decision: StoryDecision, story: Story) -> _View:
    note = decision.note if insider(story) else None
    return _View(decision, text=workflow.describe(decision.action), note=note)


# --- reading -----------------------------------------------------------------------------------


@bp.route("/stories", methods=["GET"])
@bp.arguments(schemas.StoryListArgs, location="query")
@bp.response(200, schemas.StoryPageSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_stories(args):
    """Published stories, newest first; `category`, `tag`, `author` and `language` narrow the
    list. Editors list any `status`; with `mine=true`, the stories you write or pitched."""
    require(current_user, "blog.read")
    status = Status(args["status"]) if args["status"] else None
    if args["mine"]:
        if not current_user.is_authenticated:
            fail(401, _("Sign in to see your stories."))
        query = queue.mine_query(current_user)
    else:
        if status not in {None, Status.PUBLISHED}:
            require(current_user, "blog.queue")
        status = status or Status.PUBLISHED
        query = select(Story)
    if status is not None:
        query = query.where(Story.status == status)
    if args["category"]:
        category = reading.category_by_slug(args["category"])
        if category is None:
            fail(404, _("There is no such category."))
        query = query.where(Story.category_id == category.id)
    if args["tag"]:
        tag = reading.tag_by_name(args["tag"])
        if tag is None:
            fail(404, _("There is no such tag."))
        query = query.where(Story.tags.any(id=tag.id))
    if args["author"]:
        author = reading.author_by_username(args["author"])
        if author is None:
            fail(404, _("There is no one with this username."))
        query = query.where(reading.written_by(author.id))
    if args["language"]:
        query = query.where(Story.language == args["language"])
    if status == Status.PUBLISHED:
        order = reading.newest_first()
    else:
        order = [Story.updated_at.desc(), Story.id.desc()]
    return paginate(query.order_by(None).order_by(*order).options(*reading.story_options()),
                    args)  # fmt: skip


@bp.route(f"/stories/<{ID}:story_id>", methods=["GET"])
@bp.response(200, schemas.StoryDetailSchema)
@bp.doc(security=OPTIONAL_AUTH)
def get_story(story_id: int):
    """A story with its text; its editorial state for its writers, pitcher and editors."""
    return story_detail(story_id)


@bp.route(f"/stories/<{ID}:story_id>/history", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, schemas.DecisionPageSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_decisions(args, story_id: int):
    """The story's moves through the editorial flow, newest first (notes for its people)."""
    story = story_or_404(story_id)
    query = (
        select(StoryDecision)
        .options(joinedload(StoryDecision.user))
        .where(StoryDecision.story_id == story.id)
        .order_by(StoryDecision.created_at.desc(), StoryDecision.id.desc())
    )
    found = paginate(query, args)
    return {**found, "items": [_decision(item, story) for item in found["items"]]}


# --- writing -----------------------------------------------------------------------------------


@bp.route("/stories/pitch", methods=["POST"])
@bp.arguments(schemas.StoryPitchArgs)
@bp.response(201, schemas.StoryDetailSchema)
@bp.alt_response(422, description="The pitch was refused (the message says why).")
@bp.doc(security=BEARER_AUTH)
def pitch(args):
    """Pitch a story: what happened, why it matters, who is involved, the proposed length
    (words) and the language; an editor accepts or declines it."""
    require(current_user, "blog.pitch")
    try:
        story = pitches.pitch(me(), length=args.pop("words"), **args)
    except WorkflowError as error:
        refuse(error)
    db.session.commit()
    return story_detail(story.id)


@bp.route(f"/stories/<{ID}:story_id>/pitch", methods=["PATCH"])
@bp.arguments(schemas.StoryPitchChangeArgs(partial=True))
@bp.response(200, schemas.StoryDetailSchema)
@bp.alt_response(422, description="The pitch was refused (the message says why).")
@bp.doc(security=BEARER_AUTH)
def edit_pitch(args, story_id: int):
    """Change a pitch while it is one (its pitcher and editors); fields left out stay."""
    story = story_or_404(story_id)
    require(current_user, "blog.story.edit", story)
    was = dict(what=story.pitch_what, why=story.pitch_why, who=story.pitch_who,
               length=story.pitch_length, language=story.language, title=story.title)  # fmt: skip
    args["length"] = args.pop("words", was["length"])
    try:
        pitches.edit_pitch(me(), story, **{**was, **args})
    except WorkflowError as error:
        refuse(error)
    db.session.commit()
    return story_detail(story_id)


@bp.route(f"/stories/<{ID}:story_id>/moves", methods=["POST"])
@bp.arguments(schemas.StoryMoveArgs)
@bp.response(201, schemas.StoryMoveResultSchema)
@bp.alt_response(409, description="Someone moved the story since `version`.")
@bp.alt_response(422, description="The move was refused (the message says why).")
@bp.doc(security=BEARER_AUTH)
def move(args, story_id: int):
    """Move the story through the editorial flow: `action` is one of the moves its `moves`
    lists (accept takes `writer` and `due_date`, schedule `publish_at`; decline, request
    changes, reject and unpublish need a `note`)."""
    story = story_or_404(story_id)
    name = args["action"]
    if args["version"] is not None and args["version"] != story.version:
        abort(409, message=_("Someone else changed this story meanwhile. Look again and retry."))
    require(current_user, f"blog.{name}", story)
    writer = None
    try:
        if args["writer"]:
            writer = accounts.by_username(args["writer"])
            if writer is None:
                raise WorkflowError(_("There is no one with this username."), "writer")
        decision = workflow.move(
            me(), story, name, note=args["note"], publish_at=args["publish_at"],
            writer=writer, due_date=args["due_date"], version=args["version"],
        )  # fmt: skip
    except Conflict as error:
        db.session.rollback()
        abort(409, message=error.message)
    except WorkflowError as error:
        refuse(error)
    db.session.commit()
    decision = db.session.scalar(select(StoryDecision).options(joinedload(StoryDecision.user))
                                 .where(StoryDecision.id == decision.id))  # fmt: skip
    story = db.session.scalar(select(Story).where(Story.id == story_id)
                              .options(*reading.story_options()))  # fmt: skip
    now = story_detail(story_id) if can(current_user, "blog.story.read", story) else None
    return {"decision": _decision(decision, story), "story": now}


# --- editorial comments ------------------------------------------------------------------------


def _comment_or_404(story: Story, comment_id: int) -> StoryComment:
    comment = db.session.scalar(
        select(StoryComment)
        .options(joinedload(StoryComment.user), joinedload(StoryComment.resolved_by))
        .where(StoryComment.id == comment_id, StoryComment.story_id == story.id)
    )
    if comment is None:
        fail(404, _("There is no such comment."))
    return comment


@bp.route(f"/stories/<{ID}:story_id>/comments", methods=["GET"])
@bp.response(200, schemas.StoryThreadListSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_comments(story_id: int):
    """The story's editorial comments as threads, oldest first (its writers, pitcher and
    editors; never readers)."""
    threads = comments.thread(insider_story_or_404(story_id))
    return {"items": threads, "total": len(threads), "open": comments.open_count(threads)}


@bp.route(f"/stories/<{ID}:story_id>/comments", methods=["POST"])
@bp.arguments(schemas.StoryCommentArgs)
@bp.response(201, schemas.StoryCommentSchema)
@bp.alt_response(422, description="The comment was refused (the message says why).")
@bp.doc(security=BEARER_AUTH)
def add_comment(args, story_id: int):
    """Comment on the story, or answer a comment (`parent_id`)."""
    story = insider_story_or_404(story_id)
    require(current_user, "blog.story.comment", story)
    try:
        comment = comments.add(me(), story, args["body"], args["parent_id"])
    except WorkflowError as error:
        refuse(error)
    db.session.commit()
    return _comment_or_404(story, comment.id)


@bp.route(f"/stories/<{ID}:story_id>/comments/<{ID}:comment_id>/resolve", methods=["POST"])
@bp.response(200, schemas.StoryCommentSchema)
@bp.doc(security=BEARER_AUTH)
def resolve_comment(story_id: int, comment_id: int):
    """Mark a comment's thread resolved (resolving it again changes nothing)."""
    story = insider_story_or_404(story_id)
    require(current_user, "blog.story.comment", story)
    comment = _comment_or_404(story, comment_id)
    comments.resolve(me(), comment)
    db.session.commit()
    return _comment_or_404(story, comment.parent_id or comment.id)


# Starting stories, saving them, their revisions: more routes on ``bp``.
from . import api_writing  # noqa: E402, F401
