"""Watched words: text checked before it is posted.

Admins list words (or phrases) per action: **block** (refused with a message), **require
approval** (held in the review queue), **flag** (posted, and flagged for moderators) and
**censor** (posted with the word masked). Matching ignores case, respects word boundaries
(``cat`` does not match "concatenate") and reads ``*`` as any run of letters (``spam*``
matches "spammer"). The words are read and compiled once per request.

``check(text)`` answers the strongest action that applies (block > require approval > flag)
with the words that matched; ``censor(text)`` masks censored words in the raw markdown
before it is cooked. The owner of the content (e.g. Discuss's posting) decides what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import g
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from space import audit
from space.db import db
from space.moderation.models import WatchedAction, WatchedWord

MASK = "■■■■"
WORD_MAX = 100
PRIORITY = (WatchedAction.BLOCK, WatchedAction.REQUIRE_APPROVAL, WatchedAction.FLAG)
_CACHE = "space_watched_words"


class WordError(ValueError):
    """A refused change to the list: ``message`` is translated, ``field`` the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Match:
    action: WatchedAction
    words: tuple[str, ...]  # as they appear in the text, in order, without repeats


# --- matching --------------------------------------------------------------------------------


def normalize(word: str) -> str:
    """One spelling per entry: trimmed, lower case, inner spaces collapsed, no "**"."""
    word = " ".join((word or "").split()).lower()
    return re.sub(r"\*+", "*", word)


def pattern_for(word: str) -> str:
    """The regular expression of one entry: ``*`` is any run of letters or digits; spaces
    match any run of spaces; the ends must not touch other letters."""
    parts = []
    for piece in re.split(r"(\*| )", normalize(word)):
        if piece == "*":
            parts.append(r"\w*")
        elif piece == " ":
            parts.append(r"\s+")
        elif piece:
            parts.append(re.escape(piece))
    return r"(?<!\w)(?:" + "".join(parts) + r")(?!\w)"


def compile_words(words: list[str]) -> re.Pattern | None:
    if not words:
        return None
    # Longest first, so a phrase wins over a word it starts with.
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return re.compile("|".join(pattern_for(w) for w in ordered), re.IGNORECASE)


def _compiled() -> dict[WatchedAction, re.Pattern]:
    """{action: pattern} for the actions with words; read once per request."""
    cached = g.get(_CACHE)
    if cached is not None:
        return cached
    by_action: dict[WatchedAction, list[str]] = {}
    for word, action in db.session.execute(select(WatchedWord.word, WatchedWord.action)):
        by_action.setdefault(WatchedAction(action), []).append(word)
    compiled = {action: compile_words(words) for action, words in by_action.items()}
    cached = {action: pattern for action, pattern in compiled.items() if pattern is not None}
    g.setdefault(_CACHE, cached)
    return cached


def forget() -> None:
    """Drop this request's compiled words (after the list changed)."""
    g.pop(_CACHE, None)


def matches(text: str, action: WatchedAction | str) -> tuple[str, ...]:
    """The words of ``action``'s list found in ``text`` (as written, without repeats)."""
    pattern = _compiled().get(WatchedAction(action))
    if pattern is None or not text:
        return ()
    found: dict[str, None] = {}
    for hit in pattern.finditer(text):
        found.setdefault(hit.group(0), None)
    return tuple(found)


def check(text: str) -> Match | None:
    """The strongest action ``text`` calls for (block > require approval > flag), or None."""
    if not text:
        return None
    for action in PRIORITY:
        words = matches(text, action)
        if words:
            return Match(action, words)
    return None


def censor(text: str) -> str:
    """``text`` with every censored word replaced by ``MASK``."""
    pattern = _compiled().get(WatchedAction.CENSOR)
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


def block_message(match: Match) -> str:
    """What the author reads when their text is refused."""
    words = ", ".join(match.words)
    return _("Your text contains words that are not allowed here: %(words)s.", words=words)


# --- the list --------------------------------------------------------------------------------


def words_by_action() -> dict[WatchedAction, list[WatchedWord]]:
    """Every entry, grouped by action (in the actions' order), alphabetical."""
    grouped: dict[WatchedAction, list[WatchedWord]] = {action: [] for action in WatchedAction}
    rows = db.session.scalars(select(WatchedWord).order_by(WatchedWord.word, WatchedWord.id))
    for row in rows:
        grouped[WatchedAction(row.action)].append(row)
    return grouped


def add(word: str, action: WatchedAction | str, *, by) -> WatchedWord:
    """Add an entry; ``WordError`` when it is empty, too long, only wildcards or listed."""
    try:
        action = WatchedAction(action)
    except ValueError:
        raise WordError(_("Choose an action from the list."), "action") from None
    word = normalize(word)
    if not word:
        raise WordError(_("Enter a word or a phrase."), "word")
    if len(word) > WORD_MAX:
        raise WordError(_("Use at most %(max)d characters.", max=WORD_MAX), "word")
    if not word.replace("*", "").strip():
        raise WordError(_("A word needs at least one letter besides “*”."), "word")
    exists = db.session.scalar(
        select(WatchedWord.id).where(func.lower(WatchedWord.word) == word,
                                     WatchedWord.action == action)
    )  # fmt: skip
    if exists is not None:
        raise WordError(_("This word is already on this list."), "word")
    entry = WatchedWord(word=word, action=action)
    try:
        with db.session.begin_nested():  # added meanwhile by another admin
            db.session.add(entry)
    except IntegrityError:
        raise WordError(_("This word is already on this list."), "word") from None
    audit.record("moderation.word.add", actor=by, target=entry, target_label=word,
                 target_type="watched_word", action_name=action.value)  # fmt: skip
    forget()
    return entry


def delete(entry: WatchedWord, *, by) -> None:
    action = WatchedAction(entry.action).value
    audit.record("moderation.word.delete", actor=by, target=entry, target_label=entry.word,
                 target_type="watched_word", action_name=action)  # fmt: skip
    db.session.delete(entry)
    forget()
