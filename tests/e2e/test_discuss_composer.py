"""Composer in a browser: live preview, a draft saved as one types and restored."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from space.db import db
from space.trust import TrustLevel
from tests import factories

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_app_config():
    return {"SPACE_PLUGINS": ["discuss"]}


def test_composer_preview_and_drafts(browser_page, live_server, live_app, page_problems):
    from playwright.sync_api import expect

    from plugins.discuss import settings
    from plugins.discuss.models import Draft, Topic
    from plugins.discuss.services import categories

    with live_app.app_context():
        categories.create_category(name="General")
        factories.user("writer", trust_level=TrustLevel.MEMBER)
        for name in ("topic_interval", "post_interval"):
            settings.put(name, 0)
        db.session.commit()
        db.session.remove()
    page = browser_page
    page.goto(live_server + "/login")
    page.get_by_label("Username or email").fill("writer")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server + "/discuss/new?category=general")
    page.get_by_label("Title").fill("Planning the spring meetup together")
    page.get_by_label("Your post").fill("Some **bold** ideas for the spring meetup.")
    expect(page.locator("[data-draft-status]")).to_have_text("Draft saved", timeout=15_000)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-composer-preview-body] strong")).to_have_text("bold")
    with live_app.app_context():
        draft = db.session.scalar(select(Draft))
        assert draft.data["title"] == "Planning the spring meetup together"
        assert draft.data["category"] == "general"
        db.session.remove()
    page.reload()
    typed = "Some **bold** ideas for the spring meetup."
    expect(page.get_by_label("Your post")).to_have_value(typed)
    page.get_by_label("Your post").fill("Some **bold** ideas for the spring meetup, edited.")
    expect(page.locator("[data-draft-status]")).to_have_text("Draft saved", timeout=15_000)
    page.get_by_role("button", name="Create topic").click()
    expect(page).to_have_url(re.compile(r"/discuss/t/"))
    # The address changes before the page's deferred scripts run: typing sooner would go
    # unseen by composer.js, and no draft would be saved.
    page.wait_for_load_state("domcontentloaded")
    with live_app.app_context():
        assert db.session.scalar(select(Draft)) is None
        assert db.session.scalar(select(Topic.title)) == "Planning the spring meetup together"
        topic_id = db.session.scalar(select(Topic.id))
        db.session.remove()
    # The reply box under the topic loads a draft saved elsewhere.
    box = page.locator("#reply-raw")
    box.fill("A reply being typed in the reply box.")
    expect(page.locator("#reply [data-draft-status]")).to_have_text("Draft saved", timeout=15_000)
    page.reload()
    expect(page.locator("#reply-raw")).to_have_value("A reply being typed in the reply box.")
    expect(page.locator("#reply [data-draft-status]")).to_have_text("Draft restored")
    page.goto(live_server + f"/discuss/t/{topic_id}/reply")
    expect(page.get_by_label("Your post")).to_have_value("A reply being typed in the reply box.")
    page_problems.assert_none()
