"""A story's journey through the blog's editorial flow, in a real browser: a member pitches,
an editor accepts, the writer drafts and submits, the editor requests changes, the writer
revises and submits again, the editor approves and publishes, and the story's discussion
topic exists (the story page links to it)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from space.db import db
from space.trust import TrustLevel
from tests import factories

pytestmark = pytest.mark.e2e

TITLE = "Volunteers map every tree in the old town"
EXCERPT = (
    "Forty volunteers spent a weekend mapping the old town's trees, and the data is now open "
    "for everyone to use."
)
BODY = "It started with a question at the monthly meetup.\n\nThen **forty people** came."
REVISED = BODY + "\n\nThe city's parks department has since asked for the data."


@pytest.fixture
def live_app_config():
    return {"SPACE_PLUGINS": ["discuss", "blog"]}


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def move(page, name: str, button: str, note: str | None = None) -> None:
    """Press a move's button on the story's editorial page (with its note)."""
    form = page.locator(f"#move-{name}")
    if note is not None:
        form.locator("textarea[name=note]").fill(note)
    form.get_by_role("button", name=button).click()


def expect_status(page, label: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#story .editorial-row-meta").first).to_contain_text(label)


def edit_and_close(page, **fields) -> None:
    from playwright.sync_api import expect

    page.get_by_role("link", name="Edit the story").click()
    expect(page.get_by_role("heading", name="Edit the story")).to_be_visible()
    for label, text in fields.items():
        if label == "Category":
            page.get_by_label("Category", exact=True).select_option(label=text)
        else:
            page.get_by_label(label, exact=True).fill(text)
    page.get_by_role("button", name="Save and close").click()
    expect(page).to_have_url(re.compile(r"/blog/stories/\d+$"))


def test_a_pitch_becomes_a_published_story_with_its_discussion(
    _browser, browser_page, live_server, live_app, page_problems
):
    from playwright.sync_api import expect

    from plugins.blog.models import BlogCategory, Status, Story
    from plugins.discuss.models import Topic

    with live_app.app_context():
        factories.user("mira", trust_level=TrustLevel.BASIC)
        factories.user("edna", trust_level=TrustLevel.MEMBER, roles=("editor",))
        db.session.add(BlogCategory(slug="community", name="Community"))
        db.session.commit()
        db.session.remove()

    # A member pitches.
    writer = browser_page
    log_in(writer, live_server, "mira")
    writer.goto(live_server + "/blog/pitch")
    writer.get_by_label("What happened?").fill("Volunteers mapped all the trees of the old town.")
    writer.get_by_label("Why does it matter to the movement?").fill(
        "It shows how open data starts with a few people and a weekend."
    )
    writer.get_by_label("Who is involved?").fill("The local chapter and the parks department.")
    writer.get_by_label("Proposed length (words)").fill("800")
    writer.get_by_role("button", name="Send the pitch").click()
    expect(writer).to_have_url(re.compile(r"/blog/stories/\d+$"))
    expect(writer.get_by_text("your pitch is with the editors")).to_be_visible()
    story_url = writer.url
    story_id = int(story_url.rsplit("/", 1)[1])

    # An editor finds it in the queue and accepts it, the pitcher writing it.
    context = _browser.new_context(locale="en-US", timezone_id="UTC")
    editor = context.new_page()
    log_in(editor, live_server, "edna")
    editor.goto(live_server + "/blog/editorial")
    editor.locator(f"#story-{story_id}").get_by_role("link").first.click()
    expect(editor).to_have_url(story_url)
    expect(editor.locator("#move-accept input[name=writer]")).to_have_value("mira")
    move(editor, "accept", "Accept the pitch")
    expect_status(editor, "Draft")

    # The writer drafts and submits.
    writer.goto(story_url)
    expect_status(writer, "Draft")
    edit_and_close(writer, Title=TITLE, Excerpt=EXCERPT, Story=BODY, Category="Community")
    expect(writer.locator("#story-text")).to_contain_text("forty people")
    move(writer, "submit", "Submit for review")
    expect_status(writer, "In review")

    # The editor asks for changes.
    editor.goto(story_url)
    expect(editor.locator("#story-text")).to_contain_text("forty people")
    move(editor, "request_changes", "Request changes", note="Say what happened next, please.")
    expect_status(editor, "Changes requested")

    # The writer reads the note, revises and submits again.
    writer.goto(story_url)
    expect(writer.locator("#story-history")).to_contain_text("Say what happened next, please.")
    edit_and_close(writer, Story=REVISED)
    expect(writer.locator("#story-text")).to_contain_text("parks department has since asked")
    move(writer, "submit", "Submit for review")
    expect_status(writer, "In review")

    # The editor approves and publishes.
    editor.goto(story_url)
    move(editor, "approve", "Approve")
    expect_status(editor, "Approved")
    move(editor, "publish", "Publish now")
    expect_status(editor, "Published")
    context.close()

    # The story is public, with its discussion.
    with live_app.app_context():
        story = db.session.get(Story, story_id)
        assert story.status == Status.PUBLISHED and story.title == TITLE
        topics = db.session.scalars(
            select(Topic).where(Topic.subject == f"blog.story:{story_id}")
        ).all()
        assert len(topics) == 1 and story.topic_id == topics[0].id
        slug, topic_title = story.slug, topics[0].title
        db.session.remove()
    assert topic_title == TITLE

    reader = _browser.new_context(locale="en-US", timezone_id="UTC").new_page()
    reader.goto(f"{live_server}/blog/{slug}")
    expect(reader.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(reader.get_by_text("parks department has since asked")).to_be_visible()
    reader.get_by_role("link", name="Start the discussion").click()
    expect(reader).to_have_url(re.compile(r"/discuss/t/"))
    expect(reader.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(reader.get_by_text("Forty volunteers spent a weekend")).to_be_visible()
    reader.context.close()
    page_problems.assert_none()
