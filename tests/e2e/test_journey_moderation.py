"""Moderation's journey in a real browser: a member flags a rude reply as inappropriate, a
moderator opens the review queue, agrees and silences the author, and the author finds the
silence notice where they would write (and cannot post)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from space.db import db
from space.trust import TrustLevel
from tests import factories
from tests.e2e.test_journey_discuss import log_in

pytestmark = pytest.mark.e2e

TITLE = "Which day suits everyone for the photo walk?"
RUDE = "Only an idiot would pick Sunday. Stop wasting everyone's time."
REASON = "Insulting other members."


@pytest.fixture
def live_app_config():
    return {"SPACE_PLUGINS": ["discuss"]}


def test_a_flag_leads_to_a_silence_the_author_sees(
    _browser, browser_page, live_server, live_app, page_problems
):
    from playwright.sync_api import expect

    from plugins.discuss.models import Post
    from plugins.discuss.services import categories, posting
    from space.moderation.models import Flag, ReviewItem, ReviewStatus

    with live_app.app_context():
        category = categories.create_category(name="Photo walks")
        organizer = factories.user("organizer", trust_level=TrustLevel.MEMBER, locale="en")
        rude = factories.user("rude", trust_level=TrustLevel.BASIC, locale="en")
        factories.user("carer", trust_level=TrustLevel.MEMBER, locale="en")
        factories.moderator("mod", locale="en")
        topic = posting.create_topic(organizer, category, TITLE,
                                     "Saturday or Sunday? Tell me what works for you.")  # fmt: skip
        reply = posting.create_post(rude, topic, RUDE)
        db.session.commit()
        topic_path = f"/discuss/t/{topic.slug}/{topic.id}"
        reply_id = reply.id
        db.session.remove()

    # A member flags the reply as inappropriate, from the topic page.
    page = browser_page
    log_in(page, live_server, "carer")
    page.goto(live_server + topic_path)
    box = page.locator(f"#flag-box-{reply_id}")
    box.get_by_role("button", name="Flag", exact=True).click()
    box.get_by_label(re.compile("It's inappropriate")).check()
    box.get_by_role("button", name="Flag post").click()
    expect(page.get_by_text("Thanks for letting us know.")).to_be_visible()
    expect(page.locator(f"#flagged-{reply_id}")).to_be_visible()

    # A moderator opens the queue, reads the item, agrees and silences the author.
    context = _browser.new_context(locale="en-US", timezone_id="UTC")
    moderator = context.new_page()
    log_in(moderator, live_server, "mod")
    moderator.goto(live_server + "/review/")
    moderator.get_by_role("link", name=re.compile(re.escape(TITLE))).click()
    expect(moderator.locator("#review-snapshot")).to_contain_text("Only an idiot")
    moderator.locator("#review-silence summary").click()
    moderator.locator("#silence-reason").fill(REASON)
    moderator.locator("#review-silence").get_by_role("button").click()
    expect(moderator).to_have_url(re.compile(r"/review/?$"))
    context.close()

    with live_app.app_context():
        item = db.session.scalar(select(ReviewItem))
        assert item.status == ReviewStatus.APPROVED
        assert db.session.scalar(select(Flag)).status == "agreed"
        assert db.session.get(Post, reply_id).hidden_at is not None
        db.session.remove()

    # The author sees why, where they would reply, and cannot post.
    context = _browser.new_context(locale="en-US", timezone_id="UTC")
    author = context.new_page()
    log_in(author, live_server, "rude")
    author.goto(live_server + topic_path)
    notice = author.locator("#silence-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(REASON)
    expect(author.locator("#reply-raw")).to_have_count(0)
    response = author.goto(live_server + "/discuss/new")
    assert response.status == 403
    expect(author.get_by_text(REASON)).to_be_visible()
    context.close()
    page_problems.assert_none()
