def test_home_page_renders_for_a_reader(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
    assert b"Code of conduct" in response.data
