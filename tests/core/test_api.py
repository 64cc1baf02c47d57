"""The JSON API: its OpenAPI document, authentication and scopes, the endpoints, errors."""

from __future__ import annotations

import pytest

from space import notify
from space.accounts import groups
from space.accounts.models import User
from space.api import tokens
from space.db import db
from tests import factories

API = "/api/v1"


def issue(user, scopes=("read", "write")) -> str:
    """A live token for ``user``; returns the secret."""
    _token, secret = tokens.create(user, "tests", list(scopes))
    db.session.commit()
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def ada(app):
    return factories.user("ada", locale="en")


@pytest.fixture
def ada_token(ada):
    return issue(ada)


# --- the OpenAPI document -------------------------------------------------------------------


def test_the_openapi_document_is_openapi_3_and_lists_every_endpoint(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"] == "v1"
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert operations >= {
        ("GET", f"{API}/me"),
        ("PATCH", f"{API}/me"),
        ("GET", f"{API}/users"),
        ("GET", f"{API}/users/{{username}}"),
        ("GET", f"{API}/groups"),
        ("GET", f"{API}/groups/{{name}}"),
        ("GET", f"{API}/groups/{{name}}/members"),
        ("POST", f"{API}/groups/{{name}}/join"),
        ("POST", f"{API}/groups/{{name}}/leave"),
        ("POST", f"{API}/groups/{{name}}/requests"),
        ("GET", f"{API}/notifications"),
        ("POST", f"{API}/notifications/read"),
        ("GET", f"{API}/tokens"),
        ("DELETE", f"{API}/tokens/{{token_id}}"),
    }
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                assert operation.get("summary"), f"{method} {path} is not described"


def test_the_openapi_document_declares_bearer_auth_for_its_operations(client):
    document = client.get(f"{API}/openapi.json").get_json()
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    assert document["paths"][f"{API}/me"]["patch"]["security"] == [{"bearerAuth": []}]
    assert {} in document["paths"][f"{API}/groups"]["get"]["security"], "readable anonymously"
    me = document["components"]["schemas"]["Me"]["properties"]
    assert "email" in me and "email" not in document["components"]["schemas"]["User"]["properties"]


# --- authentication and scopes --------------------------------------------------------------


def test_a_bearer_token_acts_as_its_owner_with_private_fields(client, ada, ada_token):
    response = client.get(f"{API}/me", headers=bearer(ada_token))
    assert response.status_code == 200
    me = response.get_json()
    assert me["username"] == "ada" and me["email"] == "ada@example.org"
    assert me["locale"] == "en" and me["confirmed"] is True
    assert "Set-Cookie" not in response.headers, "a token never turns into a session"


def test_a_token_records_when_it_was_last_used(client, ada, ada_token):
    client.get(f"{API}/me", headers=bearer(ada_token))
    token = db.session.scalars(tokens.live_tokens_query(ada.id)).one()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer space_not-a-real-token", "Bearer ", "Basic YWRhOnB3", "Bearer space_\u00e9t\u00e9"],
)
def test_a_bogus_authorization_header_is_refused_with_401(client, ada, header):
    response = client.get(f"{API}/groups", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["code"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_with_401(client, ada, ada_token):
    token = db.session.scalars(tokens.live_tokens_query(ada.id)).one()
    tokens.revoke(token, by=ada)
    db.session.commit()
    response = client.get(f"{API}/me", headers=bearer(ada_token))
    assert response.status_code == 401
    assert "revoked" in response.get_json()["message"]


def test_a_bogus_token_is_refused_even_alongside_a_valid_session(client, login, ada):
    login(ada)
    assert client.get(f"{API}/me").status_code == 200
    response = client.get(f"{API}/me", headers=bearer("space_forged"))
    assert response.status_code == 401


def test_a_token_must_belong_to_the_signed_in_person_when_both_are_sent(client, login, ada):
    login(ada)
    bob_token = issue(factories.user("bob"))
    assert client.get(f"{API}/me", headers=bearer(bob_token)).status_code == 401


def test_a_signed_in_browser_may_read_the_api(client, login, ada):
    login(ada)
    response = client.get(f"{API}/me")
    assert response.status_code == 200 and response.get_json()["username"] == "ada"


def test_a_signed_in_browser_may_not_change_anything_through_the_api(client, login, ada):
    login(ada)
    response = client.patch(f"{API}/me", json={"display_name": "Ada L."})
    assert response.status_code == 401
    assert "token" in response.get_json()["message"]
    db.session.refresh(ada)
    assert ada.display_name == ""


def test_anonymous_readers_are_asked_to_authenticate_for_me(client):
    response = client.get(f"{API}/me")
    assert response.status_code == 401 and response.is_json


def test_a_read_only_token_cannot_change_the_profile(client, ada):
    secret = issue(ada, scopes=["read"])
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 200
    response = client.patch(f"{API}/me", json={"bio": "Hello"}, headers=bearer(secret))
    assert response.status_code == 403
    assert "write" in response.get_json()["message"]


def test_a_write_only_token_cannot_read(client, ada):
    secret = issue(ada, scopes=["write"])
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 403


def test_a_token_opens_no_html_page(client, ada_token):
    response = client.get("/settings", headers=bearer(ada_token))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "SPACE_RATELIMIT_API": "3 per minute"}]
)
def test_the_api_is_rate_limited_per_token(client, ada, ada_token):
    statuses = [client.get(f"{API}/me", headers=bearer(ada_token)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    other = issue(factories.user("bob"))
    assert client.get(f"{API}/me", headers=bearer(other)).status_code == 200
    assert client.get(f"{API}/me", headers=bearer(ada_token)).get_json()["code"] == 429


# --- profile ---------------------------------------------------------------------------------


def test_a_write_token_changes_the_profile(client, ada, ada_token):
    response = client.patch(
        f"{API}/me",
        json={
            "display_name": "  Ada Lovelace ",
            "bio": "I write **notes**.",
            "website": "https://ada.example.org",
            "languages": ["en", "fr", "en"],
            "locale": "es",
            "timezone": "Europe/London",
        },
        headers=bearer(ada_token),
    )
    assert response.status_code == 200, response.get_json()
    me = response.get_json()
    assert me["display_name"] == "Ada Lovelace" and me["languages"] == ["en", "fr"]
    assert "<strong>notes</strong>" in me["bio_html"]
    user = db.session.get(User, ada.id)
    assert (user.locale, user.timezone) == ("es", "Europe/London")


def test_null_locale_and_timezone_go_back_to_automatic(client, ada, ada_token):
    response = client.patch(
        f"{API}/me", json={"locale": None, "timezone": None}, headers=bearer(ada_token)
    )
    assert response.status_code == 200
    assert response.get_json()["locale"] is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"display_name": 5}, "display_name", "Enter text."),
        ({"display_name": "x" * 81}, "display_name", "Use at most 80 characters."),
        ({"website": "javascript:alert(1)"}, "website", "http://"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone"),
        ({"locale": "tlh"}, "locale", "Choose one of the offered values."),
        ({"languages": "en"}, "languages", "Enter a list."),
        ({"email_notifications": "perhaps"}, "email_notifications", "true or false"),
        ({"bio": None}, "bio", "This field cannot be null."),
        ({"bio": "nul \u0000 inside"}, "bio", "not allowed"),
        ({"bio": "lone \ud800 surrogate"}, "bio", "not allowed"),
        ({"email": "new@example.org"}, "email", "Unknown field."),
    ],
)
def test_bad_profile_input_gets_field_errors(client, ada, ada_token, body, field, message):
    response = client.patch(f"{API}/me", json=body, headers=bearer(ada_token))
    assert response.status_code == 422
    error = response.get_json()
    assert set(error) == {"code", "status", "message", "errors"} and error["code"] == 422
    field_errors = error["errors"]["json"][field]
    assert field_errors == [str(e) for e in field_errors] and message in field_errors[0]


