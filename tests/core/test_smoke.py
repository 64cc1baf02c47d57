from tests import factories


def test_home_page_renders_for_a_reader(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
    assert b"Code of conduct" in response.data


def test_core_pages_render_for_a_member(app, client, login):
    member = factories.user("ada")
    login(member)
    for path in ["/", "/u/ada", "/settings", "/groups", "/notifications", "/code-of-conduct"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:3000])


def test_urls_build_before_and_after_a_rules_first_use(app):
    # Rules write their URL-building code on first use (space.web.LazyRule).
    from flask import url_for

    with app.test_request_context():
        assert url_for("accounts.login") == "/login"
        assert url_for("accounts.login", next="/a b") == "/login?next=/a+b"
        assert url_for("accounts.login", _external=True) == "http://localhost/login"
        assert url_for("core.home", lang="fr") == "/?lang=fr"
        assert url_for("core.home") == "/"
