"""Registration, confirmation, sign-in, password reset."""

import re

import pytest
from sqlalchemy import select

from space.accounts import services
from space.accounts.models import User
from space.db import db
from space.notify import MailMessage
from tests import factories
from tests.conftest import csrf_token


def last_mail(to: str) -> MailMessage:
    return db.session.scalars(
        select(MailMessage).where(MailMessage.to == to).order_by(MailMessage.id.desc())
    ).first()


def link_in(message: MailMessage, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({path}/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def register(post, **fields):
    data = {"username": "ada", "email": "ada@example.org", "password": "a long password",
            "accept": "y"}  # fmt: skip
    data.update(fields)
    return post("/register", data, token_from="/register")


def test_registering_opens_an_unconfirmed_tl0_account_and_mails_a_link(client, post):
    response = register(post)
    assert response.status_code == 200
    assert b"Check your email" in response.data
    user = services.by_username("ada")
    assert user.trust_level == 0 and not user.is_confirmed
    assert user.check_password("a long password")
    assert "/confirm/" in last_mail("ada@example.org").body


def test_the_confirmation_link_confirms_the_account(client, post):
    register(post)
    response = client.get(link_in(last_mail("ada@example.org"), "/confirm"))
    assert response.status_code == 302
    assert services.by_username("ada").is_confirmed


def test_a_tampered_confirmation_link_is_refused_with_a_message(client):
    response = client.get("/confirm/not-a-real-token")
    assert response.status_code == 400
    assert b"not valid" in response.data


def test_registration_keeps_the_input_and_explains_each_error(client, post):
    response = register(post, username="x", email="not-an-email", password="short", accept="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="x"' in html and 'value="not-an-email"' in html
    assert "Enter a valid email address." in html
    assert "Use between 10 and 200 characters." in html
    assert "This field is required." in html
    assert db.session.scalar(select(User)) is None


@pytest.mark.parametrize("taken", ["ada", "ADA"])
def test_a_taken_username_is_refused_whatever_its_case(post, taken):
    factories.user("ada")
    response = register(post, username=taken, email="other@example.org")
    assert response.status_code == 422
    assert b"This username is taken." in response.data


def test_a_reserved_username_is_refused(post):
    response = register(post, username="admin")
    assert b"This username is reserved." in response.data


def test_an_email_in_use_is_refused(post):
    factories.user("bob", email="ada@example.org")
    response = register(post, email="ADA@example.org")
    assert response.status_code == 422
    assert b"exists already" in response.data


def test_login_with_username_or_email_and_logout(client, login, post):
    ada = factories.user("ada")
    login(ada)
    assert client.get("/settings").status_code == 200
    post("/logout")
    assert client.get("/settings").status_code == 302
    response = post("/login", {"login": "ADA@example.org", "password": factories.PASSWORD},
                    token_from="/login")  # fmt: skip
    assert response.status_code == 302


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(post):
    factories.user("ada")
    response = post("/login", {"login": "ada", "password": "wrong one!"}, token_from="/login")
    assert response.status_code == 422
    assert b"The username, email or password is not right." in response.data
    assert b'value="ada"' in response.data


def test_an_unconfirmed_account_cannot_log_in_yet(post):
    factories.user("ada", confirmed=False)
    response = post("/login", {"login": "ada", "password": factories.PASSWORD},
                    token_from="/login")  # fmt: skip
    assert response.status_code == 403
    assert b"Confirm your email address first" in response.data


def test_login_redirects_only_to_this_site(client, post):
    factories.user("ada")
    data = {"login": "ada", "password": factories.PASSWORD}
    response = post("/login", {**data, "next": "https://evil.example/"}, token_from="/login")
    assert response.headers["Location"] == "/"
    post("/logout")
    response = post("/login", {**data, "next": "/groups"}, token_from="/login")
    assert response.headers["Location"] == "/groups"
    post("/logout")
    response = post("/login", {**data, "next": "//evil.example/x"}, token_from="/login")
    assert response.headers["Location"] == "/"


def test_a_protected_page_sends_readers_to_login_and_back(client):
    response = client.get("/settings")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_password_reset_by_email_link_works_once(client, post):
    ada = factories.user("ada")
    post("/password/forgot", {"login": "ada"}, token_from="/password/forgot")
    path = link_in(last_mail(ada.email), "/password/reset")
    response = post(path, {"password": "a brand new pass", "confirm": "a brand new pass"},
                    token_from=path)  # fmt: skip
    assert response.status_code == 302
    assert services.by_username("ada").check_password("a brand new pass")
    again = client.get(path)
    assert again.status_code == 400
    assert b"has been used" in again.data


def test_asking_a_reset_for_nobody_reveals_nothing(post):
    response = post("/password/forgot", {"login": "nobody"}, token_from="/password/forgot")
    assert response.status_code == 302
    assert db.session.scalar(select(MailMessage)) is None


def test_reset_with_mismatched_passwords_keeps_the_form(client, post):
    ada = factories.user("ada")
    path = "/password/reset/" + services.reset_token(ada)
    response = post(path, {"password": "a brand new pass", "confirm": "another one!!"},
                    token_from=path)  # fmt: skip
    assert response.status_code == 422
    assert b"The two entries do not match." in response.data


def test_changing_the_password_signs_out_other_sessions(app, client, login):
    ada = factories.user("ada")
    other = app.test_client()
    login(ada)
    token = csrf_token(other, "/login")
    other.post("/login", data={"login": "ada", "password": factories.PASSWORD,
                               "csrf_token": token})  # fmt: skip
    assert other.get("/settings").status_code == 200
    services.set_password(db.session.get(User, ada.id), "another long password")
    db.session.commit()
    assert other.get("/settings").status_code == 302


def test_resend_confirmation_sends_a_new_link_to_unconfirmed_accounts_only(post):
    factories.user("ada", confirmed=False)
    factories.user("bob")
    post("/confirm", {"login": "ada"}, token_from="/confirm")
    post("/confirm", {"login": "bob"}, token_from="/confirm")
    assert last_mail("ada@example.org") is not None
    assert last_mail("bob@example.org") is None


class TestRateLimits:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "SPACE_RATELIMIT_LOGIN": "3 per minute"}

    def test_login_is_throttled_with_a_translated_429(self, post):
        factories.user("ada")
        codes = [
            post(
                "/login", {"login": "ada", "password": "wrong password"}, token_from="/login"
            ).status_code  # fmt: skip
            for _ in range(4)
        ]
        assert codes[:3] == [422, 422, 422]
        assert codes[3] == 429


class TestRateLimitsSharedInRedis:
    """With SPACE_REDIS_URL, limits live in Redis, so every app process shares them."""

    @pytest.fixture
    def app_config(self):
        import uuid

        import redis

        url = "redis://127.0.0.1:6379/15"
        try:
            redis.Redis.from_url(url).ping()
        except redis.RedisError:
            pytest.skip("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
        return {
            "RATELIMIT_ENABLED": True,
            "SPACE_REDIS_URL": url,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "SPACE_RATELIMIT_LOGIN": "2 per minute",
        }

    def test_a_second_app_process_sees_the_first_ones_attempts(self, app, post, tmp_path):
        import redis

        from tests.conftest import make_app

        factories.user("ada")
        for _ in range(2):
            post("/login", {"login": "ada", "password": "wrong password"}, token_from="/login")
        assert app.config["RATELIMIT_STORAGE_URI"] == app.config["SPACE_REDIS_URL"]
        prefix = app.config["RATELIMIT_KEY_PREFIX"]
        assert redis.Redis.from_url(app.config["SPACE_REDIS_URL"]).keys(f"*{prefix}*")
        other = make_app(app.config["SPACE_DATABASE_URL"], tmp_path / "other",
                         **{k: app.config[k] for k in ("RATELIMIT_ENABLED",
                                                       "RATELIMIT_KEY_PREFIX", "SPACE_REDIS_URL",
                                                       "SPACE_RATELIMIT_LOGIN")})  # fmt: skip
        client = other.test_client()
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"login": "ada", "password": "wrong password",
                                               "csrf_token": token})  # fmt: skip
        assert response.status_code == 429