def test_a_list_item_error_names_its_position(client, ada_token):
    response = client.patch(
        f"{API}/me", json={"languages": ["en", "xx"]}, headers=bearer(ada_token)
    )
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["languages"] == {"1": [
        "Choose one of the offered values."
    ]}  # fmt: skip


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b'{"bio": "unclosed', "application/json", 400),
        (b'{"bio": "caf\xe9"}', "application/json", 400),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
        (b'{"n": ' + b"9" * 5000 + b"}", "application/json", 400),
        (b"[1, 2]", "application/json", 422),
        (b'"text"', "application/json", 422),
        (b"bio=hello", "application/x-www-form-urlencoded", 415),
    ],
    ids=["malformed", "bad-utf8", "too-deep", "huge-number", "array", "string", "form"],
)
def test_unreadable_bodies_are_refused_with_a_message(
    client, ada_token, data, content_type, status
):
    response = client.patch(
        f"{API}/me", data=data, content_type=content_type, headers=bearer(ada_token)
    )
    assert response.status_code == status
    error = response.get_json()
    assert error["code"] == status and error["message"]
    assert error["errors"]["json"]["_schema"]


def test_an_empty_json_body_changes_nothing(client, ada_token):
    response = client.patch(f"{API}/me", data=b"", headers=bearer(ada_token))
    assert response.status_code == 200


