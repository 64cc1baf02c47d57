"""Editorial pages: pitching a story, one's own stories, the editors' queue, and the changes
since one's last review. The story's editorial page and what is done from it (moves,
comments, following) are in ``manage.py``.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from space.accounts.services import by_username
from space.db import db, utcnow
from space.forms import attach, choices
from space.forms import status as form_status
from space.paging import page_number
from space.permissions import can, require

from ..models import BlogCategory, Status, Story, StoryAuthor
from ..services import languages, pitches, queue
from ..services.workflow import WorkflowError, describe, status_label
from . import bp
from .editorial_forms import PitchForm, QueueFilterForm

# What a history line says of a move (templates: ``blog_describe(decision.action)``).
bp.add_app_template_global(describe, "blog_describe")

DUE_LABELS = {"overdue": _l("Overdue"), "week": _l("Due within a week")}
FILTERS = ("status", "category", "writer", "due", "sort")
SORT_LABELS = {"waiting": _l("Time waiting (longest first)"), "due": _l("Due date"),
               "updated": _l("Last changed")}  # fmt: skip


def load_story(story_id: int) -> Story:
    """The story with its writers (and their accounts), category, pitcher, editor and source,
    or 404 when it does not exist or ``current_user`` may not see it."""
    story = db.session.scalar(
        select(Story)
        .options(
            selectinload(Story.authors).joinedload(StoryAuthor.user),
            joinedload(Story.category),
            joinedload(Story.pitched_by),
            joinedload(Story.editor),
            joinedload(Story.source),
        )
        .where(Story.id == story_id)
    )
    if story is None:
        abort(404)
    require(current_user, "blog.story.read", story)
    return story


def is_insider(user, story: Story) -> bool:
    """Editors and the story's own people see its editorial side (comments, history);
    readers of a published story never do."""
    return can(user, "blog.story.editorial", story)


def insider_story(story_id: int) -> Story:
    """``load_story``, and 404 for anyone who is not an insider."""
    story = load_story(story_id)
    if not is_insider(current_user, story):
        abort(404)
    return story


def _pitch_form(story: Story | None = None) -> PitchForm:
    form = PitchForm()
    form.language.choices = choices(languages.choices())
    if request.method == "GET":
        if story is not None:
            form.title.data = story.title
            form.what.data = story.pitch_what
            form.why.data = story.pitch_why
            form.who.data = story.pitch_who
            form.length.data = story.pitch_length
            form.language.data = story.language
        else:
            wanted = getattr(current_user, "locale", None) or ""
            form.language.data = wanted if languages.is_known(wanted) else "en"
    return form


def _pitch_fields(form: PitchForm) -> dict:
    return {"what": form.what.data, "why": form.why.data, "who": form.who.data,
            "length": form.length.data, "language": form.language.data,
            "title": form.title.data or ""}  # fmt: skip


@bp.route("/pitch", methods=["GET", "POST"])
def pitch():
    require(current_user, "blog.pitch")
    form = _pitch_form()
    if form.validate_on_submit():
        try:
            story = pitches.pitch(current_user, **_pitch_fields(form))
        except WorkflowError as error:
            attach(form, error)
        else:
            db.session.commit()
            flash(_("Thank you: your pitch is with the editors."), "success")
            return redirect(url_for("blog.manage_story", story_id=story.id))
    return render_template("blog/editorial/pitch.html", form=form, story=None), form_status(form)


@bp.route("/stories/<int:story_id>/pitch", methods=["GET", "POST"])
def edit_pitch(story_id: int):
    story = load_story(story_id)
    if story.status != Status.PITCH:
        # Accepted or declined meanwhile: say so (with what was typed, when it was sent).
        if request.method == "GET":
            flash(_("This story is no longer a pitch."), "info")
            return redirect(url_for("blog.manage_story", story_id=story.id))
        form = _pitch_form(story)
        form.form_errors.append(_("This story is no longer a pitch: it cannot be changed here."))
        return render_template("blog/editorial/pitch.html", form=form, story=story), 409
    require(current_user, "blog.story.edit", story)
    form = _pitch_form(story)
    if form.validate_on_submit():
        try:
            changed = pitches.edit_pitch(current_user, story, **_pitch_fields(form))
        except WorkflowError as error:
            attach(form, error)
        else:
            db.session.commit()
            if changed:
                flash(_("The pitch is saved."), "success")
            return redirect(url_for("blog.manage_story", story_id=story.id))
    return render_template("blog/editorial/pitch.html", form=form, story=story), form_status(form)


@bp.get("/stories")
def mine():
    """The signed-in person's pitches and stories."""
    if not current_user.is_authenticated:
        abort(401)
    require(current_user, "blog.read")
    stories = queue.mine(current_user, page_number())
    return render_template("blog/editorial/mine.html", stories=stories, today=utcnow().date())


def _queue_form() -> QueueFilterForm:
    form = QueueFilterForm(formdata=request.args)
    form.status.choices = choices(
        [("", _("Waiting for editors"))]
        + [(s.value, status_label(s)) for s in queue.QUEUE_STATUSES]
    )
    categories = db.session.scalars(
        select(BlogCategory).order_by(BlogCategory.position, BlogCategory.name)
    ).all()
    form.category.choices = choices(
        [("", _("Any category"))] + [(c.slug, c.name) for c in categories]
    )
    form.due.choices = choices([("", _("Any due date")), *DUE_LABELS.items()])
    form.sort.choices = choices(SORT_LABELS.items())
    form.categories = {c.slug: c for c in categories}
    return form


@bp.get("/editorial", endpoint="queue")
def queue_page():
    """The editorial queue, oldest submission first unless sorted otherwise. Bad filters
    answer 400 with the form and its messages."""
    require(current_user, "blog.queue")
    form = _queue_form()
    page_no = page_number()
    valid = form.validate()
    writer = None
    if valid and form.writer.data:
        writer = by_username(form.writer.data)
        if writer is None:
            form.writer.errors.append(_("There is no one with this username."))
            valid = False
    counts = queue.status_counts()
    if not valid:
        return render_template("blog/editorial/queue.html", form=form, page=None, filters={},
                               counts=counts, today=utcnow().date()), 400  # fmt: skip
    category = form.categories.get(form.category.data)
    filters = queue.Filters(
        status=Status(form.status.data) if form.status.data else None,
        category_id=category.id if category else None,
        writer_id=writer.id if writer else None,
        due=form.due.data or None,
        sort=form.sort.data or queue.DEFAULT_SORT,
    )
    page = queue.editorial_queue(filters, page_no)
    if page.page > 1 and page.page > page.pages:
        abort(404)
    shown = {k: v for k, v in request.args.items() if k in FILTERS and v}
    return render_template("blog/editorial/queue.html", form=form, page=page, filters=shown,
                           counts=counts, today=utcnow().date())  # fmt: skip


@bp.get("/stories/<int:story_id>/review-diff")
def review_diff(story_id: int):
    """What changed in the text since the viewer's last review decision (or ``?since=N``)."""
    story = insider_story(story_id)
    last = queue.last_review(current_user, story)
    asked = request.args.get("since", "")
    since = last
    if asked.isascii() and asked.isdigit() and int(asked) <= story.revision_number:
        since = int(asked)
    diff = queue.review_diff(story, since or 0)
    return render_template("blog/editorial/review_diff.html", story=story, diff=diff, last=last,
                           reviewed=since is not None)  # fmt: skip


from . import manage  # noqa: E402, F401 - the story's editorial page and its forms
