"""Penalties: warnings, silences and suspensions — escalating lengths, enforcement in pages
and the API, lifting, expiry, notices, and who may give them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from space.accounts.models import User
from space.api import tokens
from space.audit import AuditEntry
from space.db import db, utcnow
from space.moderation import penalties
from space.moderation.models import Penalty, PenaltyKind
from space.notify import MailMessage, Notification
from space.trust import TrustLevel
from tests import factories
from tests.discuss.conftest import Maker

API = "/api/v1/discuss"


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
def mod(app):
    return factories.moderator(locale="en")


@pytest.fixture
def member(app):
    return factories.user("mia", trust_level=TrustLevel.MEMBER, locale="en")


def bearer(user) -> dict:
    _token, secret = tokens.create(user, "tests", ["read", "write"])
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def length_days(penalty: Penalty) -> float:
    return (penalty.ends_at - penalty.starts_at) / timedelta(days=1)


# --- escalation, state ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", [PenaltyKind.SILENCE, PenaltyKind.SUSPEND])
def test_default_lengths_escalate_1_3_7_30_days(app, mod, member, kind):
    give = penalties.silence if kind == PenaltyKind.SILENCE else penalties.suspend
    lengths = []
    for _ in range(5):
        assert penalties.next_days(member, kind) == ([1, 3, 7, 30, 30][len(lengths)])
        penalty = give(member, by=mod, reason="Rude again")
        db.session.commit()
        lengths.append(round(length_days(penalty)))
        penalties.lift(penalty, by=mod)
        db.session.commit()
    assert lengths == [1, 3, 7, 30, 30]
    # The other kind keeps its own count.
    other = PenaltyKind.SUSPEND if kind == PenaltyKind.SILENCE else PenaltyKind.SILENCE
    assert penalties.next_days(member, other) == 1


def test_explicit_days_and_until_lifted(app, mod, member):
    penalty = penalties.silence(member, by=mod, reason="Spam", days=10)
    db.session.commit()
    assert round(length_days(penalty)) == 10
    forever = penalties.silence(member, by=mod, reason="Spam", days=0)
    db.session.commit()
    assert forever.ends_at is None
    assert penalties.is_forever(fresh(member).silenced_until)
    assert penalties.is_silenced(fresh(member))
    # Lifting the endless one leaves the ten-day one in force.
    penalties.lift(forever, by=mod)
    db.session.commit()
    user = fresh(member)
    assert penalties.is_silenced(user) and not penalties.is_forever(user.silenced_until)
    assert [p.id for p in penalties.active(user)] == [penalty.id]


def test_expired_penalties_lapse(app, mod, member):
    penalty = penalties.silence(member, by=mod, reason="Heated", days=1)
    db.session.commit()
    past = utcnow() - timedelta(minutes=1)
    penalty.ends_at = past
    db.session.get(User, member.id).silenced_until = past
    db.session.commit()
    user = fresh(member)
    assert not penalties.is_silenced(user)
    assert penalties.active(user) == []
    assert penalties.silence_notice(user) is None
    assert penalties.lift(penalty, by=mod) is False  # nothing to lift


def test_a_warning_notifies_and_restricts_nothing(app, client, login, mod, member):
    penalties.warn(member, by=mod, reason="Keep it civil", message="Please read the rules.")
    db.session.commit()
    user = fresh(member)
    assert not penalties.is_silenced(user) and not penalties.is_suspended(user)
    assert penalties.active(user) == []
    note = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert note.kind == "penalty" and note.data["penalty"] == "warning"
    login(member)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Keep it civil" in page and "Please read the rules." in page


def test_penalties_are_audited(app, mod, member):
    penalty = penalties.silence(member, by=mod, reason="Spam", days=2)
    penalties.warn(member, by=mod, reason="Careful")
    db.session.commit()
    penalties.lift(penalty, by=mod)
    db.session.commit()
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == "user",
                                 AuditEntry.target_id == member.id).order_by(AuditEntry.id)
    ).all()  # fmt: skip
    assert [e.action for e in entries] == [
        "moderation.silence",
        "moderation.warn",
        "moderation.lift",
    ]
    assert entries[0].actor_id == mod.id and entries[0].reason == "Spam"
    assert entries[0].details["days"] == 2


# --- silence --------------------------------------------------------------------------------


def test_a_silenced_member_cannot_write_through_pages(app, client, login, post, make, mod,
                                                      member):  # fmt: skip
    topic = make.topic()
    reply = make.reply(topic)
    penalties.silence(member, by=mod, reason="Flame war", days=3)
    db.session.commit()
    login(member)
    new = client.get("/discuss/new")
    assert new.status_code == 403
    assert "You are silenced until" in new.get_data(as_text=True)
    assert "Flame war" in new.get_data(as_text=True)
    assert client.get(f"/discuss/t/{topic.id}/reply").status_code == 403
    refused = post(f"/discuss/t/{topic.id}/reply", {"raw": "I have more to say, " * 3})
    assert refused.status_code == 403
    # Reading and liking still work; the reply box says why it is missing.
    page = client.get(f"/discuss/t/{topic.slug}/{topic.id}")
    assert page.status_code == 200
    assert 'id="silence-notice"' in page.get_data(as_text=True)
    assert post(f"/discuss/p/{reply.id}/like").status_code in {200, 302, 303}
    from plugins.discuss.models import PostLike

    assert db.session.scalar(select(PostLike).where(PostLike.user_id == member.id)) is not None


def test_a_silenced_member_cannot_write_through_the_api(app, client, make, mod, member):
    category = make.category()
    topic = make.topic(category=category)
    slug = category.slug
    headers = bearer(member)
    penalties.silence(member, by=mod, reason="Spam")
    db.session.commit()
    created = client.post(f"{API}/topics", headers=headers, json={
        "category": slug, "title": "A brand new topic here", "raw": "Some text " * 5, "tags": [],
    })  # fmt: skip
    assert created.status_code == 403
    assert "silenced" in created.get_json()["message"]
    replied = client.post(f"{API}/topics/{topic.id}/posts", headers=headers,
                          json={"raw": "A reply that is long enough."})  # fmt: skip
    assert replied.status_code == 403
    assert client.get(f"{API}/topics/{topic.id}", headers=headers).status_code == 200


def test_lifting_a_silence_restores_writing(app, client, login, post, make, mod, member):
    topic = make.topic()
    penalty = penalties.silence(member, by=mod, reason="Flame war")
    db.session.commit()
    penalties.lift(penalty, by=mod)
    db.session.commit()
    assert not penalties.is_silenced(fresh(member))
    login(member)
    response = post(f"/discuss/t/{topic.id}/reply", {"raw": "Back again with something useful."})
    assert response.status_code == 302
    kinds = [
        n.data.get("lifted")
        for n in db.session.scalars(
            select(Notification).where(Notification.user_id == member.id).order_by(Notification.id)
        )
    ]
    assert kinds == [None, True]


# --- suspension -----------------------------------------------------------------------------


def test_a_suspended_person_cannot_log_in_and_is_told_why_and_until_when(app, client, mod,
                                                                        member):  # fmt: skip
    penalties.suspend(member, by=mod, reason="Harassment", days=7)
    db.session.commit()
    from tests.conftest import csrf_token

    response = client.post("/login", data={"login": "mia", "password": factories.PASSWORD,
                                           "csrf_token": csrf_token(client)})  # fmt: skip
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Your account is suspended until" in html and "Harassment" in html
    assert re.search(r'name="login"[^>]*value="mia"', html)  # what they typed stays
    # A wrong password learns nothing about the suspension.
    wrong = client.post("/login", data={"login": "mia", "password": "not the password",
                                        "csrf_token": csrf_token(client)})  # fmt: skip
    assert "suspended" not in wrong.get_data(as_text=True)


def test_suspension_signs_out_running_sessions_and_emails_the_person(app, client, login, mod):
    person = factories.user("lea", trust_level=TrustLevel.MEMBER, locale="fr")
    login(person)
    assert client.get("/settings").status_code == 200
    penalties.suspend(person, by=mod, reason="Threats", days=0)
    db.session.commit()
    assert client.get("/settings").status_code == 302  # to the login page
    mail = db.session.scalar(select(MailMessage).where(MailMessage.to == person.email))
    assert mail is not None and "Threats" in mail.body
    assert "suspendu" in mail.subject.lower() or "suspend" in mail.subject.lower()


def test_a_suspended_persons_api_token_is_refused(app, client, mod, member):
    headers = bearer(member)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    penalties.suspend(member, by=mod, reason="Spam")
    db.session.commit()
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 403
    assert "suspended" in response.get_json()["message"]


def test_lifting_a_suspension_lets_them_log_in(app, client, login, mod, member):
    penalty = penalties.suspend(member, by=mod, reason="Spam")
    db.session.commit()
    penalties.lift(penalty, by=mod)
    db.session.commit()
    login(member)


# --- who may --------------------------------------------------------------------------------


def test_rules_on_who_penalizes_whom(app, mod):
    admin = factories.admin()
    other_mod = factories.moderator("othermod")
    leader = factories.user(trust_level=TrustLevel.LEADER)
    member = factories.user(trust_level=TrustLevel.MEMBER)
    with pytest.raises(penalties.PenaltyError):
        penalties.silence(member, by=leader, reason="x")  # TL4 is not staff
    with pytest.raises(penalties.PenaltyError):
        penalties.silence(admin, by=mod, reason="x")
    with pytest.raises(penalties.PenaltyError):
        penalties.silence(admin, by=None, reason="x")
    with pytest.raises(penalties.PenaltyError):
        penalties.suspend(other_mod, by=mod, reason="x")
    with pytest.raises(penalties.PenaltyError):
        penalties.silence(mod, by=mod, reason="x")
    with pytest.raises(penalties.PenaltyError) as refused:
        penalties.silence(member, by=mod, reason="  ")
    assert refused.value.field == "reason"
    penalties.warn(other_mod, by=mod, reason="Careful")
    penalties.silence(other_mod, by=admin, reason="Abuse of tools", days=1)
    penalties.silence(member, by=None, reason="Spam flags")  # the automatic rules
    db.session.commit()


def test_tl4_non_staff_cannot_reach_or_use_the_penalty_pages(app, client, login, post, member):
    leader = factories.user("lead4", trust_level=TrustLevel.LEADER, locale="en")
    login(leader)
    assert client.get("/admin/moderation/users/mia").status_code == 403
    response = post("/admin/moderation/users/mia", {"kind": "silence", "reason": "x"})
    assert response.status_code == 403
    assert not penalties.is_silenced(fresh(member))


def test_a_moderator_penalizes_through_the_page(app, client, login, post, mod, member):
    login(mod)
    page = client.get("/admin/moderation/users/mia")
    assert page.status_code == 200
    assert 'id="state-clear"' in page.get_data(as_text=True)
    response = post(
        "/admin/moderation/users/mia",
        {"kind": "silence", "reason": "Insults", "message": "Cool down.", "days": ""},
    )
    assert response.status_code == 302
    user = fresh(member)
    assert penalties.is_silenced(user)
    [penalty] = penalties.active(user)
    assert round(length_days(penalty)) == 1 and penalty.by_id == mod.id
    page = client.get("/admin/moderation/users/mia").get_data(as_text=True)
    assert 'id="state-silenced"' in page and f'id="penalty-{penalty.id}"' in page
    lifted = post(f"/admin/moderation/penalties/{penalty.id}/lift")
    assert lifted.status_code == 302
    assert not penalties.is_silenced(fresh(member))


def test_the_penalty_form_keeps_what_was_typed_when_refused(app, client, login, post, mod,
                                                            member):  # fmt: skip
    login(mod)
    response = post(
        "/admin/moderation/users/mia",
        {"kind": "suspend", "reason": "", "message": "Typed message", "days": "5"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Typed message" in html and 'value="5"' in html
    other = factories.moderator("othermod")
    refused = post(
        f"/admin/moderation/users/{other.username}",
        {"kind": "suspend", "reason": "Because", "days": "2"},
    )
    assert refused.status_code == 422
    assert "Only admins may silence or suspend" in refused.get_data(as_text=True)
    assert post("/admin/moderation/users/mia", {"kind": "silence", "reason": "x",
                                                "days": "99999"}).status_code == 422  # fmt: skip
    assert client.get("/admin/moderation/users/nobody").status_code == 404
    assert post("/admin/moderation/penalties/999/lift").status_code == 404


def test_the_admin_user_page_links_to_penalties(app, client, login, member):
    admin = factories.admin(locale="en")
    penalties.silence(member, by=admin, reason="Spam")
    db.session.commit()
    login(admin)
    html = client.get("/admin/users/mia").get_data(as_text=True)
    assert 'id="admin-penalties"' in html and "/admin/moderation/users/mia" in html
    assert "Silenced until" in html
