"""Flagging from the topic page in a real browser: the page's one flag dialog opens under the
post whose "Flag" was pressed (keyboard and focus included), and without script "Flag" is a
link to the post's flag page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from space.db import db
from space.trust import TrustLevel
from tests import factories
from tests.e2e.test_journey_discuss import log_in

pytestmark = pytest.mark.e2e

TITLE = "Which venue for the autumn workshop?"


@pytest.fixture
def live_app_config():
    return {"SPACE_PLUGINS": ["discuss"]}


@pytest.fixture
def topic(live_app):
    """A topic by "host" with replies by "ana" and "bo"; "carer" will flag. Returns the
    topic's path and the replies' ids."""
    from plugins.discuss.services import categories, posting

    with live_app.app_context():
        category = categories.create_category(name="Workshops")
        host = factories.user("host", trust_level=TrustLevel.MEMBER, locale="en")
        ana = factories.user("ana", trust_level=TrustLevel.MEMBER, locale="en")
        ana.display_name = "Ana Lima"
        bo = factories.user("bo", trust_level=TrustLevel.MEMBER, locale="en")
        factories.user("carer", trust_level=TrustLevel.MEMBER, locale="en")
        opening = "The library or the community hall? Both are free."
        created = posting.create_topic(host, category, TITLE, opening)
        first = posting.create_post(ana, created, "The library: it is near the station.")
        second = posting.create_post(bo, created, "Buy cheap watches at my shop, best prices!")
        db.session.commit()
        found = (f"/discuss/t/{created.slug}/{created.id}", first.id, second.id)
        db.session.remove()
    return found


def test_the_dialog_opens_under_the_post_and_flags_it(
    browser_page, live_server, live_app, topic, page_problems
):
    from playwright.sync_api import expect

    from space.moderation.models import Flag

    path, first_id, second_id = topic
    page = browser_page
    log_in(page, live_server, "carer")
    page.goto(live_server + path)
    expect(page.locator("#flag-dialog")).to_have_count(0)

    # Under Ana's reply: the dialog names her, takes the focus, and Escape gives it back.
    first = page.locator(f"#flag-box-{first_id}").get_by_role("button", name="Flag", exact=True)
    expect(first).to_have_attribute("aria-expanded", "false")
    first.click()
    dialog = page.locator(f"#flag-box-{first_id} #flag-dialog")
    expect(dialog).to_be_visible()
    expect(
        page.get_by_role("dialog", name="Why should moderators look at this post?")
    ).to_be_visible()
    expect(first).to_have_attribute("aria-expanded", "true")
    expect(dialog).to_contain_text("Tell Ana Lima privately")
    expect(dialog.locator(".flag-topic")).to_be_hidden()
    expect(page.locator("#flag-dialog-off_topic")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#flag-dialog")).to_have_count(0)
    expect(first).to_be_focused()
    expect(first).to_have_attribute("aria-expanded", "false")

    # The keyboard opens it too; opening it under Bo's reply moves it: one in the document.
    first.press("Enter")
    expect(dialog).to_be_visible()
    second = page.locator(f"#flag-box-{second_id}").get_by_role("button", name="Flag", exact=True)
    second.focus()
    page.keyboard.press(" ")
    expect(page.locator("#flag-dialog")).to_have_count(1)
    dialog = page.locator(f"#flag-box-{second_id} #flag-dialog")
    expect(dialog).to_contain_text("Tell bo privately")
    expect(dialog.locator("form")).to_have_attribute("action", f"/discuss/p/{second_id}/flag")

    # Spam, sent: the page comes back with "You flagged this post" and the flag is Bo's post's.
    dialog.get_by_label(re.compile("It's spam")).check()
    dialog.get_by_role("button", name="Flag post").click()
    expect(page.get_by_text("Thanks for letting us know.")).to_be_visible()
    expect(page.locator(f"#flagged-{second_id}")).to_contain_text("You flagged this post.")
    expect(page.locator(f"#flag-box-{first_id}")).to_be_visible()
    with live_app.app_context():
        flag = db.session.scalar(select(Flag))
        assert (flag.item_type, flag.item_id, flag.reason) == ("discuss.post", second_id, "spam")
        db.session.remove()

    # Withdrawn within the undo window: "Flag" is back under the post.
    page.locator(f"#flagged-{second_id}").get_by_role("button", name="Withdraw flag").click()
    expect(page.get_by_text("Your flag is withdrawn.")).to_be_visible()
    expect(page.locator(f"#flag-box-{second_id}")).to_be_visible()
    page_problems.assert_none()


def test_the_cancel_button_closes_it_and_the_first_post_offers_the_whole_topic(
    browser_page, live_server, topic, page_problems
):
    from playwright.sync_api import expect

    path, _, _ = topic
    page = browser_page
    log_in(page, live_server, "carer")
    page.goto(live_server + path)
    opener = (
        page.locator(".post")
        .first.locator(".flag-box")
        .get_by_role("button", name="Flag", exact=True)
    )
    opener.click()
    dialog = page.locator("#flag-dialog")
    expect(dialog.get_by_role("link", name="Flag the whole topic instead")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()
    page_problems.assert_none()


def test_without_script_flag_opens_the_flag_page(_browser, live_server, live_app, topic):
    from playwright.sync_api import expect

    from space.moderation.models import Flag

    path, first_id, _ = topic
    context = _browser.new_context(java_script_enabled=False, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(5_000)
    page = context.new_page()
    try:
        log_in(page, live_server, "carer")
        page.goto(live_server + path)
        page.locator(f"#flag-box-{first_id}").get_by_role("link", name="Flag", exact=True).click()
        expect(page).to_have_url(re.compile(rf"/discuss/p/{first_id}/flag$"))
        page.get_by_label(re.compile("It's off-topic")).check()
        page.get_by_role("button", name="Flag post").click()
        expect(page.locator(f"#flagged-{first_id}")).to_be_visible()
    finally:
        context.close()
    with live_app.app_context():
        assert db.session.scalar(select(Flag.item_id)) == first_id
        db.session.remove()
