"""Translations: ``blog.translate`` starts a translation of a published story (a draft in
another language, then the writer's editor); ``blog.translation_diff`` shows what changed in
the source since a translation was made from it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField

from space.db import db
from space.forms import Form, choices, required
from space.permissions import require

from ..models import Story
from ..services import languages, reading, translations
from ..services.workflow import WorkflowError
from . import bp


class TranslateForm(Form):
    language = SelectField(_l("Translate into"), validators=[required()], validate_choice=True)


def _story(story_id: int) -> Story:
    found = reading.load(story_id)
    if found is None:
        abort(404)
    require(current_user, "blog.story.read", found)
    return found


@bp.route("/stories/<int:story_id>/translate", methods=["GET", "POST"])
def translate(story_id: int):
    story = _story(story_id)
    require(current_user, "blog.story.translate", story)
    taken = translations.languages_taken(story)
    form = TranslateForm()
    spoken = getattr(current_user, "languages", None) or ()
    form.language.choices = choices(
        (code, name) for code, name in languages.choices(spoken) if code not in taken
    )
    if form.validate_on_submit():
        try:
            created = translations.translate(current_user, story, form.language.data)
        except WorkflowError as error:
            form.language.errors = [*form.language.errors, error.message]
        else:
            db.session.commit()
            flash(_("Your translation is a draft: translate the text, then submit it for "
                    "review."), "success")  # fmt: skip
            return redirect(url_for("blog.edit", story_id=created.id))
    status = 422 if form.errors else 200
    return render_template("blog/translate.html", story=story, form=form,
                           siblings=translations.siblings(story)), status  # fmt: skip


@bp.get("/stories/<int:story_id>/source-changes")
def translation_diff(story_id: int):
    """What changed in the source since the translation was made from it: for everyone who
    may read both the translation and its source."""
    translation = _story(story_id)
    if translation.source_id is None:
        abort(404)
    source = reading.load(translation.source_id)
    if source is None:
        abort(404)
    require(current_user, "blog.story.read", source)
    changes = translations.source_changes(translation, source)
    if changes is None:
        abort(404)
    return render_template("blog/source_changes.html", translation=translation, source=source,
                           changes=changes,
                           outdated=translations.is_outdated(translation, source))  # fmt: skip
