"""Side-by-side comparison of two texts, for revision pages (posts, stories, translations).

``side_by_side(old, new)`` returns rows of escaped HTML cells: whole lines added or removed
are wrapped in ``<ins>``/``<del>``, and inside a changed line the words that differ are.
``changed_characters`` measures how much an edit changed, to tell small fixes from
substantive edits.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Row:
    """One line of a side-by-side comparison: ``kind`` is equal, replace, delete or insert;
    ``left``/``right`` are escaped HTML (None: no line on that side)."""

    kind: str
    left: Markup | None
    right: Markup | None


_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _inline(old: str, new: str) -> tuple[Markup, Markup]:
    """Word-level marks inside a changed line: <del> on the left, <ins> on the right."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if tag == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if old_part:
            left.append(Markup("<del>%s</del>") % old_part)
        if new_part:
            right.append(Markup("<ins>%s</ins>") % new_part)
    return Markup("").join(left), Markup("").join(right)


def side_by_side(old: str, new: str) -> list[Row]:
    """Line by line comparison of two texts, everything escaped."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(Row("equal", escape(line), escape(line)) for line in a[i1:i2])
        elif tag == "delete":
            rows.extend(Row("delete", Markup("<del>%s</del>") % line, None) for line in a[i1:i2])
        elif tag == "insert":
            rows.extend(Row("insert", None, Markup("<ins>%s</ins>") % line) for line in b[j1:j2])
        else:
            olds, news = a[i1:i2], b[j1:j2]
            for k in range(max(len(olds), len(news))):
                if k < len(olds) and k < len(news):
                    left, right = _inline(olds[k], news[k])
                    rows.append(Row("replace", left, right))
                elif k < len(olds):
                    rows.append(Row("delete", Markup("<del>%s</del>") % olds[k], None))
                else:
                    rows.append(Row("insert", None, Markup("<ins>%s</ins>") % news[k]))
    return rows


def changed_characters(old: str, new: str) -> int:
    """How many characters were removed or added between ``old`` and ``new``."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )
