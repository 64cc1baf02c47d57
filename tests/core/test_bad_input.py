"""Malformed input to every route gets a 4xx with a message, never a 500.

Walks the URL map, so new routes are covered as they are added: bad path values, missing
and oversized fields, wrong types, bad UTF-8 and malformed JSON, as a reader and as an
admin (who reaches the most code).
"""

import pytest
from werkzeug.routing import Rule

from space import api
from tests import factories
from tests.conftest import csrf_token

BAD_SEGMENTS = ["999999999", "-1", "%ff", "x" * 300, "..%2f..", "😀", "0"]
BAD_FORMS = [
    {},
    {"username": "", "email": "", "password": ""},
    {"username": "x" * 10_000, "email": "@" * 500, "password": "p" * 100_000},
    {"page": "abc", "per_page": "-5", "q": "x" * 5000, "id": "[]", "locale": "zz"},
    {"visibility": "nope", "trust_level": "9", "roles": "god", "timezone": "Mars/Base"},
]
SKIP = {"static", "core.set_language"}


def _routes(app, method):
    api.load(app)  # the API's routes too: it is registered on first use
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP or method not in (rule.methods or ()):
            continue
        yield rule


def _paths(rule: Rule):
    if not rule.arguments:
        return [rule.rule]
    paths = []
    for value in BAD_SEGMENTS:
        path = rule.rule
        for _argument in rule.arguments:
            start = path.index("<")
            path = path[:start] + value + path[path.index(">", start) + 1 :]
        paths.append(path)
    return paths


def _assert_no_500(response, method, path):
    assert response.status_code < 500, f"{method} {path} -> {response.status_code}"


@pytest.fixture(params=["reader", "admin"])
def as_who(request, client, login):
    if request.param == "admin":
        login(factories.admin())
    return request.param


def test_every_get_route_survives_bad_path_values_and_query_strings(app, client, as_who):
    for rule in _routes(app, "GET"):
        for path in _paths(rule):
            for query in ["", "?page=abc", "?page=0", "?page=99999999999", "?q=%ff%fe",
                          "?lang=%00", "?per_page=-1&type=nope&before=2026-13-45"]:  # fmt: skip
                response = client.get(path + query)
                _assert_no_500(response, "GET", path + query)


def test_every_post_route_survives_malformed_forms(app, client, as_who):
    token = csrf_token(client, "/")
    for method in ("POST", "PATCH", "PUT", "DELETE"):
        for rule in _routes(app, method):
            for path in _paths(rule)[:3]:
                for form in BAD_FORMS:
                    data = {**form, "csrf_token": token}
                    response = client.open(path, method=method, data=data)
                    _assert_no_500(response, method, path)
                response = client.open(
                    path, method=method, data=b"\xff\xfe\xfd=\xff",
                    content_type="application/x-www-form-urlencoded",
                )  # fmt: skip
                _assert_no_500(response, method, path)
                for body in [b"{not json", b'{"a": [1, 2', b'"just a string"', b"[]",
                             b'{"name": 5, "page": {"x": 1}}', b"\xff\xfe"]:  # fmt: skip
                    response = client.open(
                        path, method=method, data=body, content_type="application/json"
                    )
                    _assert_no_500(response, method, path)
