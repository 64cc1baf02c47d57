"""A reader becomes a member in a real browser: sign up, confirm, log in, switch to French."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from space.db import db
from space.notify import MailMessage

pytestmark = pytest.mark.e2e

FRENCH_CATALOG = (
    Path(__file__).resolve().parents[2] / "translations" / "fr" / "LC_MESSAGES" / "messages.mo"
)
CONFIRM_LINK = re.compile(r"https?://\S+/confirm/\S+")


def confirmation_link(app, email: str, base_url: str) -> str:
    """The confirmation link of the newest email to ``email``, pointed at ``base_url``."""
    with app.app_context():
        body = db.session.scalar(
            select(MailMessage.body)
            .where(MailMessage.to == email)
            .order_by(MailMessage.id.desc())
            .limit(1)
        )
        db.session.remove()
    assert body, f"no email to {email} in the outbox"
    match = CONFIRM_LINK.search(body)
    assert match, body
    return base_url + urlsplit(match.group(0)).path


def assert_french(page) -> None:
    """The page is in French: the document says so and the profile reads in French.

    The string check needs the compiled French catalog (translations/fr/LC_MESSAGES/messages.mo).
    """
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="À propos")).to_be_visible()


def test_a_reader_signs_up_confirms_logs_in_and_reads_their_profile_in_french(
    browser_page, live_server, live_app, page_problems
):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(live_server + "/")
    page.get_by_role("link", name="Sign up", exact=True).click()

    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    page.get_by_label("Username").fill("amina")
    page.get_by_label("Email").fill("amina@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_label("I have read the code of conduct").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(confirmation_link(live_app, "amina@example.org", live_server))
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("status")).to_contain_text("Your email address is confirmed.")

    page.get_by_label("Username or email").fill("amina")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("details.user-menu")).to_be_visible()

    # space.js submits the language form on change, so its button is hidden.
    expect(page.locator(".lang-switch button[type=submit]")).to_be_hidden()
    with page.expect_navigation():
        page.locator("select[name=locale]").select_option("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.locator("details.user-menu summary").click()
    page.locator("details.user-menu a[href$='/u/amina']").click()
    expect(page).to_have_url(re.compile(r"/u/amina$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    if FRENCH_CATALOG.exists():
        assert_french(page)

    assert not page_problems.csp_violations, page_problems.csp_violations
    page_problems.assert_none()


def test_the_first_tab_reaches_the_skip_link_and_enter_moves_focus_to_the_content(
    browser_page, live_server, page_problems
):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(live_server + "/")
    skip = page.locator("a.skip-link")

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to content")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "the focused skip link is off screen"

    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page_problems.assert_none()