def test_the_base_schema_answers_missing_null_and_unknown_fields_in_plain_words(app):
    from marshmallow import ValidationError, fields

    from space.api.schemas import Schema, Text, one_of

    class Example(Schema):
        name = Text(required=True)
        count = fields.Integer(allow_none=False)
        colour = Text(validate=one_of(["red", "blue"]))

    with app.test_request_context(), pytest.raises(ValidationError) as refused:
        Example().load({"count": None, "colour": "green", "extra": 1})
    messages = {field: [str(m) for m in errors] for field, errors in refused.value.messages.items()}
    assert messages == {
        "name": ["This field is required."],
        "count": ["This field cannot be null."],
        "colour": ["Choose one of the offered values."],
        "extra": ["Unknown field."],
    }


def test_error_messages_reach_the_caller_in_their_language(app, client):
    claire = factories.user("claire", locale="fr")
    response = client.patch(
        f"{API}/me",
        json={"nickname": "x", "affiliation": "y" * 121, "bio": 1},
        headers=bearer(issue(claire)),
    )
    french = _french_catalog()
    assert response.get_json()["errors"]["json"] == {
        "nickname": [french.get("Unknown field.").string],
        "affiliation": [french.get("Use at most %(max)d characters.").string % {"max": 120}],
        "bio": [french.get("Enter text.").string],
    }


def _french_catalog():
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parents[2] / "translations/fr/LC_MESSAGES/messages.po"
    with path.open("rb") as file:
        return read_po(file, locale="fr")


# --- people ---------------------------------------------------------------------------------


def test_a_public_profile_has_no_private_fields(client, ada):
    response = client.get(f"{API}/users/ADA")
    assert response.status_code == 200
    profile = response.get_json()
    assert profile["username"] == "ada" and profile["url"].endswith("/u/ada")
    assert not {"email", "locale", "timezone", "bio"} & set(profile)


@pytest.mark.parametrize(
    ("username", "status"), [("nobody", 404), ("x" * 300, 404), ("%ff", 404), ("nul%00name", 400)]
)
def test_an_unknown_username_is_404_and_junk_is_400(client, username, status):
    response = client.get(f"{API}/users/{username}")
    assert response.status_code == status and response.is_json


def test_people_are_paginated_and_searchable(client, app):
    for name in ("ann", "bea", "cai", "dan", "eve"):
        factories.user(name)
    page = client.get(f"{API}/users?per_page=2&page=2").get_json()
    assert [u["username"] for u in page["items"]] == ["cai", "dan"]
    assert (page["page"], page["per_page"], page["total"]) == (2, 2, 5)
    found = client.get(f"{API}/users?q=E").get_json()
    assert [u["username"] for u in found["items"]] == ["bea", "eve"]
    assert client.get(f"{API}/users?q=%25").get_json()["total"] == 0, "wildcards are literal"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=" + "9" * 30, "page"),
        ("per_page=1000", "per_page"),
        ("per_page=0", "per_page"),
        ("per_page=-5", "per_page"),
    ],
)
def test_bad_pagination_gets_field_errors(client, query, field):
    response = client.get(f"{API}/users?{query}")
    assert response.status_code == 422
    assert response.get_json()["errors"]["query"][field]


