"""A story's details, saved from the editor beside its text: category, tags, featured image
(address, text alternative, credit), language, and for editors its writers, due date and, once
published, its address. Also ``start``: a new story begun in the editor, without a pitch.

``apply`` checks everything first (``WorkflowError`` naming the field at fault; nothing
changed then) and then changes what differs. A published story's category and tags count in
``story_count`` (published stories only), so changing them moves the counters. Nothing here
commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from space import audit
from space.accounts.models import User
from space.db import db, utcnow
from space.markup import slugify

from ..access import is_editor
from ..models import BlogCategory, BlogTag, Status, Story, StoryAuthor, story_tag
from . import indexing, languages, revisions, slugs, workflow
from .revisions import Text
from .workflow import WorkflowError

MAX_TAGS = 8
TAG_LENGTH = 40
MAX_WRITERS = 10
IMAGE_URL_LENGTH = 500
IMAGE_TEXT_LENGTH = 300
# A site-relative path to an uploaded file (until the uploads module says what it accepts).
UPLOAD_PATH_RE = re.compile(r"^/uploads/(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]*$")


class _Keep:
    """Leave this detail as it is (a field the form did not show, or the API left out)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@dataclass(frozen=True)
class Details:
    """What the editor sends besides the text. ``KEEP`` leaves a detail unchanged."""

    category_id: int | None = KEEP
    tags: list[str] = KEEP
    image_url: str = KEEP
    image_alt: str = KEEP
    image_attribution: str = KEEP
    language: str = KEEP
    writers: list[str] = KEEP  # usernames, lead writer first (editors)
    due_date: date | None = KEEP  # editors
    slug: str = KEEP  # editors, once published


def _given(item) -> bool:
    return item is not KEEP


# --- checks ------------------------------------------------------------------------------------


def normalize_tag(name: str) -> str:
    """Tags are written like Discuss's: lowercase ASCII words joined by dashes."""
    return slugify(name.strip().lstrip("#"), fallback="")[:TAG_LENGTH].strip("-")


def tag_names(names) -> list[str]:
    """Normalized, without repeats, in the given order; at most ``MAX_TAGS``."""
    if isinstance(names, str):
        names = names.split(",")
    wanted: list[str] = []
    for name in names or []:
        if not isinstance(name, str):
            raise WorkflowError(_("Tags are words separated by commas."), "tags")
        tag = normalize_tag(name)
        if tag and tag not in wanted:
            wanted.append(tag)
    if len(wanted) > MAX_TAGS:
        raise WorkflowError(_("A story may have at most %(n)d tags.", n=MAX_TAGS), "tags")
    return wanted


def clean_image_url(url) -> str:
    """An uploaded file's site-relative address ("/uploads/…"), or empty."""
    url = url.strip() if isinstance(url, str) else ""
    if not url:
        return ""
    if len(url) > IMAGE_URL_LENGTH or not UPLOAD_PATH_RE.match(url):
        raise WorkflowError(_("Upload the image, or use the address of an uploaded file."),
                            "image_url")  # fmt: skip
    return url


def _short_text(item, field: str) -> str:
    item = " ".join(item.split()) if isinstance(item, str) else ""
    if len(item) > IMAGE_TEXT_LENGTH:
        raise WorkflowError(_("Use at most %(max)d characters.", max=IMAGE_TEXT_LENGTH), field)
    return item


def _category(category_id) -> BlogCategory | None:
    if category_id is None:
        return None
    category = None
    if isinstance(category_id, int) and not isinstance(category_id, bool):
        category = db.session.get(BlogCategory, category_id) if 0 < category_id < 2**31 else None
    if category is None:
        raise WorkflowError(_("Choose one of the categories."), "category")
    return category


def _writers(usernames) -> list[User]:
    names: list[str] = []
    for name in usernames or []:
        if not isinstance(name, str):
            raise WorkflowError(_("Give the writers' usernames."), "writers")
        name = name.strip().lstrip("@").strip()
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    if not names:
        raise WorkflowError(_("A story needs at least one writer."), "writers")
    if len(names) > MAX_WRITERS:
        raise WorkflowError(_("A story may have at most %(n)d writers.", n=MAX_WRITERS),
                            "writers")  # fmt: skip
    found = {
        user.username.lower(): user
        for user in db.session.scalars(
            select(User).where(func.lower(User.username).in_([n.lower() for n in names]))
        )
    }
    missing = [name for name in names if name.lower() not in found]
    if missing:
        raise WorkflowError(_("There is nobody called %(names)s.", names=", ".join(missing)),
                            "writers")  # fmt: skip
    return [found[name.lower()] for name in names]


def _editors_only(user, field: str) -> None:
    if not is_editor(user):
        raise WorkflowError(_("Only editors change this."), field)


# --- applying ---------------------------------------------------------------------------------


def current_tag_names(story: Story) -> list[str]:
    return list(
        db.session.scalars(
            select(BlogTag.name)
            .join(story_tag, story_tag.c.tag_id == BlogTag.id)
            .where(story_tag.c.story_id == story.id)
            .order_by(BlogTag.name)
        )
    )


def current_writers(story: Story) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(StoryAuthor, StoryAuthor.user_id == User.id)
            .where(StoryAuthor.story_id == story.id)
            .order_by(StoryAuthor.position)
        )
    )


