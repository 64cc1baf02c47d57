"""The newcomer's journey in Discuss, in a real browser: a new user accepts the code of
conduct, asks a question in the Q&A category, another member answers, the newcomer accepts
the answer, and the topic is solved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from space.db import db
from space.trust import TrustLevel
from tests import factories

pytestmark = pytest.mark.e2e

QUESTION = "How do I find an edit-a-thon near me?"


@pytest.fixture
def live_app_config():
    return {"SPACE_PLUGINS": ["discuss"]}


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_newcomer_asks_gets_an_answer_and_accepts_it(
    _browser, browser_page, live_server, live_app, page_problems
):
    from playwright.sync_api import expect

    from plugins.discuss.models import Topic
    from plugins.discuss.services import categories

    with live_app.app_context():
        categories.create_category(name="Ask the community", accepts_answers=True)
        factories.user("newcomer", trust_level=TrustLevel.NEW)
        factories.user("helpful", trust_level=TrustLevel.MEMBER)
        db.session.commit()
        db.session.remove()

    # The newcomer asks.
    page = browser_page
    log_in(page, live_server, "newcomer")
    page.goto(live_server + "/discuss/")
    page.get_by_role("link", name="New topic").first.click()
    # A newcomer accepts the code of conduct once, before their first post.
    page.get_by_role("button", name="I have read it and will follow it").click()
    page.get_by_label("Title").fill(QUESTION)
    page.get_by_label("Category").select_option(label="Ask the community")
    page.get_by_label("Your post").fill(
        "I just joined and would love to help at a local edit-a-thon. Where do I look?"
    )
    page.get_by_role("button", name="Create topic").click()
    expect(page).to_have_url(re.compile(r"/discuss/t/"))
    expect(page.get_by_role("heading", name=QUESTION)).to_be_visible()
    topic_url = page.url.split("#")[0]

    # Another member answers, in a browser of their own.
    context = _browser.new_context(locale="en-US", timezone_id="UTC")
    other = context.new_page()
    log_in(other, live_server, "helpful")
    other.goto(topic_url)
    other.locator("#reply-raw").fill(
        "Welcome! Open the events calendar and filter by your city; edit-a-thons are listed there."
    )
    other.locator("#reply").get_by_role("button", name="Reply").click()
    expect(other.get_by_text("Open the events calendar")).to_be_visible()
    context.close()

    # The newcomer accepts the answer; the topic is solved, here and in the lists.
    page.goto(topic_url)
    page.get_by_role("button", name="Mark as the answer").click()
    expect(page.get_by_role("link", name="Solved: see the accepted answer")).to_be_visible()
    with live_app.app_context():
        topic = db.session.scalar(select(Topic).where(Topic.title == QUESTION))
        assert topic.accepted_post_id is not None
        db.session.remove()
    page.goto(live_server + "/discuss/unsolved")
    expect(page.get_by_text(QUESTION)).to_have_count(0)
    page_problems.assert_none()