# --- groups ----------------------------------------------------------------------------------


def test_a_private_group_is_invisible_to_outsiders(client, ada_token):
    factories.group("secret-club", visibility="private", members=[factories.user("bob")])
    listed = client.get(f"{API}/groups?per_page=100", headers=bearer(ada_token)).get_json()
    assert "secret-club" not in {g["name"] for g in listed["items"]}
    for path in ("", "/members"):
        response = client.get(f"{API}/groups/secret-club{path}", headers=bearer(ada_token))
        assert response.status_code == 404
    assert client.get(f"{API}/groups/secret-club").status_code == 404
    assert (
        client.post(f"{API}/groups/secret-club/join", headers=bearer(ada_token)).status_code == 404
    )


def test_a_private_group_is_visible_to_its_members(client, ada, ada_token):
    factories.group("secret-club", visibility="private", members=[ada])
    listed = client.get(f"{API}/groups?per_page=100", headers=bearer(ada_token)).get_json()
    assert "secret-club" in {g["name"] for g in listed["items"]}
    group = client.get(f"{API}/groups/secret-club", headers=bearer(ada_token)).get_json()
    assert group["is_member"] is True and group["can"]["leave"] is True
    members = client.get(f"{API}/groups/secret-club/members", headers=bearer(ada_token))
    assert [m["user"]["username"] for m in members.get_json()["items"]] == ["ada"]


def test_joining_and_leaving_a_public_group(client, ada, ada_token):
    factories.group("club")
    joined = client.post(f"{API}/groups/club/join", headers=bearer(ada_token))
    assert joined.status_code == 200
    assert joined.get_json()["is_member"] is True and joined.get_json()["member_count"] == 1
    again = client.post(f"{API}/groups/club/join", headers=bearer(ada_token))
    assert again.status_code == 403
    left = client.post(f"{API}/groups/club/leave", headers=bearer(ada_token))
    assert left.status_code == 200 and left.get_json()["member_count"] == 0


def test_a_closed_group_takes_requests_not_joins(client, ada, ada_token):
    owner = factories.user("owner")
    factories.group("crew", visibility="closed", owner=owner)
    assert client.post(f"{API}/groups/crew/join", headers=bearer(ada_token)).status_code == 403
    response = client.post(
        f"{API}/groups/crew/requests", json={"message": "I sail."}, headers=bearer(ada_token)
    )
    assert response.status_code == 201
    assert response.get_json() | {"id": 0, "created_at": ""} == {
        "id": 0, "created_at": "", "group": "crew", "message": "I sail.", "status": "pending",
    }  # fmt: skip
    assert notify.unread_count(owner.id) == 1
    too_long = client.post(
        f"{API}/groups/crew/requests", json={"message": "x" * 501}, headers=bearer(ada_token)
    )
    assert too_long.status_code == 422 and too_long.get_json()["errors"]["json"]["message"]


def test_the_groups_list_costs_the_same_with_1_and_30_groups(client, ada, ada_token, count_queries):
    def cost():
        client.get(f"{API}/groups", headers=bearer(ada_token))  # warm: last-use, last-seen
        with count_queries() as counter:
            response = client.get(f"{API}/groups?per_page=100", headers=bearer(ada_token))
        assert response.status_code == 200
        return counter.count, response.get_json()["total"]

    factories.group("one", members=[ada])
    small, small_total = cost()
    for n in range(29):
        factories.group(f"group-{n:02}", visibility=("public", "closed", "private")[n % 3],
                        members=[ada] if n % 2 else [])  # fmt: skip
    large, large_total = cost()
    assert large_total > small_total + 20
    assert small == large <= 5


def test_members_and_people_lists_cost_the_same_whatever_their_length(
    client, ada, ada_token, count_queries
):
    club = factories.group("club", members=[ada])

    def cost(path):
        client.get(path, headers=bearer(ada_token))
        with count_queries() as counter:
            assert client.get(path, headers=bearer(ada_token)).status_code == 200
        return counter.count

    before = [cost(f"{API}/groups/club/members"), cost(f"{API}/users")]
    for n in range(30):
        groups.add_member(club, factories.user(f"member{n:02}", commit=False))
    db.session.commit()
    assert [cost(f"{API}/groups/club/members"), cost(f"{API}/users")] == before


