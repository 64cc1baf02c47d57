"""Headers, cookies, CSRF, safe redirects, error pages."""

import pytest

from tests import factories


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert client.get("/").headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script_or_style(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html
    for tag in html.split("<script")[1:]:
        assert "src=" in tag.split(">")[0]


def test_the_session_cookie_is_httponly_and_samesite(client, login):
    response = login(factories.user("ada"))
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


class TestRealCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_post_without_a_csrf_token_is_refused_with_a_page(self, client):
        factories.user("ada")
        response = client.post("/login", data={"login": "ada", "password": "x"})
        assert response.status_code in {400, 422}
        response = client.post("/language", data={"locale": "fr"})
        assert response.status_code == 400
        assert b"Your form expired" in response.data


def test_unknown_pages_get_a_translated_404(client):
    response = client.get("/no/such/page?lang=fr")
    assert response.status_code == 404
    assert b"404" in response.data


def test_wrong_methods_get_405(client):
    assert client.post("/u/ada").status_code in {400, 405}
    assert client.get("/logout").status_code == 405


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json and response.json["code"] == 404


def test_too_large_bodies_get_413(client):
    response = client.post("/login", data={"login": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_an_error_inside_a_view_gives_a_500_page_not_a_traceback(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"RuntimeError" not in response.data
