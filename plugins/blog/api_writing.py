"""The blog in the JSON API, writing: starting a story without a pitch, saving its text (a
new revision) and details, its revisions, two of them compared, restoring one. Routes on
``api.bp``.

A save carries the revision it started from: when someone saved since, nothing is saved and
the answer is a 409 with the head revision and the difference from it to what was sent, so
nothing typed is lost. While someone else edits the story in the editor (a live edit lock),
saves answer 409 too: the API neither waits for nor takes a lock. Revisions are for the
story's writers, pitcher and editors only.
"""

from __future__ import annotations

from flask import current_app, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort

from space.api.auth import BEARER_AUTH, OPTIONAL_AUTH
from space.api.schemas import MAX_PER_PAGE, PageArgs
from space.db import db
from space.errors import fail
from space.permissions import require

from . import api_schemas as schemas
from .api import ID, bp, insider_story_or_404, me, refuse, story_detail, story_or_404
from .models import Status, Story
from .services import details, history, locks, reading, revisions
from .services.workflow import WorkflowError

# Details (``services/details.py``) the API takes as they are.
DETAILS = ("tags", "image_url", "image_alt", "image_attribution", "language", "writers",
           "due_date", "slug")  # fmt: skip


@bp.route("/stories", methods=["POST"])
@bp.arguments(schemas.NewStoryArgs)
@bp.response(201, schemas.StoryDetailSchema)
@bp.alt_response(422, description="The story was refused (the message says why).")
@bp.doc(security=BEARER_AUTH)
def create_story(args):
    """Start a draft you write, without a pitch (authors and editors): its first revision,
    and optionally its category, tags and image."""
    require(current_user, "blog.story.create")
    text = revisions.Text(args["title"], args["excerpt"], args["body"])
    try:
        story = details.start(me(), text, args["language"])
        details.apply(me(), story, _details(args))
    except WorkflowError as error:
        refuse(error)
    db.session.commit()
    return story_detail(story.id)


@bp.route(f"/stories/<{ID}:story_id>", methods=["PATCH"])
@bp.arguments(schemas.StorySaveArgs)
@bp.response(200, schemas.StoryDetailSchema)
@bp.alt_response(409, schema=schemas.StaleSaveSchema,
                 description="Someone saved since `base_revision`: nothing was saved.")  # fmt: skip
@bp.alt_response(422, description="Refused (the message says why): nothing was saved.")
@bp.doc(security=BEARER_AUTH)
def save(args, story_id: int):
    """Save the story: its text as a new revision based on `base_revision` (the revision you
    started from), and its details. Fields left out stay as they are."""
    story = story_or_404(story_id)
    require(current_user, "blog.story.edit", story)
    if story.status == Status.PITCH:
        refuse(WorkflowError(_("This story is still a pitch: change the pitch instead.")))
    _not_locked(story)
    text = None
    if {"title", "excerpt", "body"} & set(args):
        text = revisions.Text(
            args.get("title", story.title), args.get("excerpt", story.excerpt),
            args.get("body", story.body),
        )  # fmt: skip
    try:
        if text is not None:
            revisions.save(me(), story, text, base_revision=args["base_revision"])
        details.apply(me(), story, _details(args))
    except revisions.StaleSave:
        db.session.rollback()
        return _stale(story_or_404(story_id), text)
    except WorkflowError as error:
        refuse(error)
    db.session.commit()
    return story_detail(story_id)


def _not_locked(story: Story) -> None:
    """409 while someone else is editing the story in the editor (their edit lock is live):
    the API neither waits for nor takes a lock."""
    holder = locks.holder(story)
    if holder is not None and holder.id != current_user.id:
        abort(409, message=_("%(name)s is editing this story: save when they are done.",
                             name=holder.name))  # fmt: skip


