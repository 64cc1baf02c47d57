"""Locale choice, right-to-left layout, Babel formatting."""

from datetime import UTC, datetime

from flask_babel import force_locale, format_datetime

from space.i18n import text_direction
from tests import factories


def html_lang(response) -> str:
    text = response.get_data(as_text=True)
    start = text.index("<html")
    return text[start : text.index(">", start)]


def test_the_browser_language_is_used_by_default(client):
    response = client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert 'lang="es"' in html_lang(response)


def test_lang_query_wins_over_the_browser_and_is_remembered(client):
    response = client.get("/?lang=fr", headers={"Accept-Language": "es"})
    assert 'lang="fr"' in html_lang(response)
    assert 'lang="fr"' in html_lang(client.get("/", headers={"Accept-Language": "es"}))


def test_an_unknown_lang_is_ignored(client):
    response = client.get("/?lang=xx", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert 'lang="en"' in html_lang(response)


def test_the_profile_setting_wins_over_everything(client, login):
    login(factories.user("ada", locale="ar"))
    response = client.get("/?lang=fr", headers={"Accept-Language": "es"})
    assert 'lang="ar" dir="rtl"' in html_lang(response)


def test_arabic_is_laid_out_right_to_left():
    assert text_direction("ar") == "rtl"
    assert text_direction("he") == "rtl"
    assert text_direction("fr") == "ltr"


def test_the_language_switcher_saves_the_choice_to_the_profile(client, login, post):
    ada = factories.user("ada")
    login(ada)
    response = post("/language", {"locale": "es", "next": "/groups"})
    assert response.headers["Location"] == "/groups"
    from space.accounts import services

    assert services.by_username("ada").locale == "es"


def test_the_language_switcher_refuses_to_redirect_elsewhere(client, post):
    response = post("/language", {"locale": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_dates_follow_the_locale_and_time_zone(app):
    moment = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with app.test_request_context("/"):
        with force_locale("fr"):
            assert "mars" in format_datetime(moment, "long")
        with force_locale("ar"):
            assert "مارس" in format_datetime(moment, "long")


def test_dates_on_pages_are_shown_in_the_persons_zone(client, login):
    login(factories.user("ada", locale="en"))
    from space.accounts import services
    from space.db import db

    ada = services.by_username("ada")
    ada.timezone = "Asia/Tokyo"
    ada.created_at = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)  # 05:00 on 2 March in Tokyo
    db.session.commit()
    assert "Mar 2, 2026" in client.get("/u/ada").get_data(as_text=True)
