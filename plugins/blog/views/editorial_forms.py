"""Forms of the editorial pages: the pitch, the queue's filters, an editorial comment.

Lengths and ranges are checked again by the services (``services/pitches.py``,
``services/comments.py``) with their own messages; the forms parse, require and cap.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField

from space.forms import Form, length, number_range, optional, required

from ..services import comments, pitches


class PitchForm(Form):
    """The editorial guidelines' template."""

    title = StringField(_l("Working title (optional)"), [optional(), length(max=300)])
    what = TextAreaField(_l("What happened?"), [required(), length(max=pitches.WHAT_MAX)])
    why = TextAreaField(_l("Why does it matter to the movement?"),
                        [required(), length(max=pitches.WHY_MAX)])  # fmt: skip
    who = TextAreaField(_l("Who is involved?"), [optional(), length(max=pitches.WHO_MAX)])
    length = IntegerField(
        _l("Proposed length (words)"),
        [required(), number_range(pitches.LENGTH_MIN, pitches.LENGTH_MAX)],
    )
    language = SelectField(_l("Language"), [required()], choices=[])


class QueueFilterForm(Form):
    """The queue's filters: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="")
    category = SelectField(_l("Category"), default="")
    writer = StringField(_l("Writer (username)"), [optional(), length(max=40)])
    due = SelectField(_l("Due"), default="")
    sort = SelectField(_l("Sort by"), default="waiting")


class CommentForm(Form):
    body = TextAreaField(_l("Comment"), [required(), length(max=comments.BODY_MAX)])
    parent_id = HiddenField()
