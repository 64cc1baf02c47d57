"""The story editor: starting a story (``blog.new_story``) and editing one (``blog.edit``),
with the edit lock's plain-form actions (``blog.take_over``, ``blog.unlock``).

Every page works as a plain form: "Preview" re-renders with the cooked text; a refusal
re-renders with what was typed — 422 with the message beside the field, 409 when someone
saved a newer version meanwhile (with the differences, and the form based on the newest
version so that saving again is a deliberate choice) or holds the lock. editor.js adds the
live preview, the excerpt's character count, autosave and the lock's heartbeat
(``writing_live.py``); the revisions pages are in ``writing_history.py``.
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from space import uploads
from space.db import db
from space.forms import attach, choices
from space.markup import render
from space.permissions import require

from ..access import is_editor
from ..models import BlogCategory, Status, Story, StoryAuthor
from ..services import autosave, details, history, languages, locks, revisions, workflow
from ..services.details import KEEP, Details
from ..services.revisions import StaleSave, Text
from ..services.workflow import WorkflowError
from ..settings import value
from . import bp
from .editorial import is_insider
from .writing_forms import BODY_CAP, NewStoryForm, StoryForm, names


def load(story_id: int) -> Story:
    """The story with what the editor shows (writers, category, tags, lock holder), read
    afresh; 404 when it does not exist or ``current_user`` may not see it."""
    story = db.session.scalar(
        select(Story)
        .options(
            selectinload(Story.authors).joinedload(StoryAuthor.user),
            joinedload(Story.category),
            selectinload(Story.tags),
            joinedload(Story.lock_user),
        )
        .where(Story.id == story_id)
        .execution_options(populate_existing=True)
    )
    if story is None:
        abort(404)
    require(current_user, "blog.story.read", story)
    return story


def editable(story_id: int) -> Story:
    """``load``, then 403 unless ``current_user`` may edit the story now."""
    story = load(story_id)
    require(current_user, "blog.story.edit", story)
    return story


def number(text) -> int | None:
    """A whole number from 0 to 2³¹ - 1 typed or sent as text, else None."""
    text = str(text if text is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    found = int(text)
    return found if found < 2**31 else None


def _languages(first=()) -> list:
    return choices(languages.choices(first))


def _categories() -> list[BlogCategory]:
    return list(db.session.scalars(select(BlogCategory).order_by(BlogCategory.position,
                                                                 BlogCategory.name)))  # fmt: skip


# --- a new story ----------------------------------------------------------------------------


@bp.route("/stories/new", methods=["GET", "POST"])
def new_story():
    """Authors and editors start a story without a pitch: a draft they write."""
    require(current_user, "blog.story.create")
    form = NewStoryForm()
    default = current_user.locale or str(get_locale() or "en")
    form.language.choices = _languages([default])
    if request.method == "GET":
        form.language.data = default.split("_")[0] if default else "en"
    elif form.validate_on_submit():
        text = Text(form.title.data or "", form.excerpt.data or "", form.body.data or "")
        try:
            story = details.start(current_user, text, form.language.data)
        except WorkflowError as error:
            db.session.rollback()
            attach(form, error)
        else:
            db.session.commit()
            flash(_("Your story is started. Write on: every save is kept."), "success")
            return redirect(url_for("blog.edit", story_id=story.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("blog/writing/new.html", form=form), status


# --- the editor -------------------------------------------------------------------------------


def _fill(form: StoryForm, story: Story, text, base: int) -> None:
    """The form as the story stands, with ``text`` (the story's or an autosave's)."""
    form.base_revision.data = str(base)
    form.title.data, form.excerpt.data, form.body.data = text.title, text.excerpt, text.body
    form.category.data = str(story.category_id or "")
    form.tags.data = ", ".join(tag.name for tag in story.tags)
    form.language.data = story.language
    form.image_url.data = story.image_url
    form.image_alt.data = story.image_alt
    form.image_attribution.data = story.image_attribution
    form.writers.data = ", ".join(author.user.username for author in story.authors)
    form.due_date.data = story.due_date
    form.slug.data = story.slug or ""


def _prepare(form: StoryForm, story: Story, categories: list[BlogCategory]) -> None:
    form.category.choices = choices(
        [("", _("No category"))] + [(str(c.id), c.name) for c in categories]
    )
    form.language.choices = _languages([story.language])


def _details(form: StoryForm, story: Story, image_url: str | None) -> Details:
    """What the form says of the story's details (``KEEP`` for what it did not show)."""
    editor = is_editor(current_user)
    category = (form.category.data or "").strip()
    writers = [name for name in re.split(r"[,\s]+", form.writers.data or "") if name]
    return Details(
        category_id=None if not category else (number(category) or -1),
        tags=names(form.tags.data),
        image_url=image_url if image_url is not None else (form.image_url.data or ""),
        image_alt=form.image_alt.data or "",
        image_attribution=form.image_attribution.data or "",
        language=form.language.data or "",
        writers=writers if editor else KEEP,
        due_date=form.due_date.data if editor else KEEP,
        slug=(form.slug.data or "") if editor and story.slug else KEEP,
    )  # fmt: skip


