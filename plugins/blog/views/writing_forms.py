"""Forms of the story editor: starting a story, and the editor itself (text and details).

Lengths are checked again by the services (``revisions.check``, ``details.apply``) with the
configured numbers and their own messages; the forms parse, require and cap absurd input.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField

from space.forms import Form, length, optional, required

# Generous caps: the services apply the configured limits with clearer messages.
TITLE_CAP = 1000
EXCERPT_CAP = 10_000
BODY_CAP = 1_000_000
SHORT_CAP = 1000


class MarkdownField(TextAreaField):
    """A text area whose text is kept as typed: the base form strips text fields, which
    would cost Markdown its leading indentation (a code block)."""


class NewStoryForm(Form):
    title = StringField(_l("Title"), [required(), length(max=TITLE_CAP)])
    language = SelectField(_l("Language"), [required()], choices=[])
    excerpt = TextAreaField(_l("Excerpt"), [optional(), length(max=EXCERPT_CAP)])
    body = MarkdownField(_l("Story"), [optional(), length(max=BODY_CAP)])


class StoryForm(Form):
    """The editor: the text (saved as a revision) and the details beside it."""

    base_revision = HiddenField()
    title = StringField(_l("Title"), [length(max=TITLE_CAP)])
    excerpt = TextAreaField(_l("Excerpt"), [length(max=EXCERPT_CAP)])
    body = MarkdownField(_l("Story"), [length(max=BODY_CAP)])
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    tags = StringField(_l("Tags"), [length(max=SHORT_CAP)])
    language = SelectField(_l("Language"), [required()], choices=[])
    image_file = FileField(_l("Upload a featured image"))
    image_url = StringField(_l("Featured image address"), [length(max=SHORT_CAP)])
    image_alt = StringField(_l("Text alternative of the image"), [length(max=SHORT_CAP)])
    image_attribution = StringField(_l("Image credit (author, source, licence)"),
                                    [length(max=SHORT_CAP)])  # fmt: skip
    # Editors only (the page shows them to editors; the view ignores them for others).
    writers = StringField(_l("Writers (usernames, lead writer first)"), [length(max=SHORT_CAP)])
    due_date = DateField(_l("Due date"), [optional()])
    slug = StringField(_l("Web address (slug)"), [length(max=SHORT_CAP)])


def names(text: str | None) -> list[str]:
    """ "a, b  c,, d" -> ["a", "b  c", "d"] (the services normalize each)."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]
