"""The events' settings page (/events/admin/settings): every setting by section, validation
(numbers through ``Setting.parse``, the tile server an https URL template with {z}, {x} and
{y}, the category a slug) re-rendering what was typed, saving with an audit entry, who may
see it, and the card on the admin dashboard."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select

from plugins.events import settings
from plugins.events.views.admin import dashboard_card
from space.audit import AuditEntry
from space.db import db

PATH = "/events/admin/settings"


def form(**changes) -> dict:
    """The form as the page sends it: every setting as it is now, with ``changes``."""
    sent = {}
    for setting in settings.SETTINGS:
        current = settings.value(setting.name)
        if setting.kind == "bool":
            if current:
                sent[setting.name] = "1"
        else:
            sent[setting.name] = str(current)
    sent.update(changes)
    return {name: value for name, value in sent.items() if value is not None}


@pytest.fixture
def admin_in(client, login, make):
    login(make.admin())
    return client


def test_the_page_shows_every_setting_by_section(admin_in):
    response = admin_in.get(PATH)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for setting in settings.SETTINGS:
        assert f'name="{setting.name}"' in page, setting.name
        assert str(setting.label) in page
    for title in ("The map", "Lists and discussions", "Registration, reminders"):
        assert title in page
    assert 'value="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert 'name="open_discussion" type="checkbox" value="1" checked' in page
    assert "<title>" in page and "Events settings" in page


def test_saving_changes_the_settings_and_is_audited(admin_in, post):
    url = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    response = post(PATH, form(tile_url=url, events_per_page="35", open_discussion=None,
                               discussion_category="Meetups", reminder_hours="48"))  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].endswith(PATH)
    assert settings.value("tile_url") == url
    assert settings.value("events_per_page") == 35
    assert settings.value("open_discussion") is False
    assert settings.value("discussion_category") == "meetups"
    assert settings.value("reminder_hours") == 48
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "events.settings"))
    assert entry.details["changes"]["events_per_page"] == [20, 35]
    assert set(entry.details["changes"]) == {
        "tile_url",
        "events_per_page",
        "open_discussion",
        "discussion_category",
        "reminder_hours",
    }
    again = post(PATH, form())
    assert again.status_code == 302
    assert len(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "events.settings")).all()) == 1  # fmt: skip


@pytest.mark.parametrize("name, typed, message", [
    ("tile_url", "http://tile.openstreetmap.org/{z}/{x}/{y}.png", "Give an https address"),
    ("tile_url", "https://tile.openstreetmap.org/{z}/{x}.png", "{y}"),
    ("tile_url", "https://tile.example.org/{z}/{x}/{y}.png?x=\"><script>", "https address"),
    ("tile_url", "javascript:alert(1)//{z}{x}{y}", "https address"),
    ("tile_url", "", "Give the address"),
    ("tile_attribution", "  ", "attribution"),
    ("tile_attribution", "x" * 1001, "at most 1000"),
    ("map_max_events", "50", "from 100"),
    ("map_max_events", "lots", "whole number"),
    ("events_per_page", "4", "from 5"),
    ("reminder_hours", "1.5", "whole number"),
    ("max_occurrences", "0", "from 1"),
    ("discussion_category", "Events & meetups!", "lowercase letters"),
])  # fmt: skip
def test_a_mistake_re_renders_what_was_typed(admin_in, post, name, typed, message):
    response = post(PATH, form(**{name: typed}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="setting-{name}-errors"' in page and message in page
    assert page.count('class="errors"') == 1
    if len(typed) < 100:
        assert str(escape(typed.strip())) in page
    assert "<script>" not in page.split("</head>")[1].split("<footer")[0]
    assert settings.value("events_per_page") == 20
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "events.settings")) \
        is None  # fmt: skip


def test_only_admins_see_the_page(client, login, post, make):
    response = client.get(PATH)
    assert response.status_code in (302, 401, 403)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
    login(make.member())
    assert client.get(PATH).status_code == 403
    assert post(PATH, form(events_per_page="30")).status_code == 403
    assert settings.value("events_per_page") == 20
    client.post("/logout", data={"csrf_token": _token(client)})
    login(make.moderator())
    assert client.get(PATH).status_code == 403


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/")


def test_the_dashboard_card_counts_events_for_admins(app, make):
    from flask_login import login_user

    make.event()
    make.past_event()
    member, admin = make.member(), make.admin()
    with app.test_request_context():
        login_user(member)
        assert dashboard_card() is None
    with app.test_request_context():
        login_user(admin)
        card = str(dashboard_card())
    assert 'id="events-admin-card"' in card and "/events/admin/settings" in card
    assert '<tr data-count="total"><td>Events</td><td class="admin-num">2</td>' in card
    assert '<tr data-count="upcoming"><td>Upcoming or going on</td><td class="admin-num">1' \
        in card  # fmt: skip
