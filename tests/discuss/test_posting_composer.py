"""The composer pages: new topic, reply (to a post, quoting it), edit; preview; refusals
re-render with everything typed."""

from __future__ import annotations

from sqlalchemy import select

from plugins.discuss.models import Access, Post, Topic
from space.db import db
from space.trust import TrustLevel
from tests import factories


def _topic_by_title(title):
    return db.session.scalar(select(Topic).where(Topic.title == title))


def test_new_topic_lists_only_categories_where_one_may_create(client, login, make):
    member = factories.user(trust_level=TrustLevel.MEMBER)
    insiders = factories.group("insiders")
    open_one = make.category("Open Talk")
    secret = make.category("Secret Room", groups={insiders.id: Access.CREATE})
    readonly = make.category("Announcements", groups={insiders.id: Access.CREATE})
    login(member)
    page = client.get("/discuss/new?category=" + open_one.slug).get_data(as_text=True)
    assert f'<option selected value="{open_one.slug}">' in page
    assert secret.slug not in page and readonly.slug not in page
    assert "/code-of-conduct" in page or "conduct" in page


def test_new_topic_requires_sign_in(client, make):
    make.category()
    response = client.get("/discuss/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_create_topic_through_the_form(client, login, post, make):
    category = make.category()
    user = factories.user(trust_level=TrustLevel.MEMBER)
    login(user)
    response = post(
        "/discuss/new",
        {
            "title": "How do we plan the spring meetup?",
            "category": category.slug,
            "tags": "",
            "raw": "Let us collect ideas for the spring meetup here, please.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    topic = _topic_by_title("How do we plan the spring meetup?")
    assert topic is not None and topic.category_id == category.id
    assert f"/discuss/t/{topic.slug}/{topic.id}" in response.headers["Location"]


def test_refused_topic_rerenders_with_everything_typed(client, login, post, make):
    category = make.category()
    login(factories.user(trust_level=TrustLevel.MEMBER))
    response = post(
        "/discuss/new",
        {
            "title": "Too short",
            "category": category.slug,
            "tags": "alpha, beta",
            "raw": "This body is long enough but the title is not <b>bold</b>.",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Too short"' in page
    assert "This body is long enough but the title is not &lt;b&gt;bold&lt;/b&gt;." in page
    assert 'value="alpha, beta"' in page
    assert "at least 15 characters" in page
    assert f'<option selected value="{category.slug}">' in page


def test_refused_body_message_is_at_the_field(client, login, post, make):
    category = make.category()
    login(factories.user(trust_level=TrustLevel.MEMBER))
    response = post(
        "/discuss/new",
        {"title": "A perfectly fine title here", "raw": "short", "category": category.slug},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="raw-errors"' in page and "at least 20 characters" in page
    assert 'value="A perfectly fine title here"' in page


def test_missing_fields_are_form_errors(client, login, post, make):
    make.category()
    login(factories.user(trust_level=TrustLevel.MEMBER))
    response = post("/discuss/new", {"title": "", "raw": "", "category": ""})
    assert response.status_code == 422


def test_category_outside_the_choices_is_refused(client, login, post, make):
    insiders = factories.group("insiders2")
    make.category()
    secret = make.category("Secret", groups={insiders.id: Access.CREATE})
    login(factories.user(trust_level=TrustLevel.MEMBER))
    response = post(
        "/discuss/new",
        {
            "title": "Sneaking into a secret place",
            "category": secret.slug,
            "raw": "Some text that is long enough.",
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Topic).where(Topic.category_id == secret.id)) is None


def test_preview_button_without_javascript(client, login, post, make):
    category = make.category()
    login(factories.user(trust_level=TrustLevel.MEMBER))
    response = post(
        "/discuss/new",
        {
            "title": "x",
            "category": category.slug,
            "preview": "1",
            "raw": "Some **bold** words <script>alert(1)</script>",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<strong>bold</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert _topic_by_title("x") is None


def test_preview_endpoint(client, login, make):
    from tests.conftest import csrf_token

    make.category()
    login(factories.user(trust_level=TrustLevel.MEMBER))
    token = csrf_token(client, "/discuss/new")
    response = client.post(
        "/discuss/preview", data={"raw": "Hello **world**"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert "<strong>world</strong>" in response.get_json()["html"]
    response = client.post(
        "/discuss/preview", json={"raw": "x" * 40_000}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 413
    response = client.post("/discuss/preview", json={"raw": 5}, headers={"X-CSRFToken": token})
    assert response.status_code == 400


def test_preview_needs_an_account(client):
    response = client.post("/discuss/preview", data={"raw": "hello"})
    assert response.status_code in (400, 401)  # no CSRF token either


def test_reply_to_a_post_records_reply_to(client, login, post, make):
    topic = make.topic()
    first_reply = make.reply(topic)
    user = factories.user(trust_level=TrustLevel.MEMBER)
    login(user)
    page = client.get(f"/discuss/t/{topic.id}/reply?to={first_reply.post_number}")
    assert page.status_code == 200
    assert f'name="reply_to" type="hidden" value="{first_reply.post_number}"' in page.get_data(
        as_text=True
    )
    response = post(
        f"/discuss/t/{topic.id}/reply",
        {"raw": "I agree with what you wrote above.", "reply_to": str(first_reply.post_number)},
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Post).where(Post.user_id == user.id))
    assert created.reply_to_post_number == first_reply.post_number
    db.session.refresh(first_reply)
    assert first_reply.reply_count == 1


def test_quote_prefills_the_quoted_text(client, login, make):
    author = factories.user("quotee", trust_level=TrustLevel.MEMBER)
    topic = make.topic()
    quoted = make.reply(topic, author, raw="First line of wisdom.\nSecond line <here>.")
    login(factories.user(trust_level=TrustLevel.MEMBER))
    page = client.get(f"/discuss/t/{topic.id}/reply?quote={quoted.post_number}").get_data(
        as_text=True
    )
    assert "&gt; @quotee wrote:" in page
    assert "&gt; First line of wisdom.\n&gt; Second line &lt;here&gt;." in page
    assert f'value="{quoted.post_number}"' in page


def test_refused_reply_keeps_the_text(client, login, post, make):
    topic = make.topic()
    login(factories.user(trust_level=TrustLevel.MEMBER))
    response = post(f"/discuss/t/{topic.id}/reply", {"raw": "too short <i>"})
    assert response.status_code == 422
    assert "too short &lt;i&gt;" in response.get_data(as_text=True)


def test_reply_to_a_missing_post_is_refused(client, login, post, make):
    topic = make.topic()
    login(factories.user(trust_level=TrustLevel.MEMBER))
    response = post(
        f"/discuss/t/{topic.id}/reply",
        {"raw": "Replying to something that is not there.", "reply_to": "99"},
    )
    assert response.status_code == 422
    assert "Replying to something that is not there." in response.get_data(as_text=True)


def test_reply_in_a_closed_topic_is_forbidden(client, login, post, make):
    topic = make.topic()
    topic.closed = True
    db.session.commit()
    login(factories.user(trust_level=TrustLevel.MEMBER))
    assert client.get(f"/discuss/t/{topic.id}/reply").status_code == 403


def test_private_topic_answers_404(client, login, make):
    insiders = factories.group("insiders3")
    secret = make.category("Hidden", groups={insiders.id: Access.CREATE})
    topic = make.topic(factories.admin("boss"), secret)
    login(factories.user(trust_level=TrustLevel.MEMBER))
    assert client.get(f"/discuss/t/{topic.id}/reply").status_code == 404
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert client.get(f"/discuss/p/{first.id}/edit").status_code == 404
    assert client.get(f"/discuss/p/{first.id}/revisions").status_code == 404


def test_reply_box_partial(app, make):
    from flask import render_template
    from flask_login import login_user

    topic = make.topic()
    member = factories.user(trust_level=TrustLevel.MEMBER)
    with app.test_request_context("/"):
        html = render_template("discuss/_reply_box.html", topic=topic)
        assert "/login" in html and "data-composer" not in html
    with app.test_request_context("/"):
        login_user(member)
        html = render_template("discuss/_reply_box.html", topic=topic)
        assert "data-composer" in html and f"/discuss/t/{topic.id}/reply" in html
    topic.closed = True
    db.session.commit()
    with app.test_request_context("/"):
        login_user(member)
        html = render_template("discuss/_reply_box.html", topic=topic)
        assert "data-composer" not in html and "reply-closed" in html


def test_first_post_points_to_the_code_of_conduct(client, login, make):
    topic = make.topic()
    newcomer = factories.user(trust_level=TrustLevel.NEW)
    from space.moderation import coc

    coc.acknowledge(newcomer)  # else the composer sends them to acknowledge it first
    db.session.commit()
    login(newcomer)
    assert "composer-welcome" in client.get(f"/discuss/t/{topic.id}/reply").get_data(as_text=True)
    make.reply(topic, newcomer)
    assert "composer-welcome" not in client.get("/discuss/new").get_data(as_text=True)
