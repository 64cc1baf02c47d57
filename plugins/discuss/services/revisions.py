"""Revisions: every version of a post's text (and of the topic's title, for first posts).

Version 1 is the original. Each edit makes a new version, except that the same person editing
again within ``revision_grace_minutes`` of the latest edit's revision folds the change into
that revision (small successive fixes make one version, as in Discourse). The original is
never folded into: the first edit always makes version 2.

``side_by_side`` compares two texts for the revisions page: rows of escaped HTML cells with
``<del>``/``<ins>`` around what changed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import timedelta

from markupsafe import Markup, escape
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from space.db import db, utcnow

from ..models import Post, PostRevision
from ..settings import value


def record_original(post: Post, user, *, title: str = "") -> PostRevision:
    revision = PostRevision(
        post_id=post.id, number=1, user_id=user.id, raw=post.raw, title=title,
        created_at=post.created_at, updated_at=post.created_at,
    )  # fmt: skip
    db.session.add(revision)
    return revision


def latest(post: Post) -> PostRevision | None:
    return db.session.scalar(
        select(PostRevision)
        .where(PostRevision.post_id == post.id)
        .order_by(PostRevision.number.desc())
        .limit(1)
    )


def record_edit(post: Post, user, *, raw: str, title: str = "") -> tuple[PostRevision, bool]:
    """Record the post's new text (the caller has set ``post.raw``). Returns the revision and
    whether it is a new one (False: folded into the latest, within the grace period)."""
    now = utcnow()
    last = latest(post)
    grace = timedelta(minutes=int(value("revision_grace_minutes")))
    if (
        last is not None
        and last.number > 1
        and last.user_id == user.id
        and grace
        and last.created_at + grace > now
    ):
        last.raw, last.title, last.updated_at = raw, title, now
        return last, False
    # The post row's version UPDATE serializes concurrent edits of the same post.
    number = db.session.execute(
        update(Post)
        .where(Post.id == post.id)
        .values(version=Post.version + 1)
        .returning(Post.version),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    post.version = number
    db.session.flush()
    revision = PostRevision(post_id=post.id, number=number, user_id=user.id, raw=raw,
                            title=title, created_at=now, updated_at=now)  # fmt: skip
    db.session.add(revision)
    db.session.flush()
    return revision, True


def for_post(post: Post) -> list[PostRevision]:
    """Every version, oldest first, with its editor (one query plus one for the editors)."""
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .options(selectinload(PostRevision.user))
            .order_by(PostRevision.number)
        )
    )


# --- comparing -------------------------------------------------------------------------------


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
