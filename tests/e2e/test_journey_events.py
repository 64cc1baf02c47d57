"""An event's journey, in a real browser: an organizer (trust level 1) creates an in-person
event, typing "Stockh" and picking Stockholm from the city picker's list (the hidden place id
is filled and the time zone follows the city), for a date next week with a capacity; a reader
opens the map, zooms into the cluster it shares with another event nearby, opens its marker's
popup, follows its link and registers as going with their name shown; the organizer sees the
reader on the participants page and in the downloaded CSV. No console errors, uncaught
exceptions or CSP violations on any page."""

from __future__ import annotations

import base64
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from space.db import db
from space.trust import TrustLevel
from tests import factories

pytestmark = pytest.mark.e2e

TITLE = "Edit-a-thon at the city library"
ZONE = "Europe/Stockholm"
READER_NAME = "Rita Reader"
OTHER_TITLE = "Wikidata workshop"
# The map's tiles come from a server on the internet: the browser gets a blank tile instead.
BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture
def live_app_config():
    return {"SPACE_PLUGINS": ["discuss", "events"]}


def log_in(page, base_url: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def watch(page, problems) -> None:
    """Record ``page``'s console errors and uncaught exceptions as ``browser_page``'s are."""
    page.on(
        "console",
        lambda message: (
            problems.console_errors.append(f"{message.text} ({page.url})")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.page_errors.append(f"{error} ({page.url})"))


def blank_tiles(context, tile_url: str) -> None:
    """Answer the tile server's requests with a blank image (no network in tests)."""
    origin = re.match(r"https?://[^/]+", tile_url).group(0)
    context.route(
        re.compile("^" + re.escape(origin).replace(r"\{s\}", "[a-z]") + "/"),
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG),
    )


def is_geojson(response) -> bool:
    return "/events/map.geojson" in response.url


def open_marker_popup(page, title: str):
    """Find the event's marker on the map, zooming into the clusters that hide it, and open
    its popup; the popup's locator."""
    from playwright.sync_api import expect

    marker = page.locator(".leaflet-marker-icon").and_(page.locator(f'[title="{title}"]'))
    clusters = page.locator(".leaflet-marker-icon.marker-cluster")
    expect(marker.or_(clusters).first).to_be_visible(timeout=10_000)
    for _ in range(10):
        if marker.is_visible():
            break
        # A click on a cluster zooms the map to its events; the map then loads that area
        # and draws its markers again.
        with page.expect_response(is_geojson) as loaded:
            clusters.first.click()
        loaded.value.finished()
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r)))")
        expect(marker.or_(clusters).first).to_be_visible()
    marker.click()
    popup = page.locator(".leaflet-popup-content .events-popup")
    expect(popup.locator(".events-popup-title")).to_have_text(title)
    # The reader reads it: it stays open, also when opening it moved the map (which then
    # loads the area in view again, debounced 300 ms).
    page.wait_for_timeout(1_000)
    expect(popup.locator(".events-popup-title")).to_have_text(title)
    return popup


