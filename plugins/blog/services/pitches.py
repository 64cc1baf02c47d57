"""Pitches: a story proposed from the editorial guidelines' template, before anyone writes it.

The template asks what happened, why it matters to the movement, who is involved, the
proposed length (words) and the language. ``pitch`` creates the story in status "pitch"
(no writer yet, no revision), records it in the history, makes the pitcher follow it and
tells the editors; an editor then accepts it (``workflow.move(..., "accept")``: writer and
due date) or declines it with a reason. ``edit_pitch`` changes it while it is still a pitch.

Both raise ``WorkflowError(message, field)`` for input the person can fix; the caller checked
``require(user, "blog.pitch")`` (or ``"blog.story.edit"`` on the story) and commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from space.db import db, utcnow

from ..models import Status, Story
from ..settings import value
from . import languages, notices, workflow
from .workflow import WorkflowError

WHAT_MAX = 2000
WHY_MAX = 2000
WHO_MAX = 1000
# Proposed length, in words.
LENGTH_MIN = 100
LENGTH_MAX = 10_000
# How editors hear of a new pitch. There is no "blog.pitched" kind yet; a pitch is a proposal
# submitted to the editors, which is what "blog.submitted" says.
PITCH_KIND = "blog.pitched"


@dataclass(frozen=True)
class Pitch:
    """A pitch's fields, checked and tidied by ``check``."""

    what: str
    why: str
    who: str
    length: int
    language: str
    title: str = ""


def _text(text: str | None, field: str, maximum: int, *, needed: bool) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if needed and not text:
        raise WorkflowError(_("This field is required."), field)
    if len(text) > maximum:
        raise WorkflowError(_("Use at most %(max)d characters.", max=maximum), field)
    return text


def check(
    *, what: str, why: str, who: str, length: int | None, language: str, title: str = ""
) -> Pitch:
    """The pitch tidied, or ``WorkflowError`` naming the field at fault."""
    title = " ".join((title or "").split())
    title_max = int(value("title_max_length"))
    if len(title) > title_max:
        raise WorkflowError(_("The title is too long (at most %(n)d characters).", n=title_max),
                            "title")  # fmt: skip
    what = _text(what, "what", WHAT_MAX, needed=True)
    why = _text(why, "why", WHY_MAX, needed=True)
    who = _text(who, "who", WHO_MAX, needed=False)
    if isinstance(length, bool) or not isinstance(length, int):
        raise WorkflowError(_("Say how many words the story would have."), "length")
    if not LENGTH_MIN <= length <= LENGTH_MAX:
        raise WorkflowError(_("Propose from %(min)d to %(max)d words.", min=LENGTH_MIN,
                              max=LENGTH_MAX), "length")  # fmt: skip
    return Pitch(what, why, who, length, languages.clean(language), title)


def _apply(story: Story, pitch: Pitch) -> None:
    story.title = pitch.title
    story.pitch_what = pitch.what
    story.pitch_why = pitch.why
    story.pitch_who = pitch.who
    story.pitch_length = pitch.length
    story.language = pitch.language


def pitch(
    user, *, what: str, why: str, who: str, length: int | None, language: str, title: str = ""
) -> Story:
    """Propose a story. It waits in the editorial queue from now (``submitted_at``)."""
    checked = check(what=what, why=why, who=who, length=length, language=language, title=title)
    now = utcnow()
    story = Story(status=Status.PITCH, version=1, revision_number=0,
                  substantive_revision_number=0, approvals=0, pitched_by_id=user.id,
                  created_at=now, updated_at=now, submitted_at=now)  # fmt: skip
    _apply(story, checked)
    db.session.add(story)
    db.session.flush()
    workflow.record(story, user, "pitch", None)
    notices.follow(story, user.id)
    notices.tell(story, PITCH_KIND, user, to=[], editors=True)
    return story


def edit_pitch(
    user,
    story: Story,
    *,
    what: str,
    why: str,
    who: str,
    length: int | None,
    language: str,
    title: str = "",
) -> bool:
    """Change a story that is still a pitch; True when something changed."""
    if story.status != Status.PITCH:
        raise WorkflowError(_("This story is no longer a pitch: it cannot be changed here."))
    checked = check(what=what, why=why, who=who, length=length, language=language, title=title)
    before = Pitch(story.pitch_what, story.pitch_why, story.pitch_who, story.pitch_length or 0,
                   story.language, story.title)  # fmt: skip
    if checked == before:
        return False
    _apply(story, checked)
    story.updated_at = utcnow()
    return True
