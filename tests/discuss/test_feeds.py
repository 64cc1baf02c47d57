"""RSS and Atom feeds: what anonymous readers may see, well-formed and escaped XML, dates,
links, caching headers, 404s and a fixed query cost."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

import pytest
from flask import url_for

from plugins.discuss.models import Access, Post, Topic
from space.accounts import groups
from space.db import db, utcnow
from space.trust import TrustLevel
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


def rss(client, path, status=200, **kwargs):
    response = client.get(f"/discuss/feed/{path}.rss", **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if status != 200:
        return response
    assert response.mimetype == "application/rss+xml"
    assert response.mimetype_params["charset"] == "utf-8"
    return ET.fromstring(response.data)


def atom(client, path, status=200):
    response = client.get(f"/discuss/feed/{path}.atom")
    assert response.status_code == status
    if status != 200:
        return response
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)


def rss_titles(root) -> list[str]:
    return [item.findtext("title") for item in root.iter("item")]


def atom_titles(root) -> list[str]:
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


@pytest.fixture
def leila(app):
    return factories.user("leila", trust_level=TrustLevel.REGULAR, locale="en")


@pytest.fixture
def private(app, make):
    crew = factories.group("crew")
    member = factories.user("crewmate", trust_level=TrustLevel.MEMBER, locale="en")
    groups.add_member(crew, member)
    db.session.commit()
    return make.category("Backstage", groups={crew: Access.CREATE}), member


def test_feed_urls(app):
    with app.test_request_context():
        assert url_for("discuss.feed", kind="latest", fmt="rss") == "/discuss/feed/latest.rss"
        assert (
            url_for("discuss.feed", kind="category", key="general", fmt="atom")
            == "/discuss/feed/category/general.atom"
        )
        assert url_for("discuss.feed", kind="tag", key="meetup", fmt="rss") == (
            "/discuss/feed/tag/meetup.rss"
        )
        assert url_for("discuss.feed", kind="topic", key=12, fmt="rss") == (
            "/discuss/feed/topic/12.rss"
        )


def test_latest_rss_lists_public_topics_newest_first(client, make, leila, private):
    backstage, member = private
    general = make.category("General")
    older = make.topic(
        leila,
        general,
        title="Welcome to the volunteer forum",
        raw="Say **hello** & introduce yourself <3",
        tags=["welcome"],
    )
    newer = make.topic(leila, general, title="Second public topic here")
    make.topic(member, backstage, title="Secret budget discussion")
    hidden = make.topic(leila, general, title="An unlisted topic, by link only")
    db.session.get(Topic, hidden.id).listed = False
    db.session.commit()
    root = rss(client, "latest")
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("link") == "http://localhost/discuss/"
    assert channel.find(f"{ATOM}link").get("href") == "http://localhost/discuss/feed/latest.rss"
    assert rss_titles(root) == [newer.title, older.title]
    item = root.findall("channel/item")[1]
    first = db.session.scalar(db.select(Post).where(Post.topic_id == older.id))
    assert item.findtext("link") == f"http://localhost/discuss/t/{older.slug}/{older.id}"
    assert item.findtext("guid") == f"http://localhost/discuss/p/{first.id}"
    assert item.find("guid").get("isPermaLink") == "true"
    assert item.findtext(f"{DC}creator") == "leila"
    assert parsedate_to_datetime(item.findtext("pubDate")) == older.created_at.replace(
        microsecond=0
    )
    assert [c.text for c in item.findall("category")] == ["General", "welcome"]
    html = item.findtext("description")
    assert "<strong>hello</strong>" in html and "&amp;" in html, "cooked HTML, as text"


def test_latest_atom(client, make, leila):
    topic = make.topic(
        leila,
        make.category("General"),
        title="An Atom-friendly topic",
        raw="Atom content with <em>markup</em> & more.",
    )
    root = atom(client, "latest")
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == "http://localhost/discuss/feed/latest.atom"
    assert root.findtext(f"{ATOM}updated").endswith("Z")
    assert atom_titles(root) == [topic.title]
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href").startswith("http://localhost/discuss/t/")
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "leila"
    assert entry.findtext(f"{ATOM}author/{ATOM}uri") == "http://localhost/u/leila"
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html" and "&amp;" in content.text


def test_text_is_escaped_and_forbidden_characters_dropped(client, make, leila):
    make.topic(
        leila,
        make.category("General"),
        title="Tom & Jerry <script>alert(1)</script>",
        raw="A body with ]]> and a vertical\x0btab, long enough.",
    )
    for fmt in ("rss", "atom"):
        response = client.get(f"/discuss/feed/latest.{fmt}")
        assert b"<script>" not in response.data and b"\x0b" not in response.data
        root = ET.fromstring(response.data)  # well-formed
        titles = rss_titles(root) if fmt == "rss" else atom_titles(root)
        assert titles == ["Tom & Jerry <script>alert(1)</script>"]


def test_category_feed_includes_public_subcategories(client, make, leila, private):
    backstage, member = private
    events = make.category("Events")
    local = make.category("Local meetups", parent=events)
    secret = make.category(
        "Secret meetups", parent=events, groups={groups.by_name("crew"): Access.CREATE}
    )
    make.topic(leila, events, title="Events calendar for the spring")
    make.topic(leila, local, title="Meetup in Lagos next Friday")
    make.topic(member, secret, title="Hidden meetup plans here")
    make.topic(leila, make.category("Other"), title="Not in the events category")
    root = rss(client, f"category/{events.slug}")
    assert sorted(rss_titles(root)) == [
        "Events calendar for the spring",
        "Meetup in Lagos next Friday",
    ]
    assert root.findtext("channel/title").endswith("Events")
    assert atom_titles(atom(client, f"category/{local.slug}")) == ["Meetup in Lagos next Friday"]
    # Private categories have no feed, whoever asks (feeds are for anonymous readers).
    for slug in (backstage.slug, secret.slug, "no-such-category"):
        rss(client, f"category/{slug}", status=404)
        atom(client, f"category/{slug}", status=404)


def test_private_feeds_are_404_even_for_members_and_admins(client, login, post, make, private):
    backstage, member = private
    topic = make.topic(member, backstage, title="Members-only planning topic")
    for who in (member, factories.admin(locale="en")):
        post("/logout")
        login(who)
        rss(client, f"category/{backstage.slug}", status=404)
        rss(client, f"topic/{topic.id}", status=404)
        assert "Members-only" not in client.get("/discuss/feed/latest.rss").get_data(as_text=True)


def test_tag_feed(client, make, leila, private):
    backstage, member = private
    tagged = make.topic(
        leila, make.category("General"), title="Tagged translation sprint", tags=["sprint"]
    )
    make.topic(leila, backstage, title="Private tagged sprint topic", tags=["sprint"])
    make.topic(leila, make.category("General"), title="Untagged topic in general")
    assert rss_titles(rss(client, "tag/sprint")) == [tagged.title]
    assert atom_titles(atom(client, "tag/SPRINT")) == [tagged.title]
    rss(client, "tag/no-such-tag", status=404)


def test_topic_feed_lists_visible_posts_newest_first(client, make, leila, private):
    topic = make.topic(leila, make.category("General"), title="Organizing the book drive")
    one = make.reply(topic, raw="I can bring boxes for the book drive.")
    two = make.reply(topic, raw="This one gets hidden by moderators.", reply_to=1)
    three = make.reply(topic, raw="And this one is deleted by its author.")
    four = make.reply(topic, raw="Last reply: see you on Saturday!")
    db.session.get(Post, two.id).hidden_at = utcnow()
    db.session.get(Post, three.id).deleted_at = utcnow()
    db.session.commit()
    root = rss(client, f"topic/{topic.id}")
    links = [item.findtext("link") for item in root.iter("item")]
    first = db.session.scalar(
        db.select(Post).where(Post.topic_id == topic.id, Post.post_number == 1)
    )
    assert links == [f"http://localhost/discuss/p/{p.id}" for p in (four, one, first)]
    assert rss_titles(root)[-1] == topic.title
    assert "book drive" in rss_titles(root)[0]
    entries = list(atom(client, f"topic/{topic.id}").iter(f"{ATOM}entry"))
    assert len(entries) == 3
    backstage, member = private
    secret = make.topic(member, backstage, title="Private topic with a feed?")
    unlisted = make.topic(leila, title="Unlisted topic with a feed?")
    db.session.get(Topic, unlisted.id).listed = False
    db.session.commit()
    for key in (secret.id, unlisted.id, 999999, "abc", "0", "99999999999999"):
        rss(client, f"topic/{key}", status=404)


def test_bad_kind_or_format_is_404(client, make):
    for path in (
        "latest.json",
        "latest",
        "user/ada.rss",
        "category/general.xml",
        "latest/x.rss",
        "topic.rss",
        "tag/.rss",
    ):
        assert client.get(f"/discuss/feed/{path}").status_code == 404, path


def test_caching_headers_and_conditional_requests(client, make, leila):
    make.topic(leila, make.category("General"), title="A topic for the cache test")
    response = client.get("/discuss/feed/latest.rss")
    assert response.cache_control.public and response.cache_control.max_age == 300
    assert response.last_modified is not None
    again = client.get(
        "/discuss/feed/latest.rss",
        headers={"If-Modified-Since": response.headers["Last-Modified"]},
    )
    assert again.status_code == 304


def test_feeds_cost_a_fixed_number_of_queries(client, make, count_queries):
    def cost():
        with count_queries() as counter:
            for path in (
                "latest.rss",
                "latest.atom",
                f"category/{category.slug}.rss",
                "tag/busy.rss",
                f"topic/{topic.id}.rss",
            ):
                assert client.get(f"/discuss/feed/{path}").status_code == 200
        return counter.count

    leila = factories.user("leila", trust_level=TrustLevel.REGULAR)
    category = make.category("Busy")
    topic = make.topic(leila, category, tags=["busy"])
    make.reply(topic)
    small = cost()
    for _ in range(5):
        more = make.topic(factories.user(), category, tags=["busy"])
        make.reply(more)
        make.reply(topic)
    assert cost() == small


def test_pages_advertise_their_feeds(client, login, make, leila, private):
    general = make.category("General")
    topic = make.topic(leila, general, title="A topic with its own feed", tags=["news"])
    html = client.get("/discuss/").get_data(as_text=True)
    assert 'href="/discuss/feed/latest.rss"' in html and 'href="/discuss/feed/latest.atom"' in html
    html = client.get(f"/discuss/c/{general.slug}").get_data(as_text=True)
    assert f'href="/discuss/feed/category/{general.slug}.rss"' in html
    html = client.get(f"/discuss/t/{topic.slug}/{topic.id}").get_data(as_text=True)
    assert f'href="/discuss/feed/topic/{topic.id}.atom"' in html
    html = client.get("/discuss/tag/news").get_data(as_text=True)
    assert 'href="/discuss/feed/tag/news.rss"' in html
    backstage, member = private
    login(member)
    html = client.get(f"/discuss/c/{backstage.slug}").get_data(as_text=True)
    assert "/discuss/feed/category/" not in html, "no feed advertised for a private category"
    assert 'href="/discuss/feed/latest.rss"' in html


def test_the_visible_feed_link_macro_follows_the_page(app, make, private):
    from flask import render_template_string

    backstage, _member = private
    general = make.category("General")
    source = '{% from "discuss/_feeds.html" import feed_link with context %}{{ feed_link() }}'
    with app.test_request_context():
        assert 'href="/discuss/feed/latest.rss"' in render_template_string(source)
        html = render_template_string(source, category=general)
        assert f'href="/discuss/feed/category/{general.slug}.rss"' in html and ">RSS<" in html
        html = render_template_string(source, category=backstage)
        assert 'href="/discuss/feed/latest.rss"' in html, "no feed for a private category"
