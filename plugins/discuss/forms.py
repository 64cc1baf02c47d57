"""Discuss forms. Lengths and limits are checked by the services (their numbers are run-time
settings); the forms only parse and require."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from space.forms import Form, length, required

# --- composer (new topic, reply, edit) --------------------------------------------------------

# Generous caps: the services apply the configured lengths with clearer messages; these only
# keep absurd input out of the work.
RAW_CAP = 200_000
TITLE_CAP = 1000


class _Body(Form):
    raw = TextAreaField(_l("Your post"), [required(), length(max=RAW_CAP)])


class TopicForm(_Body):
    title = StringField(_l("Title"), [required(), length(max=TITLE_CAP)])
    category = SelectField(_l("Category"), [required()], choices=[])
    tags = StringField(_l("Tags"), [length(max=500)])


class ReplyForm(_Body):
    reply_to = HiddenField()


class EditForm(_Body):
    title = StringField(_l("Title"), [length(max=TITLE_CAP)])


def tag_names(text: str | None) -> list[str]:
    """ "a, b c,  d" -> ["a", "b c", "d"] (the services normalize each)."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


# --- end of composer forms --------------------------------------------------------------------
