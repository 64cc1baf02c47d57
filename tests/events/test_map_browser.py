"""The map in a real browser (Debian's chromium through Playwright; skipped without it): Leaflet
loads from the package route, markers come from the GeoJSON of the area in view, a popup
names the event and links to it, and nothing breaks the Content-Security-Policy."""

from __future__ import annotations

import pytest

from plugins.events import gazetteer, settings
from space.db import db
from tests.e2e import conftest as e2e

pytest.importorskip("playwright")

# The browser fixtures of tests/e2e, for this module.
_browser, browser_page, page_problems = e2e._browser, e2e.browser_page, e2e.page_problems
live_app, live_server = e2e.live_app, e2e.live_server


@pytest.fixture
def live_app_config():
    return {"SPACE_PLUGINS": ["discuss", "events"]}


def _local_tiles(live_server: str) -> None:
    """Tiles from the site itself (no network in tests): any small image will do."""
    settings.put("tile_url", f"{live_server}/events/leaflet/images/layers.png?{{z}}-{{x}}-{{y}}")
    db.session.commit()


def test_map_shows_markers_with_popups(make, live_server, browser_page, page_problems):
    make.event(title="Stockholm meetup")
    make.event(title="Uppsala meetup", place_id=gazetteer.lookup("Uppsala", 1, "SE")[0].id)
    _local_tiles(live_server)
    page = browser_page
    stockholm = gazetteer.lookup("Stockholm", 1)[0].id
    with page.expect_response(lambda r: "/events/map.geojson" in r.url and "bbox=" in r.url):
        page.goto(f"{live_server}/events/map?near={stockholm}&km=10")
    marker = page.locator(".leaflet-marker-icon[title='Stockholm meetup']")
    marker.wait_for()
    assert page.locator(".leaflet-marker-icon[title='Uppsala meetup']").count() == 0  # too far
    marker.click()
    link = page.locator(".events-popup .events-popup-title")
    link.wait_for()
    assert link.inner_text() == "Stockholm meetup"
    assert "/events/" in link.get_attribute("href")
    assert page.locator(".events-popup time").inner_text()
    page_problems.assert_none()


def test_moving_the_map_fetches_the_new_area(make, live_server, browser_page, page_problems):
    make.event(title="Stockholm meetup")
    _local_tiles(live_server)
    page = browser_page
    with page.expect_response(lambda r: "/events/map.geojson" in r.url):
        page.goto(f"{live_server}/events/map")
    page.locator(".leaflet-marker-icon, .marker-cluster").first.wait_for()
    with page.expect_response(lambda r: "/events/map.geojson" in r.url) as moved:
        page.locator(".leaflet-control-zoom-in").click()
    assert moved.value.ok
    page_problems.assert_none()
