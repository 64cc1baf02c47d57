"""The one pipeline for user text: Markdown, then an allowlist sanitizer.

``render`` is called when text is written and its result stored ("cooked"); pages show the
stored HTML and never render Markdown. bleach lives here and nowhere else, so changing the
sanitizer is this module plus re-cooking stored text from its source (every model keeps the
source beside the HTML for that).

bleach and Markdown are imported on first use: importing bleach compiles its link pattern
with every top-level domain, and most processes only show stored HTML (with Markdown, 50
modules and 0.05 s of starting the app).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from html import unescape
from xml.etree import ElementTree

from flask import current_app, has_app_context, has_request_context, url_for
from markupsafe import Markup

MENTION_RE = r"(?<![\w@/])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,38}[A-Za-z0-9_]|[A-Za-z0-9_])"

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "div", "em", "h1",
        "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre",
        "s", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel", "class"],
    "abbr": ["title"],
    "code": ["class"],
    "div": ["class"],
    "img": ["src", "alt", "title", "width", "height", "loading"],
    "span": ["class"],
    "td": ["align"],
    "th": ["align"],
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_CLASS_OK = re.compile(r"^(language-[\w+-]+|mention|codehilite)$")


@cache
def _mention_extension() -> type:
    """Markdown's extension for @mentions (a class, defined once markdown is imported)."""
    import markdown
    from markdown.inlinepatterns import InlineProcessor

    class MentionPattern(InlineProcessor):
        def handleMatch(self, m, data):  # noqa: N802 - markdown's API
            name = m.group(1)
            element = ElementTree.Element("a")
            element.set("class", "mention")
            element.set("href", _profile_url(name))
            element.text = "@" + name
            return element, m.start(0), m.end(0)

    class MentionExtension(markdown.Extension):
        def extendMarkdown(self, md):  # noqa: N802 - markdown's API
            md.inlinePatterns.register(MentionPattern(MENTION_RE, md), "mention", 175)

    return MentionExtension


def _profile_url(name: str) -> str:
    """A site-relative link to the profile, inside a request or not (jobs, the CLI): stored
    HTML must not carry the host it happened to be cooked under."""
    if not has_app_context():
        return f"/u/{name}"
    if has_request_context():
        return url_for("accounts.profile", username=name)
    return current_app.url_map.bind("localhost").build("accounts.profile", {"username": name})


def _filter_attributes(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name == "class":
        return all(_CLASS_OK.match(part) for part in value.split())
    return True


def _set_rel(trusted: bool):
    def callback(attrs, new=False):
        href = attrs.get((None, "href"), "")
        if href.startswith(("http://", "https://")):
            attrs[(None, "rel")] = "noopener" if trusted else "nofollow ugc noopener"
        return attrs

    return callback


def _markdown():
    import markdown

    return markdown.Markdown(
        extensions=["fenced_code", "tables", "sane_lists", _mention_extension()()],
        output_format="html",
    )


def render(text: str, *, trusted: bool = False) -> Markup:
    """Cook user text into safe HTML.

    Markdown (fenced code, tables, @mentions), then bleach's allowlist, then autolinks.
    External links get ``rel="nofollow ugc"`` unless ``trusted`` (authors at TL3 and above).
    """
    import bleach
    from bleach.linkifier import Linker

    html = _markdown().convert(text or "")
    clean = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=_filter_attributes,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    linker = Linker(callbacks=[_set_rel(trusted)], skip_tags={"pre", "code"}, parse_email=False)
    return Markup(linker.linkify(clean))


_MENTION_SEARCH = re.compile(MENTION_RE)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)


def mentions(text: str) -> list[str]:
    """Usernames mentioned in ``text`` (outside code), in order, without repeats."""
    seen: dict[str, None] = {}
    for name in _MENTION_SEARCH.findall(_CODE.sub("", text or "")):
        seen.setdefault(name.lower(), None)
    return list(seen)


@dataclass(frozen=True)
class Counts:
    links: int
    images: int
    mentions: int


_LINK = re.compile(r"<a\s[^>]*href=\"(?!/u/)", re.I)
_IMG = re.compile(r"<img\s", re.I)
_MENTION_HTML = re.compile(r'<a class="mention"', re.I)


def counts(html: str) -> Counts:
    """Links, images and mentions in cooked HTML (for new users' limits)."""
    return Counts(
        links=len(_LINK.findall(html)),
        images=len(_IMG.findall(html)),
        mentions=len(_MENTION_HTML.findall(html)),
    )


def plain_text(html: str) -> str:
    """Cooked HTML back to plain text (not HTML: characters, not entities), for excerpts and
    search. Templates escape it like any text."""
    import bleach

    text = bleach.clean(html or "", tags=set(), strip=True)
    return re.sub(r"\s+", " ", unescape(text)).strip()


def slugify(text: str, fallback: str = "topic") -> str:
    """A URL slug: ASCII letters and digits joined by dashes (at most 80 characters)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    return slug or fallback