def test_an_organizer_creates_an_event_a_reader_finds_it_on_the_map_and_registers(
    _browser, browser_page, live_server, live_app, page_problems
):
    from playwright.sync_api import expect

    from plugins.events import gazetteer
    from plugins.events.models import Event, Registration
    from plugins.events.services import events
    from plugins.events.services.events import EventInput
    from plugins.events.services.times import to_local
    from plugins.events.settings import value
    from space.db import utcnow

    stockholm = gazetteer.lookup("Stockholm")[0]
    assert stockholm.label == "Stockholm, Sweden"
    day = to_local(utcnow(), ZONE).date() + timedelta(days=7)
    # Another event a kilometre away: on the world map both markers are one cluster.
    neighbour = next(p for p in gazetteer.near(stockholm.lat, stockholm.lon, 10) if p != stockholm)
    # (a request context: the event's discussion topic links to the event)
    with live_app.test_request_context(base_url=live_server):
        factories.user("olga", trust_level=TrustLevel.BASIC)
        reader = factories.user("rita", trust_level=TrustLevel.BASIC)
        reader.display_name = READER_NAME
        other = factories.user("per", trust_level=TrustLevel.BASIC)
        events.create(other, EventInput(
            title=OTHER_TITLE, timezone=ZONE, place_id=neighbour.id,
            start=datetime.combine(day, time(10)), end=datetime.combine(day, time(12)),
        ))  # fmt: skip
        db.session.commit()
        tile_url = value("tile_url")
        db.session.remove()

    # The organizer creates the event, picking the city from the picker's list.
    organizer = browser_page
    log_in(organizer, live_server, "olga")
    organizer.goto(live_server + "/events/new")
    expect(organizer.get_by_role("heading", name="New event")).to_be_visible()
    organizer.get_by_label("Title", exact=True).fill(TITLE)
    organizer.get_by_label("Description").fill("Bring a laptop; we edit articles on the city.")
    expect(organizer.locator("#timezone")).to_have_value("")
    organizer.locator("#start_date").fill(day.isoformat())
    organizer.locator("#start_time").fill("18:00")
    organizer.locator("#end_time").fill("20:00")
    expect(organizer.get_by_role("radio", name="In person", exact=True)).to_be_checked()
    city = organizer.get_by_role("combobox", name="City")
    city.press_sequentially("Stockh")
    listbox = organizer.get_by_role("listbox", name="City")
    expect(listbox).to_be_visible()
    listbox.get_by_role("option", name=re.compile(r"^Stockholm, Sweden\b")).click()
    expect(listbox).to_be_hidden()
    expect(city).to_have_value("Stockholm, Sweden")
    expect(organizer.locator("#place_id")).to_have_value(str(stockholm.id))
    expect(organizer.locator("#timezone")).to_have_value(ZONE)
    organizer.get_by_label("Venue").fill("The city library")
    organizer.get_by_label("Places available").fill("20")
    organizer.get_by_role("button", name="Publish the event").click()
    expect(organizer).to_have_url(re.compile(r"/events/\d+/[^/]+$"))
    expect(organizer.get_by_text("Your event is published.")).to_be_visible()
    expect(organizer.get_by_role("heading", name=TITLE)).to_be_visible()
    event_url = organizer.url
    event_id = int(re.search(r"/events/(\d+)/", event_url).group(1))
    with live_app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.title, event.place_id, event.timezone) == (TITLE, stockholm.id, ZONE)
        assert event.capacity == 20 and event.registration
        assert event.start_local.date() == day and event.start_local.hour == 18
        db.session.remove()

    # A reader finds it on the map, follows the popup's link and registers as going.
    context = _browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-US", timezone_id="UTC"
    )
    context.set_default_timeout(5_000)
    blank_tiles(context, tile_url)
    page = context.new_page()
    watch(page, page_problems)
    log_in(page, live_server, "rita")
    page.goto(live_server + "/events/map")
    expect(page.get_by_role("heading", name="Map of events")).to_be_visible()
    popup = open_marker_popup(page, TITLE)
    popup.get_by_role("link", name="Open the event").click()
    expect(page).to_have_url(event_url)
    registration = page.locator("#registration")
    expect(registration.get_by_text("0 of 20 places taken")).to_be_visible()
    registration.get_by_label("Show my name to the other participants").check()
    registration.get_by_role("button", name="Going", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(event_url) + "(#registration)?$"))
    expect(page.get_by_text("You are going. See you there!")).to_be_visible()
    registration = page.locator("#registration")
    expect(registration.locator(".events-registration-mine")).to_contain_text("You are going.")
    expect(registration.get_by_text("Only the organizers see your name.")).to_have_count(0)
    expect(registration.get_by_text("1 of 20 places taken")).to_be_visible()
    expect(registration.get_by_role("button", name="Going", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    context.close()
    with live_app.app_context():
        mine = db.session.scalars(
            select(Registration).where(Registration.event_id == event_id)
        ).all()
        assert [(r.answer.value, r.public) for r in mine] == [("going", True)]
        db.session.remove()

    # The organizer sees the reader among the participants and in the CSV.
    organizer.goto(event_url)
    organizer.get_by_role("link", name="Participants", exact=True).click()
    expect(organizer).to_have_url(re.compile(rf"/events/{event_id}/participants$"))
    expect(organizer.get_by_role("heading", name=f"Participants of “{TITLE}”")).to_be_visible()
    table = organizer.locator(".events-participants-table")
    expect(table.get_by_role("row").filter(has_text=READER_NAME)).to_contain_text("@rita")
    with organizer.expect_download() as download_info:
        organizer.get_by_role("link", name="Download the list (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"event-{event_id}-participants.csv"
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Name,Username,Answer")
    assert any(line.startswith(f"{READER_NAME},rita,") for line in lines[1:]), lines

    page_problems.assert_none()
