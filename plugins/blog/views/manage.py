"""A story's editorial page and what is done from it: moves through the flow, editorial
comments (threaded, resolvable) and following.

The page is for the story's writers, its pitcher and editors only (``is_insider``): others get
a 404, or the public page when the story is published. It costs a fixed number of queries
whatever the number of revisions, decisions and comments.

A move that is refused for a reason the person can fix re-renders the page with the message
beside what they typed (422); a move someone else made first answers 409 with the page as it
is now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from space import discussions, i18n
from space.accounts.services import by_username
from space.db import db, utcnow
from space.errors import fail
from space.permissions import can, require

from ..access import is_editor
from ..models import Status, Story, StoryDecision
from ..services import comments, notices, queue, workflow
from ..services.workflow import Conflict, WorkflowError
from ..settings import value
from . import bp
from .editorial import insider_story, is_insider, load_story
from .editorial_forms import CommentForm

LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


@dataclass
class Failure:
    """A refused form, shown again: ``form`` is a move's name or "comment"; ``typed`` what the
    person sent."""

    form: str
    message: str
    field: str | None
    typed: dict


def _zone() -> tuple[str, ZoneInfo]:
    name = i18n.select_timezone()
    try:
        return name, ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return "UTC", ZoneInfo("UTC")


def _local_input(moment: datetime, zone: ZoneInfo) -> str:
    """A UTC time as a datetime-local input's value in the viewer's zone."""
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def parse_local(text: str, zone: ZoneInfo) -> datetime | None:
    """A datetime-local value typed in ``zone`` as UTC; None when empty; ``WorkflowError``
    when it is not a date and time."""
    text = (text or "").strip()
    if not text:
        return None
    for fmt in LOCAL_FORMATS:
        try:
            naive = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=zone).astimezone(UTC)
    raise WorkflowError(_("Enter a date and time such as 2030-05-01 14:30."), "publish_at")


def parse_date(text: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise WorkflowError(_("Enter a date such as 2030-05-01."), "due_date") from None


def _history(story: Story) -> list[StoryDecision]:
    return list(
        db.session.scalars(
            select(StoryDecision)
            .options(joinedload(StoryDecision.user))
            .where(StoryDecision.story_id == story.id)
            .order_by(StoryDecision.created_at, StoryDecision.id)
        )
    )


def _page(story: Story, *, failed: Failure | None = None, conflict: str | None = None):
    """The editorial page of ``story`` (loaded by ``load_story``) as ``current_user`` sees it."""
    zone_name, zone = _zone()
    now = utcnow()
    threads = comments.thread(story)
    if failed is not None and failed.form == "comment":
        # Shown again in the form it came from; a reply to no shown thread in the new one.
        if failed.typed["parent_id"] not in {str(item.comment.id) for item in threads}:
            failed.typed["parent_id"] = ""
    return render_template(
        "blog/editorial/manage.html",
        story=story,
        moves=workflow.available(current_user, story),
        checklist=workflow.checklist(story),
        history=_history(story),
        threads=threads,
        open_threads=comments.open_count(threads),
        following=notices.is_following(story, current_user),
        last_review=queue.last_review(current_user, story) if is_editor(current_user) else None,
        topic=discussions.summary(story.topic_id, current_user, limit=0),
        required_approvals=int(value("required_approvals")),
        zone_name=zone_name,
        schedule_value=_local_input(story.publish_at or now + timedelta(days=1), zone),
        schedule_min=_local_input(now, zone),
        today=now.date(),
        failed=failed,
        conflict=conflict,
    )


def _reloaded(story_id: int) -> Story:
    db.session.rollback()
    return load_story(story_id)


@bp.get("/stories/<int:story_id>")
def manage_story(story_id: int):
    story = load_story(story_id)
    if not is_insider(current_user, story):
        if story.status == Status.PUBLISHED and story.slug:
            return redirect(url_for("blog.story", slug=story.slug))
        abort(404)
    return _page(story)


def _version() -> int:
    text = request.form.get("version", "")
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**31:
        fail(400, _("The form lacks the story's version. Reload the page and try again."))
    return int(text)


def _inputs(name: str, typed: dict) -> dict:
    """The move's own inputs, parsed (``WorkflowError`` for what cannot be)."""
    if name == "schedule":
        return {"publish_at": parse_local(typed["publish_at"], _zone()[1])}
    if name == "accept":
        writer = None
        if typed["writer"]:
            writer = by_username(typed["writer"][:40])
            if writer is None:
                raise WorkflowError(_("There is no one with this username."), "writer")
        return {"writer": writer, "due_date": parse_date(typed["due_date"])}
    return {}


