"""What readers see: the blog's front page, a story's page, archives, old addresses, the
sitemap. Unpublished stories never appear anywhere a reader looks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from plugins.blog import settings
from plugins.blog.models import Status, Story
from plugins.blog.services import reading, slugs
from space.db import db, utcnow
from space.trust import TrustLevel

from .conftest import reload

# Pages that other helpers' views provide; a stand-in only while they are missing, so that
# the links a reading page shows can be built.
_PENDING = {"blog.edit": "/_pending/stories/<int:story_id>/edit",
            "blog.new_story": "/_pending/stories/new",
            "blog.pitch": "/_pending/pitch"}  # fmt: skip


@pytest.fixture(autouse=True)
def _pending_pages(app):
    for endpoint, rule in _PENDING.items():
        if endpoint not in app.view_functions:
            app.add_url_rule(rule, endpoint, lambda **kw: "")


@pytest.fixture
def as_(login, post):
    """``as_(user)`` signs the client out, then in as ``user`` (None: stays signed out)."""

    def do(user):
        post("/logout")
        if user is not None:
            login(user)

    return do


def text(response) -> str:
    return response.get_data(as_text=True)


def _age(story, days):
    """Pretend ``story`` was published ``days`` ago (lists sort by publication)."""
    when = utcnow() - timedelta(days=days)
    db.session.execute(update(Story).where(Story.id == story.id).values(published_at=when))
    db.session.commit()


def _in_every_status(make, writer):
    """A story in each status but published, each with a recognisable title."""
    stories = {}
    for status in Status:
        if status == Status.PUBLISHED:
            continue
        title = f"Hidden story in status {status.value}"
        if status in {Status.PITCH, Status.DECLINED}:
            story = make.story(writer, status)
            story.title = title
            db.session.commit()
        else:
            story = make.story(writer, status, title=title)
        stories[status] = story
    return stories


# --- the front page -----------------------------------------------------------------------------


def test_index_lists_published_stories_newest_first(make, client):
    older = make.published(title="The older story about gardens")
    newer = make.published(title="The newer story about bicycles")
    _age(older, 3)
    page = text(client.get("/blog/"))
    assert "The older story about gardens" in page and "The newer story about bicycles" in page
    assert page.index("about bicycles") < page.index("about gardens")
    assert f'href="/blog/{newer.slug}"' in page


def test_index_never_lists_unpublished_stories(make, client, as_):
    writer = make.writer()
    _in_every_status(make, writer)
    make.published(title="The one published story")
    for viewer in (None, writer, make.editor()):
        as_(viewer)
        page = text(client.get("/blog/"))
        assert "The one published story" in page
        assert "Hidden story" not in page


def test_empty_blog_says_so(client):
    response = client.get("/blog/")
    assert response.status_code == 200
    assert "No stories yet." in text(response)


def test_index_links_to_its_feeds(client):
    page = text(client.get("/blog/"))
    assert '<link rel="alternate" type="application/rss+xml"' in page
    assert 'href="/blog/feed.rss"' in page and 'href="/blog/feed.atom"' in page


def test_index_is_paginated(make, client):
    settings.put("stories_per_page", 2)
    db.session.commit()
    stories = [make.published(title=f"Paged story number {n}") for n in range(3)]
    for age, story in enumerate(reversed(stories)):
        _age(story, age + 1)
    first, second = text(client.get("/blog/")), text(client.get("/blog/?page=2"))
    assert "Paged story number 2" in first and "Paged story number 1" in first
    assert "Paged story number 0" not in first and 'rel="next" href="/blog/?page=2"' in first
    assert "Paged story number 0" in second and "Paged story number 2" not in second
    assert client.get("/blog/?page=3").status_code == 404
    assert client.get("/blog/?page=abc").status_code == 400
    assert client.get("/blog/?page=0").status_code == 400


def test_index_service_loads_writers_category_and_tags(make, count_queries):
    tag = make.tag("climate")
    make.published(tags=[tag], writers=[make.writer(username="second_writer")])
    db.session.expire_all()
    with count_queries() as counter:
        found = reading.index()
        story = found.items[0]
        names = [author.user.username for author in story.authors]
        assert story.category.name and [t.name for t in story.tags] == ["climate"]
    assert "second_writer" in names
    # settings, count, stories (category and lead writer joined), writers, tags
    assert counter.count <= 5, counter.statements


# --- a story ------------------------------------------------------------------------------------


def test_story_page_shows_everything_a_reader_needs(make, client):
    first, second = make.writer(username="ana"), make.writer(username="bo")
    second.display_name = "Bo Diddley"
    tag, category = make.tag("bicycles"), make.category("Mobility")
    story = make.published(
        first, title="Riding together through the city", writers=[second], tags=[tag],
        category=category,
        image=("/uploads/ride.jpg", "Ten people riding bicycles", "Photo by Chen"),
        body="We rode **together**.\n\nIt was fun.",
    )  # fmt: skip
    response = client.get(f"/blog/{story.slug}")
    assert response.status_code == 200
    page = text(response)
    assert "<title>Riding together through the city" in page
    assert 'href="/blog/author/ana"' in page and 'href="/blog/author/bo">Bo Diddley</a>' in page
    assert f'href="/blog/category/{category.slug}">Mobility</a>' in page
    assert 'href="/blog/tag/bicycles"' in page
    assert 'src="/uploads/ride.jpg" alt="Ten people riding bicycles"' in page
    assert "Image: Photo by Chen" in page
    assert re.search(r'<div class="cooked blog-body" dir="auto" lang="en">\s*<p>We rode '
                     r"<strong>together</strong>", page)  # fmt: skip
    assert f'datetime="{story.published_at.isoformat()}"' in page


def test_story_date_is_in_the_readers_locale(make, client):
    story = make.published()
    db.session.execute(
        update(Story).where(Story.id == story.id).values(published_at=utcnow().replace(
            year=2024, month=3, day=14, hour=12))
    )  # fmt: skip
    db.session.commit()
    english = text(client.get(f"/blog/{story.slug}"))
    french = text(client.get(f"/blog/{story.slug}?lang=fr"))
    assert "March 14, 2024" in english
    assert "14 mars 2024" in french


def test_story_in_another_language_is_marked_as_such(make, client):
    story = make.published(language="fr", title="Une histoire en français")
    page = text(client.get(f"/blog/{story.slug}"))
    assert 'dir="auto" lang="fr">Une histoire en français</h1>' in page
    assert 'class="cooked blog-body" dir="auto" lang="fr"' in page


def test_old_slug_redirects_permanently(make, client):
    story = make.published(title="The first title")
    old = story.slug
    slugs.change(story, "a-better-address")
    db.session.commit()
    response = client.get(f"/blog/{old}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/blog/a-better-address")
    assert client.get("/blog/a-better-address").status_code == 200


def test_old_slug_of_an_unpublished_story_tells_nothing(make, client):
    story = make.published(title="The first title")
    old = story.slug
    slugs.change(story, "the-new-address")
    db.session.commit()
    make.move(make.the_editor(), story, "unpublish", note="Taken down.")
    assert client.get(f"/blog/{old}").status_code == 404


def test_unknown_slug_is_404(client):
    assert client.get("/blog/no-such-story").status_code == 404


def test_unpublished_story_has_no_public_page(make, client, as_):
    writer = make.writer()
    story = make.story(writer, Status.UNPUBLISHED, title="Taken down for a reason")
    assert story.slug
    assert client.get(f"/blog/{story.slug}").status_code == 404
    as_(make.writer())
    assert client.get(f"/blog/{story.slug}").status_code == 404
    as_(writer)
    response = client.get(f"/blog/{story.slug}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/stories/{story.id}")


def test_story_by_id_sends_readers_to_the_page(make, client, login):
    writer = make.writer()
    published = make.published(writer)
    draft = make.story(writer)
    response = client.get(f"/blog/s/{published.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/blog/{published.slug}")
    assert client.get(f"/blog/s/{draft.id}").status_code == 404
    assert client.get("/blog/s/999999").status_code == 404
    login(writer)
    response = client.get(f"/blog/s/{draft.id}")
    assert response.headers["Location"].endswith(f"/blog/stories/{draft.id}")


def test_readers_see_no_editorial_links(make, client, as_):
    story = make.published()
    for viewer in (None, make.user(trust_level=TrustLevel.NEW)):
        as_(viewer)
        page = text(client.get(f"/blog/{story.slug}"))
        assert f"/blog/stories/{story.id}" not in page
        assert "Translate this story" not in page


def test_writers_and_editors_see_their_links(make, client, as_):
    writer = make.writer()
    story = make.published(writer)
    as_(writer)
    page = text(client.get(f"/blog/{story.slug}"))
    assert f'href="/blog/stories/{story.id}"' in page  # manage
    assert f'href="/blog/stories/{story.id}/translate"' in page
    assert "/edit" not in page  # a published story is edited by editors
    as_(make.editor())
    page = text(client.get(f"/blog/{story.slug}"))
    assert f'href="/blog/stories/{story.id}"' in page
    edit_link = f"/stories/{story.id}/edit"
    assert edit_link in page


def test_readers_may_flag_a_story_its_writers_may_not(make, client, as_):
    writer = make.writer()
    story = make.published(writer)
    flag = f'href="/blog/s/{story.id}/flag"'
    assert flag not in text(client.get(f"/blog/{story.slug}"))  # signed out
    as_(make.user(trust_level=TrustLevel.BASIC))
    assert flag in text(client.get(f"/blog/{story.slug}"))
    as_(writer)
    assert flag not in text(client.get(f"/blog/{story.slug}"))


def test_translate_link_needs_the_trust_level(make, client, as_):
    story = make.published()
    as_(make.user(trust_level=TrustLevel.NEW))
    assert "Translate this story" not in text(client.get(f"/blog/{story.slug}"))
    as_(make.user(trust_level=TrustLevel.BASIC))
    assert "Translate this story" in text(client.get(f"/blog/{story.slug}"))


# --- the discussion -----------------------------------------------------------------------------


def _reply(story, user, raw, likes=0):
    from plugins.discuss.models import Post, Topic
    from plugins.discuss.services import posting

    topic = db.session.get(Topic, story.topic_id)
    post = posting.create_post(user, topic, raw)
    db.session.flush()
    db.session.execute(update(Post).where(Post.id == post.id).values(like_count=likes))
    db.session.commit()
    return post


def test_story_without_replies_invites_to_start_the_discussion(make, client):
    story = make.published()
    assert story.topic_id is not None
    page = text(client.get(f"/blog/{story.slug}"))
    assert "Start the discussion" in page and "Continue the discussion" not in page
    assert "/discuss/t/" in page


def test_story_shows_best_replies_and_continue_link(make, client):
    settings.put("best_replies", 2)
    db.session.commit()
    story = make.published()
    people = [make.user(trust_level=TrustLevel.MEMBER) for _ in range(3)]
    _reply(story, people[0], "A modest reply with few likes at all.", likes=1)
    _reply(story, people[1], "The most liked reply of them all, truly.", likes=9)
    _reply(story, people[2], "A well liked reply, second place here.", likes=5)
    page = text(client.get(f"/blog/{story.slug}"))
    assert "Continue the discussion" in page and "Start the discussion" not in page
    assert "The most liked reply of them all" in page and "A well liked reply" in page
    assert "A modest reply" not in page
    assert page.index("The most liked reply") < page.index("A well liked reply")
    assert "3 replies" in page


def test_no_discussion_block_without_a_topic(make, client):
    story = make.published()
    db.session.execute(update(Story).where(Story.id == story.id).values(topic_id=None))
    db.session.commit()
    page = text(client.get(f"/blog/{story.slug}"))
    assert "Start the discussion" not in page and 'id="discussion-heading"' not in page


# --- archives -----------------------------------------------------------------------------------


def test_category_archive(make, client):
    category, other = make.category("Local news"), make.category("Elsewhere")
    make.published(category=category, title="A story in local news")
    make.published(category=other, title="A story from elsewhere")
    make.story(make.writer(), Status.APPROVED, category=category, title="Hidden approved one")
    response = client.get(f"/blog/category/{category.slug}")
    assert response.status_code == 200
    page = text(response)
    assert "<h1" in page and "Local news" in page
    assert "A story in local news" in page
    assert "A story from elsewhere" not in page and "Hidden approved one" not in page
    assert f'href="/blog/feed/category/{category.slug}.rss"' in page
    assert client.get("/blog/category/no-such-category").status_code == 404


def test_tag_archive(make, client):
    tag, other = make.tag("gardens"), make.tag("bikes")
    make.published(tags=[tag], title="Growing tomatoes together")
    make.published(tags=[other], title="Fixing bikes together")
    make.story(make.writer(), Status.IN_REVIEW, tags=[tag], title="Hidden tomato draft")
    page = text(client.get("/blog/tag/gardens"))
    assert "Stories tagged #gardens" in page
    assert "Growing tomatoes together" in page
    assert "Fixing bikes together" not in page and "Hidden tomato draft" not in page
    assert client.get("/blog/tag/GARDENS").status_code == 200
    assert client.get("/blog/tag/no-such-tag").status_code == 404


def test_author_archive_includes_co_written_stories(make, client):
    ana, bo = make.writer(username="ana"), make.writer(username="bo")
    make.published(ana, title="Ana's own story")
    make.published(bo, writers=[ana], title="Bo and Ana together")
    make.published(bo, title="Bo alone")
    make.story(ana, Status.DRAFT, title="Ana's hidden draft")
    page = text(client.get("/blog/author/ana"))
    assert "Ana&#39;s own story" in page and "Bo and Ana together" in page
    assert "Bo alone" not in page and "hidden draft" not in page
    assert "2 stories" in page
    assert client.get("/blog/author/nobody-here").status_code == 404


def test_language_archive(make, client):
    make.published(language="fr", title="Une histoire en français")
    make.published(language="en", title="A story in English")
    make.story(make.writer(), Status.SCHEDULED, language="fr", title="Une histoire prévue")
    page = text(client.get("/blog/language/fr"))
    assert "Stories in French" in page
    assert "Une histoire en français" in page
    assert "A story in English" not in page and "Une histoire prévue" not in page
    assert client.get("/blog/language/xx").status_code == 404
    assert client.get("/blog/language/fr;drop").status_code == 404


def test_empty_archive_says_so(make, client):
    category = make.category()
    response = client.get(f"/blog/category/{category.slug}")
    assert response.status_code == 200 and "No stories yet." in text(response)
    assert client.get(f"/blog/category/{category.slug}?page=2").status_code == 404


def test_archive_pages_are_paginated(make, client):
    settings.put("stories_per_page", 1)
    db.session.commit()
    tag = make.tag("paged")
    make.published(tags=[tag])
    make.published(tags=[tag])
    first = text(client.get("/blog/tag/paged"))
    assert 'href="/blog/tag/paged?page=2"' in first
    assert client.get("/blog/tag/paged?page=2").status_code == 200
    assert client.get("/blog/tag/paged?page=3").status_code == 404


# --- sitemap ------------------------------------------------------------------------------------


def test_sitemap_lists_published_stories_only(make, client):
    writer = make.writer()
    published = make.published(writer)
    hidden = _in_every_status(make, writer)
    body = text(client.get("/sitemap.xml"))
    assert f"http://localhost/blog/{published.slug}</loc>" in body
    for story in hidden.values():
        story = reload(story)
        if story.slug:
            assert f"/blog/{story.slug}<" not in body
    assert reading.sitemap_urls() == [(f"/blog/{published.slug}", published.published_at)]