def _upload(form: StoryForm) -> str | None:
    """The address of the image sent with the form, if one was (``UploadError`` if bad)."""
    sent = form.image_file.data
    if sent is None or not getattr(sent, "filename", ""):
        return None
    return uploads.url(uploads.save(sent, current_user))


def _typed(form: StoryForm) -> Text:
    return Text(form.title.data or "", form.excerpt.data or "", form.body.data or "")


def _page(story: Story, form: StoryForm, categories, *, status: int = 200, **extra):
    kept = extra.pop("kept", None)
    return render_template(
        "blog/writing/edit.html",
        story=story,
        form=form,
        categories=categories,
        kept=kept,
        kept_behind=kept is not None and autosave.is_behind(kept, story),
        checklist=workflow.checklist(story),
        editor=is_editor(current_user),
        excerpt_min=int(value("excerpt_min_length")),
        excerpt_max=int(value("excerpt_max_length")),
        title_max=int(value("title_max_length")),
        heartbeat_seconds=int(value("heartbeat_seconds")),
        **extra,
    ), status


@bp.route("/stories/<int:story_id>/edit", methods=["GET", "POST"])
def edit(story_id: int):
    """The editor. GET takes the edit lock (or says who holds it); POST saves the text as a
    new revision and the details beside it."""
    story = editable(story_id)
    if story.status == Status.PITCH:
        return redirect(url_for("blog.edit_pitch", story_id=story.id))
    categories = _categories()
    form = StoryForm()
    _prepare(form, story, categories)
    if request.method == "GET":
        return _open(story, form, categories)
    if "discard_autosave" in request.form:
        autosave.discard(current_user, story)
        db.session.commit()
        flash(_("Your unsaved text was thrown away."), "info")
        return redirect(url_for("blog.edit", story_id=story.id))
    if "preview" in request.form:
        preview = Markup(render((form.body.data or "")[:BODY_CAP]))
        return _page(story, form, categories, preview=preview)
    if not form.validate_on_submit():
        return _page(story, form, categories, status=422)
    return _save(story, form, categories)


def _open(story: Story, form: StoryForm, categories):
    try:
        locks.acquire(current_user, story)
    except locks.Locked as locked:
        seconds = int(value("lock_seconds"))
        return render_template("blog/writing/locked.html", story=story, holder=locked.holder,
                               since=locked.since, lock_seconds=seconds)  # fmt: skip
    kept = autosave.pending(current_user, story)
    restoring = kept is not None and request.args.get("restore") == "autosave"
    if restoring:
        _fill(form, story, kept, kept.base_revision)
    else:
        _fill(form, story, story, story.revision_number)
    page = _page(story, form, categories, kept=None if restoring else kept, restored=restoring)
    # Committed once the page is made: committing first would expire what it shows.
    db.session.commit()
    return page


