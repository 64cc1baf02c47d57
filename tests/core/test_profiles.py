"""Profiles and settings."""

from space.accounts import services
from tests import factories


def settings_data(**fields):
    data = {"display_name": "Ada L.", "bio": "I write **code** and @bob knows it.",
            "website": "https://ada.example", "languages": ["en", "fr"],
            "affiliation": "Analytical Society", "locale": "fr", "timezone": "Europe/Paris",
            "email_notifications": "y"}  # fmt: skip
    data.update(fields)
    return data


def test_a_member_edits_their_profile_and_the_bio_is_cooked_once(client, login, post):
    login(factories.user("ada"))
    response = post("/settings", settings_data(), token_from="/settings")
    assert response.status_code == 302
    ada = services.by_username("ada")
    assert ada.display_name == "Ada L." and ada.locale == "fr" and ada.timezone == "Europe/Paris"
    assert "<strong>code</strong>" in ada.bio_html
    assert 'class="mention" href="/u/bob"' in ada.bio_html
    profile = client.get("/u/ada").get_data(as_text=True)
    assert "<strong>code</strong>" in profile
    assert "Analytical Society" in profile


def test_bad_profile_input_is_explained_and_kept(client, login, post):
    login(factories.user("ada"))
    response = post(
        "/settings",
        settings_data(
            website="javascript:alert(1)",
            timezone="Mars/Olympus",
            locale="xx",
            display_name="x" * 200,
        ),  # fmt: skip
        token_from="/settings",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter a web address starting with http:// or https://." in html
    assert "Use at most 80 characters." in html
    assert 'value="javascript:alert(1)"' in html
    assert services.by_username("ada").website == ""


def test_the_bio_cannot_inject_script(client, login, post):
    login(factories.user("ada"))
    post("/settings", settings_data(bio="<script>alert(1)</script><img src=x onerror=alert(1)>"),
         token_from="/settings")  # fmt: skip
    html = client.get("/u/ada").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "onerror" not in html


def test_an_unknown_profile_is_a_404_page(client):
    response = client.get("/u/nobody")
    assert response.status_code == 404
    assert b"There is no one with this username." in response.data


def test_the_profile_lists_only_groups_the_reader_may_see(client, login):
    ada = factories.user("ada")
    factories.group("open-club", members=[ada])
    factories.group("secret-club", visibility="private", members=[ada])
    html = client.get("/u/ada").get_data(as_text=True)
    assert "Open Club" in html and "Secret Club" not in html
    login(ada)
    assert "Secret Club" in client.get("/u/ada").get_data(as_text=True)


def test_password_change_needs_the_current_password(client, login, post):
    login(factories.user("ada"))
    response = post(
        "/settings/password",
        {
            "current_password": "wrong wrong",
            "new_password": "x" * 12,
            "new_password_again": "x" * 12,
        },
        token_from="/settings",
    )
    assert response.status_code == 422
    assert b"This is not your current password." in response.data
    data = {"current_password": factories.PASSWORD, "new_password": "y" * 12,
            "new_password_again": "y" * 12}  # fmt: skip
    response = post("/settings/password", data, token_from="/settings")
    assert response.status_code == 302
    assert client.get("/settings").status_code == 200  # still signed in here


def test_a_profile_costs_the_same_queries_with_1_or_50_groups(client, count_queries):
    ada = factories.user("ada")
    factories.group("g-first", members=[ada])
    client.get("/u/ada")
    with count_queries() as few:
        client.get("/u/ada")
    for n in range(49):
        factories.group(f"g-{n:02d}", members=[ada])
    with count_queries() as many:
        assert "G 48" in client.get("/u/ada").get_data(as_text=True)
    assert many.count == few.count
    assert few.count <= 6


def test_the_settings_page_costs_a_fixed_number_of_queries(client, login, count_queries):
    login(factories.user("ada"))
    with count_queries() as counter:
        assert client.get("/settings").status_code == 200
    assert counter.count <= 6