def apply(user, story: Story, details: Details) -> set[str]:
    """Check ``details`` and change what differs on ``story``; returns the names of the
    details changed. The caller checked ``require(user, "blog.story.edit", story)``.
    Writers, due date and address are for editors (``WorkflowError`` for others when they
    would change); the address only once the story has one (at first publication)."""
    plan: dict[str, Any] = {}
    if _given(details.category_id):
        category = _category(details.category_id)
        if (category.id if category else None) != story.category_id:
            plan["category"] = category
    if _given(details.tags):
        wanted = tag_names(details.tags)
        if sorted(wanted) != current_tag_names(story):
            plan["tags"] = wanted
    for name in ("image_url", "image_alt", "image_attribution"):
        item = getattr(details, name)
        if _given(item):
            item = clean_image_url(item) if name == "image_url" else _short_text(item, name)
            if item != getattr(story, name):
                plan[name] = item
    if _given(details.language):
        language = languages.clean(details.language)
        if language != story.language:
            plan["language"] = language
    if _given(details.writers):
        people = _writers(details.writers)
        if [p.id for p in people] != [p.id for p in current_writers(story)]:
            _editors_only(user, "writers")
            plan["writers"] = people
    if _given(details.due_date) and details.due_date != story.due_date:
        _editors_only(user, "due_date")
        if details.due_date is not None and details.due_date < utcnow().date():
            raise WorkflowError(_("The due date is in the past."), "due_date")
        plan["due_date"] = details.due_date
    if _given(details.slug):
        slug = (details.slug or "").strip().lower()
        if slug and slug != (story.slug or ""):
            _editors_only(user, "slug")
            if story.slug is None:
                raise WorkflowError(_("The address is fixed when the story is first published."),
                                    "slug")  # fmt: skip
            plan["slug"] = slug
    _change(user, story, plan)
    return set(plan)


def _change(user, story: Story, plan: dict[str, Any]) -> None:
    published = story.status == Status.PUBLISHED
    if "slug" in plan:  # the one check that can still refuse: do it before anything else
        old = story.slug
        try:
            slugs.change(story, plan["slug"])
        except ValueError as error:
            raise WorkflowError(str(error), "slug") from None
        audit.record("blog.story.slug", actor=user, target=story, target_type="story",
                     target_label=story.title[:200], old=old, new=story.slug)  # fmt: skip
    if "category" in plan:
        category = plan["category"]
        if published:
            _count(BlogCategory, [story.category_id], -1)
            _count(BlogCategory, [category.id if category else None], +1)
            for touched in (story.__dict__.get("category"), category):
                if touched is not None:
                    db.session.expire(touched, ["story_count"])
        story.category_id = category.id if category else None
        set_committed_value(story, "category", category)
    if "tags" in plan:
        set_committed_value(story, "tags", _set_tags(story, plan["tags"], published))
    for name in ("image_url", "image_alt", "image_attribution", "language", "due_date"):
        if name in plan:
            setattr(story, name, plan[name])
    if "writers" in plan:
        workflow.set_writers(story, plan["writers"])
    if plan:
        story.updated_at = utcnow()
        indexing.queue_story(story)


def _count(model, ids, delta: int) -> None:
    ids = [i for i in ids if i is not None]
    if ids:
        db.session.execute(
            update(model).where(model.id.in_(ids)).values(story_count=model.story_count + delta),
            execution_options={"synchronize_session": False},
        )


def _new_tag(name: str) -> BlogTag:
    """Create tag ``name``, or find it when someone created it at the same moment."""
    try:
        with db.session.begin_nested():
            tag = BlogTag(name=name, story_count=0)
            db.session.add(tag)
        return tag
    except IntegrityError:
        return db.session.scalars(select(BlogTag).where(BlogTag.name == name)).one()


def _set_tags(story: Story, wanted: list[str], published: bool) -> list[BlogTag]:
    """Replace the story's tags by ``wanted`` (created when new), moving the counters of a
    published story. Returns the tags, by name."""
    found = {}
    if wanted:
        found = {t.name: t for t in db.session.scalars(select(BlogTag).where(
            BlogTag.name.in_(wanted)))}  # fmt: skip
    for name in wanted:
        if name not in found:
            found[name] = _new_tag(name)
    current = set(db.session.scalars(
        select(story_tag.c.tag_id).where(story_tag.c.story_id == story.id)))  # fmt: skip
    keep = {found[name].id for name in wanted}
    removed, added = current - keep, keep - current
    if removed:
        db.session.execute(delete(story_tag).where(story_tag.c.story_id == story.id,
                                                   story_tag.c.tag_id.in_(removed)))  # fmt: skip
    if added:
        rows = [{"story_id": story.id, "tag_id": tag_id} for tag_id in added]
        db.session.execute(insert(story_tag), rows)
    if published:
        _count(BlogTag, list(removed), -1)
        _count(BlogTag, list(added), +1)
        for tag in found.values():
            if tag.id in removed or tag.id in added:
                db.session.expire(tag, ["story_count"])
    return sorted(found.values(), key=lambda tag: tag.name)


# --- a new story --------------------------------------------------------------------------------


def start(user, text: Text, language: str, now: datetime | None = None) -> Story:
    """Begin a story without a pitch (``blog.story.create``): a draft written by ``user``,
    its first revision, and "started the story" in its history. Needs a title."""
    now = now or utcnow()
    language = languages.clean(language)
    text = revisions.check(text)
    if not text.title:
        raise WorkflowError(_("Give the story a title."), "title")
    story = Story(status=Status.DRAFT, language=language, writer_id=user.id,
                  created_at=now, updated_at=now)  # fmt: skip
    db.session.add(story)
    db.session.flush()
    workflow.set_writers(story, [user])
    revisions.save(user, story, text, base_revision=0)
    workflow.record(story, user, "create", None)
    return story