def _save(story: Story, form: StoryForm, categories):
    base = number(form.base_revision.data)
    typed = _typed(form)
    before = story.status
    try:
        if base is None:
            raise WorkflowError(_("The version you started from is not known. Reload the "
                                  "editor, copying your text first."))  # fmt: skip
        if "take_over" in request.form:
            locks.take_over(current_user, story)
        else:
            locks.acquire(current_user, story)
        changed = details.apply(current_user, story, _details(form, story, _upload(form)))
        revision = revisions.save(current_user, story, typed, base_revision=base)
    except locks.Locked as locked:
        db.session.rollback()
        story = load(story.id)
        message = _("%(name)s took over editing this story. Your text is below: take over "
                    "to save it, or copy it.", name=locked.holder.name if locked.holder
                    else _("Someone"))  # fmt: skip
        form.form_errors.append(message)
        return _page(story, form, categories, status=409, locked=locked)
    except StaleSave:
        db.session.rollback()
        return _stale(load(story.id), form, categories, base, typed)
    except (WorkflowError, uploads.UploadError) as error:
        db.session.rollback()
        story = load(story.id)
        if isinstance(error, uploads.UploadError):
            error = WorkflowError(error.message, "image_file")
        attach(form, error)
        return _page(story, form, categories, status=422)
    if "close" in request.form:
        locks.release(current_user, story)
    db.session.commit()
    _tell_saved(story, revision, changed, before)
    if "close" in request.form:
        return redirect(url_for("blog.manage_story", story_id=story.id))
    return redirect(url_for("blog.edit", story_id=story.id))


def _tell_saved(story: Story, revision, changed: set[str], before: Status) -> None:
    if revision is not None:
        flash(_("Saved as version %(n)s.", n=revision.number), "success")
    elif changed:
        flash(_("The details are saved."), "success")
    else:
        flash(_("Nothing changed since the last version."), "info")
    if before != story.status and story.status == Status.IN_REVIEW:
        flash(_("This change is substantive: the story goes back to review and its "
                "approvals start again."), "info")  # fmt: skip


def _stale(story: Story, form: StoryForm, categories, base: int, typed: Text):
    """Someone saved since ``base``: show what they changed and how the typed text differs
    from theirs; the form keeps the typed text, now based on the newest version."""
    head = history.get(story, story.revision_number)
    theirs = history.compare(story, base, story.revision_number) if base else None
    mine = history.rows(Text.of(head), typed) if head is not None else None
    form.base_revision.data = str(story.revision_number)
    form.form_errors.append(_("Someone saved a newer version while you were editing. Your "
                              "text is kept below: compare, then save again to replace "
                              "their version, or copy what you need."))  # fmt: skip
    return _page(story, form, categories, status=409, stale=True, head=head, theirs=theirs,
                 mine=mine, base=base)  # fmt: skip


# --- the lock, as plain forms -----------------------------------------------------------------


@bp.post("/stories/<int:story_id>/lock/take")
def take_over(story_id: int):
    """Take the edit lock from whoever holds it, and open the editor."""
    story = editable(story_id)
    previous = locks.take_over(current_user, story)
    db.session.commit()
    if previous is not None:
        flash(_("You took over editing from %(name)s.", name=previous.name), "info")
    return redirect(url_for("blog.edit", story_id=story.id))


@bp.post("/stories/<int:story_id>/lock/release")
def unlock(story_id: int):
    """Leave the editor: give the lock up. Answers 204 to editor.js's beacon (``beacon``
    in the form), else goes to the story's page."""
    story = load(story_id)
    if not is_insider(current_user, story):
        abort(404)
    locks.release(current_user, story)
    db.session.commit()
    if request.form.get("beacon"):
        return "", 204
    return redirect(url_for("blog.manage_story", story_id=story.id))


from . import writing_history, writing_live  # noqa: E402, F401 - revisions; JSON endpoints