def test_a_signed_in_browser_may_not_revoke_tokens_or_join_groups(client, login, ada):
    factories.group("club")
    issue(ada)
    login(ada)
    token_id = client.get(f"{API}/tokens").get_json()["items"][0]["id"]
    assert client.delete(f"{API}/tokens/{token_id}").status_code == 401
    assert client.post(f"{API}/groups/club/join").status_code == 401
    assert len(db.session.scalars(tokens.live_tokens_query(ada.id)).all()) == 1


# --- notifications ---------------------------------------------------------------------------


def test_notifications_are_listed_with_text_and_url(client, ada, ada_token):
    notify.notify(ada.id, "message", text="Welcome aboard", url="/groups")
    notify.notify(factories.user("bob").id, "message", text="Not for Ada")
    db.session.commit()
    page = client.get(f"{API}/notifications", headers=bearer(ada_token)).get_json()
    assert page["total"] == 1
    (item,) = page["items"]
    assert item["text"] == "Welcome aboard" and item["url"] == "http://localhost/groups"
    assert item["read_at"] is None


def test_notifications_are_marked_read_some_or_all(client, ada, ada_token):
    items = [notify.notify(ada.id, "message", text=f"n{i}") for i in range(3)]
    other = notify.notify(factories.user("bob").id, "message", text="Bob's")
    db.session.commit()
    some = client.post(
        f"{API}/notifications/read",
        json={"ids": [items[0].id, other.id]},
        headers=bearer(ada_token),
    )
    assert some.get_json() == {"marked": 1, "unread": 2}
    unread = client.get(f"{API}/notifications?unread=true", headers=bearer(ada_token)).get_json()
    assert unread["total"] == 2
    everything = client.post(f"{API}/notifications/read", headers=bearer(ada_token))
    assert everything.get_json() == {"marked": 2, "unread": 0}
    assert notify.unread_count(factories.user("carl").id) == 0


@pytest.mark.parametrize(
    "body", [{"ids": "all"}, {"ids": [1.5]}, {"ids": ["1"]}, {"ids": [0]}, {"ids": [2**40]}]
)
def test_bad_notification_ids_are_refused(client, ada_token, body):
    response = client.post(f"{API}/notifications/read", json=body, headers=bearer(ada_token))
    assert response.status_code == 422 and response.get_json()["errors"]["json"]["ids"]


# --- tokens ----------------------------------------------------------------------------------


def test_tokens_are_listed_without_their_secrets_and_revoked(client, ada, ada_token):
    listed = client.get(f"{API}/tokens", headers=bearer(ada_token)).get_json()
    (token,) = listed["items"]
    assert token["hint"].startswith("space_") and ada_token not in str(listed)
    assert token["scopes"] == ["read", "write"]
    response = client.delete(f"{API}/tokens/{token['id']}", headers=bearer(ada_token))
    assert response.status_code == 204
    assert client.get(f"{API}/tokens", headers=bearer(ada_token)).status_code == 401


@pytest.mark.parametrize("token_id", ["999", "99999999999999999999", "abc", "-1"])
def test_revoking_an_unknown_token_is_404(client, ada_token, token_id):
    response = client.delete(f"{API}/tokens/{token_id}", headers=bearer(ada_token))
    assert response.status_code == 404 and response.is_json


def test_nobody_revokes_someone_elses_token(client, ada_token):
    bob = factories.user("bob")
    issue(bob)
    bobs = db.session.scalars(tokens.live_tokens_query(bob.id)).one()
    response = client.delete(f"{API}/tokens/{bobs.id}", headers=bearer(ada_token))
    assert response.status_code == 404
    assert db.session.scalars(tokens.live_tokens_query(bob.id)).all()


def test_automatic_groups_are_listed_without_joining(client, ada_token):
    response = client.get(f"{API}/groups/trust_level_0", headers=bearer(ada_token))
    group = response.get_json()
    assert group["automatic"] is True and group["is_member"] is True
    assert group["can"] == {"join": False, "leave": False, "request": False, "manage": False}
    assert groups.by_name("trust_level_0") is not None
