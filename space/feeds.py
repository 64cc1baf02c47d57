"""RSS 2.0 and Atom documents for any area's feeds (Discuss, Blog, Events).

An area builds a ``Feed`` of ``Item``s (what an anonymous reader may see: feed readers come
without an account) and ``render(feed, fmt)`` writes it. The XML is written with the standard
library's ElementTree, which escapes every text and attribute; cooked HTML goes in as escaped
text (RSS ``description``, Atom ``content type="html"``), and characters XML 1.0 forbids are
dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from xml.etree import ElementTree as ET

from flask import make_response, request
from flask_babel import get_locale

FORMATS = ("rss", "atom")
MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"


@cache
def _not_xml() -> re.Pattern:
    """Characters XML 1.0 does not allow, even escaped (compiled when a feed is first written:
    a class of most of Unicode takes milliseconds to compile, and few processes write feeds)."""
    return re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Item:
    title: str
    url: str  # the page, absolute
    guid: str  # a permanent absolute URL
    published: datetime
    updated: datetime
    author: str
    author_url: str
    html: str  # cooked HTML, sanitized at write time
    categories: list[str] = field(default_factory=list)


@dataclass
class Feed:
    title: str
    description: str
    url: str  # the page this feed follows, absolute
    self_url: str  # the feed itself, absolute
    updated: datetime
    items: list[Item]
    language: str = ""  # the items' language when they share one; else the reader's


def _clean(text: str) -> str:
    return _not_xml().sub("", text or "")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _language(feed: Feed) -> str:
    if feed.language:
        return feed.language
    locale = get_locale()
    return str(locale).replace("_", "-") if locale else "en"


def rss(feed: Feed) -> bytes:
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": DC_NS})
    channel = _add(root, "channel")
    _add(channel, "title", feed.title)
    _add(channel, "link", feed.url)
    _add(channel, "description", feed.description)
    _add(channel, "language", _language(feed))
    _add(channel, "lastBuildDate", _rfc822(feed.updated))
    _add(channel, "generator", "Space")
    _add(channel, "atom:link", href=feed.self_url, rel="self", type=MEDIA_TYPES["rss"])
    for item in feed.items:
        entry = _add(channel, "item")
        _add(entry, "title", item.title)
        _add(entry, "link", item.url)
        _add(entry, "guid", item.guid, isPermaLink="true")
        _add(entry, "pubDate", _rfc822(item.published))
        _add(entry, "dc:creator", item.author)
        for name in item.categories:
            _add(entry, "category", name)
        _add(entry, "description", item.html)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def atom(feed: Feed) -> bytes:
    # xml:base: relative links inside posts (mentions, uploads) resolve against the site.
    root = ET.Element(
        "feed", {"xmlns": ATOM_NS, "xml:lang": _language(feed), "xml:base": request.url_root}
    )
    _add(root, "id", feed.self_url)
    _add(root, "title", feed.title)
    _add(root, "subtitle", feed.description)
    _add(root, "updated", _rfc3339(feed.updated))
    _add(root, "link", rel="self", type=MEDIA_TYPES["atom"], href=feed.self_url)
    _add(root, "link", rel="alternate", type="text/html", href=feed.url)
    _add(root, "generator", "Space")
    for item in feed.items:
        entry = _add(root, "entry")
        _add(entry, "id", item.guid)
        _add(entry, "title", item.title, type="text")
        _add(entry, "link", rel="alternate", type="text/html", href=item.url)
        _add(entry, "published", _rfc3339(item.published))
        _add(entry, "updated", _rfc3339(item.updated))
        author = _add(entry, "author")
        _add(author, "name", item.author)
        _add(author, "uri", item.author_url)
        for name in item.categories:
            _add(entry, "category", term=name)
        _add(entry, "content", item.html, type="html")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def render(feed: Feed, fmt: str) -> bytes:
    return rss(feed) if fmt == "rss" else atom(feed)


def response(feed: Feed, fmt: str, *, max_age: int = 300):
    """A cacheable, conditional Flask response holding ``feed`` as ``fmt`` (rss or atom)."""
    made = make_response(render(feed, fmt))
    made.content_type = f"{MEDIA_TYPES[fmt]}; charset=utf-8"
    made.cache_control.public = True
    made.cache_control.max_age = max_age
    made.vary.add("Accept-Language")
    made.last_modified = feed.updated
    return made.make_conditional(request)
