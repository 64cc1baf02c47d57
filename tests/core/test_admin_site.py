"""The admin area's site settings: title, tagline, registration mode and the code of conduct
in each language, and how readers see them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from space import site
from space.admin import services
from space.audit import AuditEntry
from space.db import db
from tests import factories


@pytest.fixture
def as_admin(app, login):
    admin = factories.admin()
    login(admin)
    return admin


def _entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _settings(**values):
    return {"title": "Space", "tagline": "", "registration": "open"} | values


def test_site_settings_are_saved_audited_and_shown_in_the_layout(client, as_admin, post):
    response = post(
        "/admin/settings",
        _settings(title="Volunteers Hub", tagline="Where volunteers meet", registration="invite"),
    )
    assert response.status_code == 302
    assert site.get("registration") == "invite"
    (entry,) = _entries("site.update")
    assert entry.details["keys"] == ["registration", "tagline", "title"]

    html = client.get("/").get_data(as_text=True)
    assert "<title>Volunteers Hub</title>" in html
    assert "Where volunteers meet" in html
    html = client.get("/admin/users").get_data(as_text=True)
    assert "<title>Users · Volunteers Hub</title>" in html


def test_saving_unchanged_settings_audits_nothing(client, as_admin, post):
    response = post("/admin/settings", _settings(), follow_redirects=True)
    assert "Nothing changed." in response.get_data(as_text=True)
    assert not _entries("site.update")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "T" * 101}, "between 1 and 100"),
        ({"tagline": "x" * 201}, "at most 200"),
        ({"registration": "closed"}, "Not a valid choice"),
    ],
)
def test_site_settings_refuse_bad_input_and_keep_it(client, as_admin, post, values, message):
    data = _settings(tagline="Kept tagline") | values
    response = post("/admin/settings", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    if "tagline" not in values:
        assert 'value="Kept tagline"' in html
    assert site.get("tagline") == ""


def test_a_registration_mode_missing_from_the_form_is_refused(client, as_admin, post):
    response = post("/admin/settings", {"title": "Space"})
    assert response.status_code == 422
    assert site.get("registration") == "open"


def test_the_code_of_conduct_is_saved_per_language_cooked_and_audited(client, as_admin, post):
    response = post(
        "/admin/settings/code-of-conduct",
        {"locale": "fr", "text": "Soyez **bienveillants**.\n\n<script>alert(1)</script>"},
    )
    assert response.status_code == 302
    assert "locale=fr" in response.headers["Location"]
    post("/admin/settings/code-of-conduct", {"locale": "en", "text": "Be **kind**."})
    texts = site.get("code_of_conduct")
    assert set(texts) == {"fr", "en"}
    assert "<strong>bienveillants</strong>" in texts["fr"]["html"]
    assert "<script>" not in texts["fr"]["html"]
    assert [e.details["locale"] for e in _entries("site.code_of_conduct")] == ["fr", "en"]


@pytest.fixture
def two_texts(app):
    admin = factories.admin()
    with app.test_request_context():
        services.set_code_of_conduct("en", "Be **kind**.", by=admin)
        services.set_code_of_conduct("fr", "Soyez **bienveillants**.", by=admin)
    db.session.commit()


def test_readers_see_the_code_of_conduct_in_their_language(client, two_texts):
    french = client.get("/code-of-conduct?lang=fr").get_data(as_text=True)
    assert "<strong>bienveillants</strong>" in french
    assert "<strong>kind</strong>" not in french


def test_readers_whose_language_has_no_text_see_the_default_one(client, two_texts):
    spanish = client.get("/code-of-conduct?lang=es").get_data(as_text=True)
    assert '<div lang="en" class="cooked"><p>Be <strong>kind</strong>.</p></div>' in spanish


def test_an_empty_text_removes_a_language(client, as_admin, post):
    post("/admin/settings/code-of-conduct", {"locale": "fr", "text": "Soyez gentils."})
    post("/admin/settings/code-of-conduct", {"locale": "fr", "text": ""})
    assert "fr" not in site.get("code_of_conduct")
    assert _entries("site.code_of_conduct")[-1].details["removed"] is True


def test_saving_one_language_leaves_the_others_and_the_stored_dict_alone(app):
    admin = factories.admin()
    with app.test_request_context():
        services.set_code_of_conduct("en", "Be kind.", by=admin)
        db.session.commit()
        before = site.get("code_of_conduct")
        snapshot = {k: dict(v) for k, v in before.items()}
        services.set_code_of_conduct("es", "Sé amable.", by=admin)
        db.session.commit()
    assert before == snapshot  # the dict read earlier was copied, not changed in place
    assert set(site.get("code_of_conduct")) == {"en", "es"}


def test_the_settings_page_edits_the_language_asked_and_marks_written_ones(client, as_admin, post):
    post("/admin/settings/code-of-conduct", {"locale": "es", "text": "Sé amable con todos."})
    html = client.get("/admin/settings?locale=es").get_data(as_text=True)
    assert "Sé amable con todos." in html  # in the textarea
    assert 'name="locale" value="es"' in html
    assert html.count("(written)") == 1
    assert 'href="/admin/settings?locale=es#conduct" lang="es" aria-current="page"' in html
    # The interface stays in the admin's language while the Spanish text is edited.
    assert '<html lang="en"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"locale": "xx", "text": "Hello"}, "Not a valid choice"),
        ({"text": "Hello"}, "Not a valid choice"),
        ({"locale": "en", "text": "x" * 50_001}, "at most 50000"),
    ],
)
def test_the_code_of_conduct_form_refuses_bad_input(client, as_admin, post, data, message):
    response = post("/admin/settings/code-of-conduct", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert site.get("code_of_conduct") == {}


def test_an_unknown_language_to_edit_is_a_400(client, as_admin):
    response = client.get("/admin/settings?locale=klingon")
    assert response.status_code == 400
    assert "This language is not offered on this site." in response.get_data(as_text=True)


def test_a_body_larger_than_the_site_accepts_is_refused(client, as_admin, post):
    response = post("/admin/settings/code-of-conduct", {"locale": "en", "text": "x" * 3_000_000})
    assert response.status_code == 413
