"""RSS and Atom feeds of published stories: the blog, a category, a tag, an author and a
language. Every feed is parsed with ``feedparser`` when it is installed (the dev extras),
else checked as RSS 2.0 / Atom XML; unpublished stories never appear, whoever asks."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import insert, select

from plugins.blog.models import Status, Story, StoryAuthor
from space.db import db, utcnow
from space.trust import TrustLevel

try:  # the feed parser of the dev extras; XML checks stand in when it is missing
    import feedparser
except ImportError:  # pragma: no cover - depends on the environment
    feedparser = None

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


def parse(response, fmt: str) -> dict:
    """The feed as {"title", "link", "entries": [{"title", "link", "id", "author",
    "categories", "content"}]}, read by feedparser (which must find it well formed) or,
    without it, from the XML of RSS 2.0 / Atom."""
    assert response.status_code == 200, response.status_code
    expected = "application/rss+xml" if fmt == "rss" else "application/atom+xml"
    assert response.content_type == f"{expected}; charset=utf-8"
    body = response.get_data()
    if feedparser is not None:
        parsed = feedparser.parse(body)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == ("rss20" if fmt == "rss" else "atom10")
        return {
            "title": parsed.feed.title,
            "link": parsed.feed.link,
            "entries": [
                {"title": e.title, "link": e.link, "id": e.id, "author": e.get("author", ""),
                 "categories": [t.term for t in e.get("tags", [])],
                 "content": e.content[0].value if "content" in e else e.summary}
                for e in parsed.entries
            ],
        }  # fmt: skip
    root = ET.fromstring(body)
    if fmt == "rss":
        assert root.tag == "rss" and root.get("version") == "2.0"
        channel = root.find("channel")
        for required in ("title", "link", "description"):
            assert channel.find(required) is not None, required
        entries = []
        for item in channel.findall("item"):
            for required in ("title", "link", "guid", "pubDate", "description"):
                assert item.find(required) is not None, required
            entries.append({
                "title": item.findtext("title"), "link": item.findtext("link"),
                "id": item.findtext("guid"), "author": item.findtext(f"{DC}creator"),
                "categories": [c.text for c in item.findall("category")],
                "content": item.findtext("description"),
            })  # fmt: skip
        return {"title": channel.findtext("title"), "link": channel.findtext("link"),
                "entries": entries}  # fmt: skip
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    entries = []
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated", "author", "content"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        entries.append({
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link[@rel='alternate']").get("href"),
            "id": entry.findtext(f"{ATOM}id"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "categories": [c.get("term") for c in entry.findall(f"{ATOM}category")],
            "content": entry.findtext(f"{ATOM}content"),
        })  # fmt: skip
    alternate = root.find(f"{ATOM}link[@rel='alternate']").get("href")
    return {"title": root.findtext(f"{ATOM}title"), "link": alternate, "entries": entries}


def titles(feed) -> list[str]:
    return [entry["title"] for entry in feed["entries"]]


def _hidden_stories(make, writer, **text):
    """A story in each status but published, titled "Hidden …"."""
    made = []
    for status in (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.SCHEDULED,
                   Status.REJECTED, Status.UNPUBLISHED, Status.CHANGES_REQUESTED):  # fmt: skip
        made.append(make.story(writer, status, title=f"Hidden {status.value} story", **text))
    return made


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_blog_feed_items_carry_what_a_reader_needs(make, client, fmt):
    ana, bo = make.writer(username="ana"), make.writer(username="bo")
    ana.display_name = "Ana Lima"
    category, tag = make.category("Local news"), make.tag("gardens")
    story = make.published(ana, writers=[bo], category=category, tags=[tag],
                           title="Tomatoes & friends", body="We grew **tomatoes**.")  # fmt: skip
    feed = parse(client.get(f"/blog/feed.{fmt}"), fmt)
    assert feed["title"] == "Space: blog"
    assert feed["link"] == "http://localhost/blog/"
    [entry] = feed["entries"]
    assert entry["title"] == "Tomatoes & friends"
    assert entry["link"] == f"http://localhost/blog/{story.slug}"
    assert entry["id"] == f"http://localhost/blog/s/{story.id}"
    assert entry["author"] == "Ana Lima, bo"
    assert entry["categories"] == ["Local news", "gardens"]
    assert "<strong>tomatoes</strong>" in entry["content"]
    assert story.excerpt in entry["content"]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feeds_hold_published_stories_only_whoever_asks(make, client, login, fmt):
    writer = make.writer()
    category, tag = make.category(), make.tag("shared")
    make.published(writer, category=category, tags=[tag], language="fr", title="Visible story")
    _hidden_stories(make, writer, category=category, tags=[tag], language="fr")
    editor = make.editor()
    paths = ["/blog/feed", f"/blog/feed/category/{category.slug}", "/blog/feed/tag/shared",
             f"/blog/feed/author/{writer.username}", "/blog/feed/language/fr"]  # fmt: skip
    for viewer in (None, editor):
        if viewer is not None:
            login(viewer)
        for path in paths:
            assert titles(parse(client.get(f"{path}.{fmt}"), fmt)) == ["Visible story"], path


def test_category_tag_author_and_language_feeds_filter(make, client):
    ana, bo = make.writer(username="ana"), make.writer(username="bo")
    news, other = make.category("News"), make.category("Other")
    tag = make.tag("bikes")
    make.published(ana, category=news, tags=[tag], language="fr", title="Ana in French")
    make.published(bo, category=other, language="en", title="Bo in English")
    make.published(bo, writers=[ana], category=other, title="Bo with Ana")
    cases = {
        f"/blog/feed/category/{news.slug}.rss": ["Ana in French"],
        "/blog/feed/tag/bikes.rss": ["Ana in French"],
        "/blog/feed/author/bo.rss": ["Bo with Ana", "Bo in English"],
        "/blog/feed/author/ana.atom": ["Bo with Ana", "Ana in French"],
        "/blog/feed/language/fr.atom": ["Ana in French"],
        "/blog/feed/language/en.rss": ["Bo with Ana", "Bo in English"],
    }
    for path, expected in cases.items():
        fmt = path.rsplit(".", 1)[1]
        assert titles(parse(client.get(path), fmt)) == expected, path
    feed = parse(client.get(f"/blog/feed/category/{news.slug}.rss"), "rss")
    assert feed["title"] == "Space: News"
    assert feed["link"] == f"http://localhost/blog/category/{news.slug}"


def test_language_feed_declares_its_language(make, client):
    make.published(language="fr", title="Une histoire")
    rss = ET.fromstring(client.get("/blog/feed/language/fr.rss").get_data())
    assert rss.findtext("channel/language") == "fr"
    atom = ET.fromstring(client.get("/blog/feed/language/fr.atom").get_data())
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"


def test_empty_feeds_are_valid(make, client):
    category = make.category()
    for path in ("/blog/feed", f"/blog/feed/category/{category.slug}"):
        for fmt in ("rss", "atom"):
            assert parse(client.get(f"{path}.{fmt}"), fmt)["entries"] == []


@pytest.mark.parametrize("path", [
    "/blog/feed/category/no-such-category.rss", "/blog/feed/tag/no-such-tag.atom",
    "/blog/feed/author/nobody-at-all.rss", "/blog/feed/language/xx.rss",
    "/blog/feed/language/..%2F.rss", "/blog/feed/planet/earth.rss", "/blog/feed.json",
    "/blog/feed/category/x.json",
])  # fmt: skip
def test_a_feed_of_nothing_is_404(client, path):
    assert client.get(path).status_code == 404


def _bulk_published(count, writer, category=None, **values):
    """``count`` published stories inserted at once (feeds read what the table holds)."""
    now = utcnow()
    rows = [
        {"status": Status.PUBLISHED, "title": f"Bulk story {n}", "slug": f"bulk-story-{n}",
         "excerpt": f"Excerpt {n}.", "body": f"Body {n}.", "cooked": f"<p>Body {n}.</p>",
         "writer_id": writer.id, "category_id": category.id if category else None,
         "published_at": now - timedelta(hours=n), "created_at": now, "updated_at": now,
         "revision_number": 1, "substantive_revision_number": 1,
         "published_revision_number": 1, **values}
        for n in range(count)
    ]  # fmt: skip
    db.session.execute(insert(Story), rows)
    ids = db.session.scalars(select(Story.id).where(Story.title.like("Bulk story %"))).all()
    db.session.execute(insert(StoryAuthor), [
        {"story_id": story_id, "user_id": writer.id, "position": 0} for story_id in ids
    ])  # fmt: skip
    db.session.commit()


def test_a_feed_holds_the_20_latest_stories(make, client):
    _bulk_published(23, make.writer())
    feed = parse(client.get("/blog/feed.atom"), "atom")
    assert titles(feed) == [f"Bulk story {n}" for n in range(20)]


@pytest.mark.parametrize("kind", ["site", "category"])
def test_a_feed_costs_the_same_for_2_or_25_stories(make, client, count_queries, kind):
    costs = []
    for count in (2, 25):
        db.session.execute(Story.__table__.delete())
        writer = make.writer()
        category = make.category()
        _bulk_published(count, writer, category)
        path = "/blog/feed.rss" if kind == "site" else f"/blog/feed/category/{category.slug}.rss"
        client.get(path)
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        costs.append(counter.count)
    assert costs[0] == costs[1], costs


def test_feed_answers_conditional_requests(make, client):
    make.published()
    first = client.get("/blog/feed.rss")
    again = client.get("/blog/feed.rss",
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})  # fmt: skip
    assert again.status_code == 304


def test_feed_of_a_new_member_with_no_stories(make, client):
    member = make.user(trust_level=TrustLevel.NEW, username="newcomer")
    feed = parse(client.get(f"/blog/feed/author/{member.username}.rss"), "rss")
    assert feed["entries"] == []