def _details(args: dict) -> details.Details:
    """The details ``args`` carries (a category by its slug); the others stay as they are."""
    given = {name: args[name] for name in DETAILS if name in args}
    if "category" in args:
        category = None
        if args["category"]:
            category = reading.category_by_slug(args["category"])
            if category is None:
                raise WorkflowError(_("Choose one of the categories."), "category")
        given["category_id"] = category.id if category else None
    return details.Details(**given)


def _stale(story: Story, text: revisions.Text):
    """409: the head revision and the difference from it to what was sent."""
    head = history.get(story, story.revision_number)
    message = _("Someone saved this story since you started. Nothing was saved: compare, "
                "then save again based on revision %(n)d.", n=story.revision_number)  # fmt: skip
    base = revisions.Text.of(head) if head else revisions.Text("", "", "")
    body = schemas.StaleSaveSchema().dump({
        "code": 409, "status": _("Conflict"), "message": message,
        "head_revision": story.revision_number, "head": head, "diff": history.rows(base, text),
    })  # fmt: skip
    return jsonify(body), 409


@bp.route(f"/stories/<{ID}:story_id>/revisions/<{ID}:number>/restore", methods=["POST"])
@bp.arguments(schemas.StoryRestoreArgs)
@bp.response(200, schemas.StoryDetailSchema)
@bp.alt_response(409, schema=schemas.StaleSaveSchema,
                 description="Someone saved since, or is editing it now.")  # fmt: skip
@bp.alt_response(422, description="The old text breaks today's limits.")
@bp.doc(security=BEARER_AUTH)
def restore(args, story_id: int, number: int):
    """Save revision `number`'s text as the story's next revision."""
    story = story_or_404(story_id)
    require(current_user, "blog.story.edit", story)
    if history.get(story, number) is None:
        fail(404, _("There is no such revision."))
    _not_locked(story)
    try:
        history.restore(me(), story, number, args["base_revision"])
    except revisions.StaleSave:
        db.session.rollback()
        return _stale(story_or_404(story_id), revisions.Text.of(history.get(story, number)))
    except WorkflowError as error:
        refuse(error)
    db.session.commit()
    return story_detail(story_id)


@bp.route(f"/stories/<{ID}:story_id>/revisions", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, schemas.RevisionPageSchema)
@bp.doc(security=OPTIONAL_AUTH)
def list_revisions(args, story_id: int):
    """The story's saved revisions, newest first, without their text (its writers, pitcher
    and editors)."""
    story = insider_story_or_404(story_id)
    size = args["per_page"] or min(current_app.config["SPACE_PAGE_SIZE"], MAX_PER_PAGE)
    items = history.revisions(story, page=args["page"], per_page=size)
    # Revisions are numbered from 1 without gaps: the head's number is their count.
    return {"items": items, "page": args["page"], "per_page": size,
            "total": story.revision_number}  # fmt: skip


@bp.route(f"/stories/<{ID}:story_id>/revisions/<{ID}:number>", methods=["GET"])
@bp.response(200, schemas.StoryRevisionDetailSchema)
@bp.doc(security=OPTIONAL_AUTH)
def get_revision(story_id: int, number: int):
    """One revision with its text."""
    revision = history.get(insider_story_or_404(story_id), number)
    if revision is None:
        fail(404, _("There is no such revision."))
    return revision


@bp.route(f"/stories/<{ID}:story_id>/compare", methods=["GET"])
@bp.arguments(schemas.StoryCompareArgs, location="query")
@bp.response(200, schemas.StoryCompareSchema)
@bp.doc(security=OPTIONAL_AUTH)
def compare(args, story_id: int):
    """Two revisions side by side (`a` older, `b` newer; by default the head and the one
    before it)."""
    story = insider_story_or_404(story_id)
    b = args["b"] or story.revision_number
    a = args["a"] or max(b - 1, 1)
    comparison = history.compare(story, a, b)
    if comparison is None:
        fail(404, _("There is no such revision."))
    return {"a": comparison.old, "b": comparison.new, "diff": comparison.rows}
