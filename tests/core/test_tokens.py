"""Personal API tokens: the services, the settings pages and the command line."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from space.api import tokens
from space.audit import AuditEntry
from space.db import db
from tests import factories

SECRET_RE = re.compile(r'id="token-secret"[^>]* value="(space_[^"]+)"')


def live(user):
    return db.session.scalars(tokens.live_tokens_query(user.id)).all()


def audit_actions():
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


# --- services --------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_a_digest_and_authenticates(app):
    ada = factories.user("ada")
    token, secret = tokens.create(ada, "  laptop  ", ["write", "read", "read"])
    db.session.commit()
    assert secret.startswith(tokens.PREFIX) and len(secret) > 40
    assert token.name == "laptop" and token.scopes == ["read", "write"]
    assert secret not in {token.digest, token.hint} and secret.startswith(token.hint)
    found = tokens.authenticate(secret)
    assert found is not None and found.user.username == "ada"
    assert "token.create" in audit_actions()


@pytest.mark.parametrize(
    "secret", ["", "space_", "space_wrong", "other_prefix", "space_" + "x" * 300]
)
def test_unknown_secrets_authenticate_nobody(app, secret):
    tokens.create(factories.user("ada"), "laptop", ["read"])
    db.session.commit()
    assert tokens.authenticate(secret) is None


def test_a_revoked_token_authenticates_nobody_and_revoking_twice_changes_nothing(app):
    ada = factories.user("ada")
    token, secret = tokens.create(ada, "laptop", ["read"])
    db.session.commit()
    assert tokens.revoke(token, by=ada) is True
    assert tokens.revoke(token, by=ada) is False
    db.session.commit()
    assert tokens.authenticate(secret) is None and live(ada) == []
    assert audit_actions().count("token.revoke") == 1


def test_use_is_noted_at_most_once_a_minute(app):
    token, _secret = tokens.create(factories.user("ada"), "laptop", ["read"])
    db.session.commit()
    assert tokens.note_use(token) is True
    db.session.commit()
    assert token.last_used_at is not None
    assert tokens.note_use(token) is False


def test_unknown_or_missing_scopes_are_a_programming_error(app):
    ada = factories.user("ada")
    with pytest.raises(ValueError):
        tokens.create(ada, "laptop", ["admin"])
    with pytest.raises(ValueError):
        tokens.create(ada, "laptop", [])


def test_a_token_needs_a_name_and_people_hold_a_bounded_number(app):
    ada = factories.user("ada")
    with pytest.raises(tokens.TokenError) as blank:
        tokens.create(ada, "   ", ["read"])
    assert blank.value.field == "name"
    for n in range(tokens.MAX_LIVE_TOKENS):
        tokens.create(ada, f"t{n}", ["read"])
    with pytest.raises(tokens.TokenError):
        tokens.create(ada, "one too many", ["read"])


# --- pages -----------------------------------------------------------------------------------


def test_the_settings_page_shows_the_tokens_panel(client, login):
    ada = factories.user("ada")
    tokens.create(ada, "old laptop", ["read"])
    db.session.commit()
    login(ada)
    page = client.get("/settings").get_data(as_text=True)
    assert 'id="api-tokens"' in page and "old laptop" in page
    assert 'action="/settings/tokens"' in page
    assert re.search(
        r'<input checked id="token-scopes-0" name="scopes" type="checkbox" value="read">', page
    )


def test_creating_a_token_shows_its_secret_once(client, login, post):
    ada = factories.user("ada")
    login(ada)
    response = post("/settings/tokens", {"name": "my script", "scopes": ["read", "write"]},
                    token_from="/settings/tokens")  # fmt: skip
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = SECRET_RE.search(response.get_data(as_text=True)).group(1)
    (token,) = live(ada)
    assert token.name == "my script" and token.scopes == ["read", "write"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.get_json()["username"] == "ada"
    listing = client.get("/settings/tokens").get_data(as_text=True)
    assert "my script" in listing and secret not in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "my script"}, "Choose at least one scope."),
        ({"name": "my script", "scopes": ["root"]}, "is not a valid choice"),
        ({"name": "", "scopes": ["read"]}, "This field is required."),
        ({"name": "   ", "scopes": ["read"]}, "Give the token a name."),
        ({"name": "x" * 61, "scopes": ["read"]}, "Use at most 60 characters."),
    ],
)
def test_a_bad_token_form_comes_back_with_errors_and_input(client, login, post, data, message):
    ada = factories.user("ada")
    login(ada)
    response = post("/settings/tokens", data, token_from="/settings/tokens")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if data["name"].strip():
        assert f'value="{data["name"]}"' in page
    assert live(ada) == []


def test_a_token_is_revoked_from_the_settings(client, login, post):
    ada = factories.user("ada")
    token, secret = tokens.create(ada, "laptop", ["read"])
    db.session.commit()
    login(ada)
    response = post(f"/settings/tokens/{token.id}/revoke", token_from="/settings/tokens")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/settings#api-tokens")
    assert live(ada) == []
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


def test_nobody_revokes_someone_elses_token_from_the_settings(client, login, post):
    token, _secret = tokens.create(factories.user("bob"), "laptop", ["read"])
    db.session.commit()
    login(factories.user("ada"))
    response = post(f"/settings/tokens/{token.id}/revoke", token_from="/settings/tokens")
    assert response.status_code == 404
    assert token.revoked_at is None


def test_token_pages_need_an_account_and_a_csrf_token(client, login):
    assert client.get("/settings/tokens").status_code == 302
    login(factories.user("ada"))
    response = client.post("/settings/tokens", data={"name": "x", "scopes": ["read"]})
    assert response.status_code == 400


# --- command line ----------------------------------------------------------------------------


def test_the_command_line_creates_lists_and_revokes_tokens(runner):
    ada = factories.user("ada")
    created = runner.invoke(
        args=["space", "token", "create", "ada", "--name", "backup", "--scope", "read",
              "--scope", "write"]
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert tokens.authenticate(secret) is not None
    (token,) = live(ada)
    assert token.scopes == ["read", "write"]

    listed = runner.invoke(args=["space", "token", "list", "ada"])
    assert f"#{token.id}" in listed.output and "backup" in listed.output
    assert secret not in listed.output

    revoked = runner.invoke(args=["space", "token", "revoke", str(token.id)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    db.session.expire_all()
    assert live(ada) == []
    again = runner.invoke(args=["space", "token", "revoke", str(token.id)])
    assert "already" in again.output


def test_the_command_line_reads_by_default_and_refuses_unknown_people(runner):
    factories.user("ada")
    created = runner.invoke(args=["space", "token", "create", "ada"])
    assert created.exit_code == 0
    assert tokens.authenticate(created.output.strip().splitlines()[-1]).scopes == ["read"]
    assert runner.invoke(args=["space", "token", "create", "nobody"]).exit_code != 0
    assert runner.invoke(args=["space", "token", "list", "nobody"]).exit_code != 0
    assert runner.invoke(args=["space", "token", "revoke", "12345"]).exit_code != 0
    assert runner.invoke(args=["space", "token", "create", "ada", "--scope", "root"]).exit_code
