"""RSS 2.0 and Atom feeds of published stories: the whole blog, a category, a tag, an author
and a language.

Feed readers come without an account, so a feed holds published stories only, whoever asks;
a category, tag or author that does not exist, or a code that is no language, has no feed
(None: the view answers 404). Each item carries the excerpt and the cooked body, the
writers and the category and tags. A feed costs a fixed number of queries.

The XML is written by ``space.feeds``.
"""

from __future__ import annotations

from datetime import datetime

from babel import Locale
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from space import site
from space.db import db, utcnow
from space.feeds import Feed, Item

from .models import Story, story_tag
from .services import languages, reading

KINDS = ("category", "tag", "author", "language")
# Stories in a feed.
SIZE = 20


def _stories(where: list) -> list[Story]:
    return list(
        db.session.scalars(
            select(Story)
            .where(*reading.published(), *where)
            .order_by(*reading.newest_first())
            .limit(SIZE)
            .options(*reading.story_options())
        ).unique()
    )


def _html(story: Story) -> str:
    excerpt = story.excerpt.strip()
    lead = Markup("<p><em>%s</em></p>\n") % escape(excerpt) if excerpt else Markup("")
    return str(lead + Markup(story.cooked))


def item(story: Story) -> Item:
    people = reading.writers(story)
    names = ", ".join(person.name for person in people)
    published = story.published_at or story.created_at
    return Item(
        title=story.title,
        url=url_for("blog.story", slug=story.slug, _external=True),
        guid=url_for("blog.story_by_id", story_id=story.id, _external=True),
        published=published,
        updated=max(story.updated_at or published, published),
        author=names,
        author_url=url_for("accounts.profile", username=people[0].username, _external=True)
        if people
        else url_for("blog.index", _external=True),
        html=_html(story),
        categories=[*([story.category.name] if story.category else []),
                    *(tag.name for tag in story.tags)],
    )  # fmt: skip


def _site() -> str:
    return str(site.get("title") or "Space")


def _feed_url(fmt: str, kind: str | None = None, key: str | None = None) -> str:
    values = {"kind": kind, "key": key} if kind else {}
    return url_for("blog.feed", fmt=fmt, _external=True, **values)


def _feed(fmt, kind, key, *, title, description, url, stories, fallback, language="") -> Feed:
    items = [item(story) for story in stories]
    updated = max((entry.updated for entry in items), default=fallback)
    return Feed(title=title, description=description, url=url,
                self_url=_feed_url(fmt, kind, key), updated=updated, items=items,
                language=language)  # fmt: skip


def _fallback() -> datetime:
    """A feed without stories: "updated" when asked (it has nothing older to tell)."""
    return utcnow().replace(microsecond=0)


def latest(fmt: str) -> Feed:
    return _feed(
        fmt, None, None,
        title=_("%(site)s: blog", site=_site()),
        description=_("The latest stories of the blog."),
        url=url_for("blog.index", _external=True),
        stories=_stories([]),
        fallback=_fallback(),
    )  # fmt: skip


def category(fmt: str, slug: str) -> Feed | None:
    found = reading.category_by_slug(slug)
    if found is None:
        return None
    return _feed(
        fmt, "category", found.slug,
        title=_("%(site)s: %(category)s", site=_site(), category=found.name),
        description=found.description.strip()
        or _("The latest stories in %(category)s.", category=found.name),
        url=url_for("blog.category", slug=found.slug, _external=True),
        stories=_stories([Story.category_id == found.id]),
        fallback=found.created_at,
    )  # fmt: skip


def tag(fmt: str, name: str) -> Feed | None:
    found = reading.tag_by_name(name)
    if found is None:
        return None
    tagged = select(story_tag.c.story_id).where(story_tag.c.tag_id == found.id)
    return _feed(
        fmt, "tag", found.name,
        title=_("%(site)s: stories tagged %(tag)s", site=_site(), tag=found.name),
        description=_("The latest stories tagged %(tag)s.", tag=found.name),
        url=url_for("blog.tag", name=found.name, _external=True),
        stories=_stories([Story.id.in_(tagged)]),
        fallback=_fallback(),
    )  # fmt: skip


def author(fmt: str, username: str) -> Feed | None:
    found = reading.author_by_username(username)
    if found is None:
        return None
    return _feed(
        fmt, "author", found.username,
        title=_("%(site)s: stories by %(name)s", site=_site(), name=found.name),
        description=_("The latest stories written by %(name)s.", name=found.name),
        url=url_for("blog.author", username=found.username, _external=True),
        stories=_stories([reading.written_by(found.id)]),
        fallback=found.created_at,
    )  # fmt: skip


def language_name(code: str, *, own: bool = False) -> str:
    """The language's name in the reader's locale ("French"), or in itself ("Français")
    when ``own``; the code when Babel does not know it."""
    try:
        language = Locale.parse(code)
        name = language.get_display_name(language if own else get_locale()) or code
    except (ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:]


def language(fmt: str, code: str) -> Feed | None:
    if not languages.is_known(code):
        return None
    name = language_name(code)
    return _feed(
        fmt, "language", code,
        title=_("%(site)s: stories in %(language)s", site=_site(), language=name),
        description=_("The latest stories written in %(language)s.", language=name),
        url=url_for("blog.language", code=code, _external=True),
        stories=_stories([Story.language == code]),
        fallback=_fallback(),
        language=code,
    )  # fmt: skip


def build(kind: str | None, key: str | None, fmt: str) -> Feed | None:
    """The feed ``kind`` of ``key`` (None: the whole blog), or None when there is none."""
    if kind is None:
        return latest(fmt)
    builders = {"category": category, "tag": tag, "author": author, "language": language}
    builder = builders.get(kind)
    return builder(fmt, key) if builder is not None and key else None
