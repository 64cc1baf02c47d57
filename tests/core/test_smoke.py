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
