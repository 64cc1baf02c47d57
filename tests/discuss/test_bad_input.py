"""The core's bad-input walk over every route, with Discuss enabled and some content, so
each Discuss route meets malformed paths, query strings, forms and JSON too."""

import pytest
from sqlalchemy import select

from space.db import db
from tests.conftest import csrf_token
from tests.core.test_bad_input import (  # noqa: F401 - collected here with Discuss enabled
    BAD_FORMS,
    as_who,
    test_every_get_route_survives_bad_path_values_and_query_strings,
    test_every_post_route_survives_malformed_forms,
)


@pytest.fixture(autouse=True)
def _content(make):
    """A category with a topic and a reply, so ids like 1 exist."""
    topic = make.topic()
    make.reply(topic)


def _real_paths(app):
    """Every Discuss route with its arguments pointing at things that exist (id 1, the
    first category's slug, the user "admin")."""
    from plugins.discuss.models import Category

    slug = db.session.scalars(select(Category.slug)).first()
    values = {"slug": slug, "username": "admin", "name": "no-such-tag", "key": "topic",
              "kind": "latest", "fmt": "rss"}  # fmt: skip
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("discuss.") or rule.endpoint == "discuss.static":
            continue
        args = {name: values.get(name, 1) for name in rule.arguments}
        try:
            path = app.url_map.bind("localhost").build(rule.endpoint, args)
        except Exception:  # an argument with a converter these values do not fit
            continue
        yield rule, path


@pytest.mark.usefixtures("as_who")
def test_discuss_routes_with_real_ids_survive_bad_query_strings_and_forms(app, client):
    token = csrf_token(client, "/")
    for rule, path in list(_real_paths(app)):
        if "GET" in rule.methods:
            for query in ["", "?page=abc", "?page=0", "?page=99999999999", "?to=abc",
                          "?quote=-1", "?a=x&b=%ff", "?period=nope", "?tab=zzz"]:  # fmt: skip
                response = client.get(path + query)
                assert response.status_code < 500, f"GET {path + query}"
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            if method not in rule.methods:
                continue
            for form in BAD_FORMS:
                response = client.open(path, method=method, data={**form, "csrf_token": token})
                assert response.status_code < 500, f"{method} {path} {form}"
            for body in [b"{not json", b"[]", b'{"highest": "x", "seconds": -5}', b"\xff"]:
                response = client.open(
                    path, method=method, data=body, content_type="application/json",
                    headers={"X-CSRFToken": token},
                )  # fmt: skip
                assert response.status_code < 500, f"{method} {path} {body!r}"
