"""The code of conduct, acknowledged once by a newcomer (TL0, not staff) before their first
post; never asked of members from trust level 1 or of staff."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from plugins.discuss.models import Draft
from space.db import db
from space.moderation import coc
from space.moderation.models import Acknowledgment
from space.trust import TrustLevel
from tests import factories
from tests.discuss.conftest import Maker


@pytest.fixture
def app_config():
    return {"SPACE_PLUGINS": ["discuss"]}


@pytest.fixture
def make(app):
    from plugins.discuss import settings

    for name in ("topic_interval", "post_interval", "newuser_topic_interval",
                 "newuser_post_interval"):  # fmt: skip
        settings.put(name, 0)
    db.session.commit()
    return Maker()


@pytest.fixture
def newcomer(app):
    return factories.user("newbie", trust_level=TrustLevel.NEW, locale="en")


def next_of(response) -> str:
    location = urlsplit(response.headers["Location"])
    assert location.path == "/code-of-conduct/acknowledge"
    return parse_qs(location.query)["next"][0]


def test_a_newcomer_acknowledges_once_before_a_first_topic(app, client, login, post, make,
                                                           newcomer):  # fmt: skip
    make.category()
    login(newcomer)
    response = client.get("/discuss/new?category=x")
    assert response.status_code == 302 and next_of(response) == "/discuss/new?category=x"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "I have read it and will follow it" in page.get_data(as_text=True)
    done = post("/code-of-conduct/acknowledge", {"next": "/discuss/new?category=x"})
    assert done.status_code == 302 and done.headers["Location"] == "/discuss/new?category=x"
    assert db.session.get(Acknowledgment, newcomer.id) is not None
    assert client.get("/discuss/new").status_code == 200
    # Once is enough: acknowledging again changes nothing.
    assert post("/code-of-conduct/acknowledge", {"next": "/"}).status_code == 302
    assert db.session.scalar(select(db.func.count(Acknowledgment.user_id))) == 1


def test_a_reply_posted_before_acknowledging_is_kept_as_a_draft(app, client, login, post, make,
                                                                newcomer):  # fmt: skip
    topic = make.topic()
    login(newcomer)
    text = "My very first reply, typed before reading the rules."
    response = post(f"/discuss/t/{topic.id}/reply", {"raw": text})
    assert response.status_code == 302 and next_of(response) == f"/discuss/t/{topic.id}/reply"
    draft = db.session.scalar(select(Draft).where(Draft.user_id == newcomer.id))
    assert draft.key == f"reply:{topic.id}" and draft.data["raw"] == text
    post("/code-of-conduct/acknowledge", {"next": f"/discuss/t/{topic.id}/reply"})
    page = client.get(f"/discuss/t/{topic.id}/reply")
    assert page.status_code == 200 and text in page.get_data(as_text=True)
    assert post(f"/discuss/t/{topic.id}/reply", {"raw": text}).status_code == 302


@pytest.mark.parametrize(
    "who",
    [
        {"trust_level": TrustLevel.BASIC},
        {"trust_level": TrustLevel.NEW, "roles": ("moderator",)},
        {"trust_level": TrustLevel.NEW, "roles": ("admin",)},
    ],
)
def test_members_from_tl1_and_staff_are_not_asked(app, client, login, make, who):
    topic = make.topic()
    person = factories.user("someone", locale="en", **who)
    login(person)
    assert client.get("/discuss/new").status_code == 200
    assert client.get(f"/discuss/t/{topic.id}/reply").status_code == 200
    assert coc.require_acknowledgment(person, "/") is None


def test_acknowledged_costs_one_query_per_request(app, newcomer, count_queries):
    db.session.refresh(newcomer)
    with app.test_request_context(), count_queries() as counter:
        assert coc.acknowledged(newcomer) is False
        assert coc.acknowledged(newcomer) is False
        assert coc.require_acknowledgment(newcomer, "/x") == (
            "/code-of-conduct/acknowledge?next=/x"
        )
    assert counter.count == 1


def test_the_page_needs_an_account_and_ignores_foreign_next(app, client, login, post, newcomer):
    response = client.get("/code-of-conduct/acknowledge")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(newcomer)
    done = post("/code-of-conduct/acknowledge", {"next": "https://evil.example/"})
    assert done.status_code == 302 and done.headers["Location"] == "/"