def _moved_message(name: str, story: Story) -> str:
    if name == "approve" and story.status == Status.IN_REVIEW:
        missing = max(1, int(value("required_approvals")) - story.approvals)
        return ngettext(
            "Your approval is recorded; the story needs %(num)d more.",
            "Your approval is recorded; the story needs %(num)d more.",
            missing,
        )
    return _("Done: the story is now “%(status)s”.", status=workflow.status_label(story.status))


@bp.post("/stories/<int:story_id>/move/<name>")
def move(story_id: int, name: str):
    """Make move ``name`` (a transition of ``workflow.TRANSITIONS``; others are 404)."""
    if name not in workflow.TRANSITIONS:
        abort(404)
    story = load_story(story_id)
    version = _version()
    if version != story.version:
        message = _("Someone else changed this story meanwhile. Look again and retry.")
        if not is_insider(current_user, story):
            fail(409, message)
        return _page(story, conflict=message), 409
    require(current_user, f"blog.{name}", story)
    typed = {key: (request.form.get(key) or "")[:100] for key in ("publish_at", "writer",
                                                                   "due_date")}  # fmt: skip
    typed["note"] = request.form.get("note") or ""
    try:
        workflow.move(current_user, story, name, note=typed["note"], version=version,
                      **_inputs(name, typed))  # fmt: skip
    except Conflict as error:
        return _page(_reloaded(story_id), conflict=error.message), 409
    except WorkflowError as error:
        failed = Failure(name, error.message, error.field, typed)
        return _page(_reloaded(story_id), failed=failed), 422
    db.session.commit()
    flash(_moved_message(name, story), "success")
    if can(current_user, "blog.story.read", story) and is_insider(current_user, story):
        return redirect(url_for("blog.manage_story", story_id=story.id))
    return redirect(url_for("blog.mine"))


# --- comments ----------------------------------------------------------------------------------


def _comment_or_404(story: Story, comment_id: int):
    comment = comments.get(story, comment_id)
    if comment is None:
        abort(404)
    return comment


@bp.post("/stories/<int:story_id>/comments")
def comment(story_id: int):
    story = insider_story(story_id)
    require(current_user, "blog.story.comment", story)
    form = CommentForm()
    parent_text = (form.parent_id.data or "").strip()
    typed = {"body": request.form.get("body") or "", "parent_id": parent_text}
    try:
        if not form.validate():
            errors = [*form.body.errors, *form.errors.get("csrf_token", [])]
            raise WorkflowError(str(errors[0]) if errors else _("Invalid input."), "body")
        parent_id = None
        if parent_text:
            if not (parent_text.isascii() and parent_text.isdigit()) or len(parent_text) > 12:
                raise WorkflowError(_("The comment you are answering no longer exists."),
                                    "parent")  # fmt: skip
            parent_id = int(parent_text)
        added = comments.add(current_user, story, form.body.data, parent_id)
    except WorkflowError as error:
        failed = Failure("comment", error.message, error.field, typed)
        return _page(_reloaded(story_id), failed=failed), 422
    db.session.commit()
    flash(_("Your comment is added."), "success")
    return redirect(url_for("blog.manage_story", story_id=story.id, _anchor=f"comment-{added.id}"))


@bp.post("/stories/<int:story_id>/comments/<int:comment_id>/resolve")
def resolve_comment(story_id: int, comment_id: int):
    """Resolve the comment's thread, or reopen it when the form says ``reopen``."""
    story = insider_story(story_id)
    found = _comment_or_404(story, comment_id)
    require(current_user, "blog.story.comment", story)
    if request.form.get("reopen"):
        changed = comments.reopen(current_user, found)
        message = _("The thread is open again.")
    else:
        changed = comments.resolve(current_user, found)
        message = _("The thread is resolved.")
    db.session.commit()
    if changed:
        flash(message, "success")
    anchor = f"comment-{found.parent_id or found.id}"
    return redirect(url_for("blog.manage_story", story_id=story.id, _anchor=anchor))


# --- following ---------------------------------------------------------------------------------


@bp.post("/stories/<int:story_id>/follow")
def follow(story_id: int):
    """Follow the story (``follow=0``: stop following)."""
    story = load_story(story_id)
    require(current_user, "blog.story.follow", story)
    if request.form.get("follow", "1") == "0":
        notices.unfollow(story, current_user.id)
        message = _("You no longer follow this story.")
    else:
        notices.follow(story, current_user.id)
        message = _("You follow this story: you will hear of what happens to it.")
    db.session.commit()
    flash(message, "success")
    if is_insider(current_user, story) or story.status != Status.PUBLISHED or not story.slug:
        return redirect(url_for("blog.manage_story", story_id=story.id))
    return redirect(url_for("blog.story", slug=story.slug))
