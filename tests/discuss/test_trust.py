"""Trust levels 1 and 2 from Discuss activity: every rule, locks, staff, the promotion's
notification, audit entry and welcome message."""

import pytest
from sqlalchemy import func, select

from plugins.discuss.models import UserStats
from plugins.discuss.services import activity, stats, trust
from space.audit import AuditEntry
from space.db import db
from space.notify import MailMessage, Notification
from space.trust import TrustLevel
from tests import factories

TL1 = {"topics_entered": 5, "posts_read": 30, "time_read_seconds": 10 * 60}
TL2 = {
    "topics_entered": 20,
    "posts_read": 100,
    "time_read_seconds": 60 * 60,
    "days_visited": 15,
    "likes_given": 1,
    "likes_received": 1,
    "topics_replied": 3,
}


def _with_stats(user, values):
    stats.bump(user.id, **values)
    db.session.commit()
    return user


def _short_by_one(values, name):
    # Reading time is kept in seconds and compared in whole minutes.
    return {**values, name: values[name] - (60 if name == "time_read_seconds" else 1)}


def _mails(user):
    return db.session.scalars(select(MailMessage).where(MailMessage.to == user.email)).all()


@pytest.mark.parametrize("name", sorted(TL1))
def test_each_level_1_requirement_short_by_one_keeps_a_newcomer_new(app, name):
    user = _with_stats(factories.user(trust_level=TrustLevel.NEW), _short_by_one(TL1, name))
    assert trust.maybe_promote(user) is False
    assert user.trust_level == TrustLevel.NEW


def test_meeting_level_1_promotes_at_once_with_notification_audit_and_welcome(app):
    user = _with_stats(factories.user(trust_level=TrustLevel.NEW), TL1)
    assert trust.maybe_promote(user) is True
    db.session.commit()
    assert user.trust_level == TrustLevel.BASIC
    note = db.session.scalar(select(Notification).where(Notification.user_id == user.id))
    assert note.kind == "promoted" and note.data["level"] == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.trust_level"))
    assert entry.target_id == user.id and entry.actor_id is None
    (mail,) = _mails(user)
    assert "basic user" in mail.subject
    assert "flag" in mail.body and f"/discuss/u/{user.username}" in mail.body


@pytest.mark.parametrize("name", sorted(TL2))
def test_each_level_2_requirement_short_by_one_keeps_level_1(app, name):
    user = _with_stats(factories.user(trust_level=TrustLevel.BASIC), _short_by_one(TL2, name))
    assert trust.maybe_promote(user) is False
    assert user.trust_level == TrustLevel.BASIC


def test_meeting_level_2_from_level_0_climbs_both_levels_at_once(app):
    user = _with_stats(factories.user(trust_level=TrustLevel.NEW), TL2)
    assert trust.maybe_promote(user) is True
    db.session.commit()
    assert user.trust_level == TrustLevel.MEMBER
    entries = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "user.trust_level")
    )
    assert entries == 1
    (mail,) = _mails(user)
    assert "member" in mail.subject
    assert "30 days" in mail.body and "flag" in mail.body  # both levels' new abilities


def test_the_welcome_message_is_in_the_persons_language(app):
    user = _with_stats(factories.user(trust_level=TrustLevel.NEW, locale="fr"), TL1)
    trust.maybe_promote(user)
    db.session.commit()
    (mail,) = _mails(user)
    assert mail.body.startswith(("Bonjour", "Hello"))  # French when translated
    assert f"/discuss/u/{user.username}" in mail.body


def test_no_welcome_mail_for_people_who_turned_mail_off(app):
    user = factories.user(trust_level=TrustLevel.NEW)
    user.email_notifications = False
    _with_stats(user, TL1)
    trust.maybe_promote(user)
    db.session.commit()
    assert user.trust_level == TrustLevel.BASIC and _mails(user) == []


def test_settings_change_the_targets(app):
    from plugins.discuss import settings

    settings.put("tl1_posts_read", 3)
    user = _with_stats(factories.user(trust_level=TrustLevel.NEW),
                       {**TL1, "posts_read": 3})  # fmt: skip
    assert trust.maybe_promote(user) is True


def test_locked_levels_never_move(app):
    user = factories.user(trust_level=TrustLevel.NEW)
    user.trust_locked = True
    _with_stats(user, TL2)
    assert trust.maybe_promote(user) is False
    summary = trust.recompute()
    db.session.commit()
    assert user.trust_level == TrustLevel.NEW and summary.promoted == 0


def test_staff_are_left_alone(app):
    moderator = _with_stats(factories.user(trust_level=TrustLevel.NEW, roles=("moderator",)), TL2)
    assert trust.maybe_promote(moderator) is False
    assert moderator.trust_level == TrustLevel.NEW


def test_level_2_never_goes_down_through_maybe_promote(app):
    user = factories.user(trust_level=TrustLevel.MEMBER)
    assert trust.maybe_promote(user) is False
    assert user.trust_level == TrustLevel.MEMBER


def test_reading_enough_promotes_on_the_read_report(app, make):
    reader = _with_stats(
        factories.user(trust_level=TrustLevel.NEW),
        {"topics_entered": 4, "posts_read": 29, "time_read_seconds": 9 * 60 + 30},
    )
    topic = make.topic()
    activity.record_topic_view(reader, topic, 1, seconds=30)
    db.session.commit()
    assert reader.trust_level == TrustLevel.BASIC
    assert db.session.get(UserStats, reader.id).topics_entered == 5


def test_trust_signals_hook_reports_the_stats(app):
    from space.plugins import hook

    user = _with_stats(factories.user(), {"posts_read": 7, "time_read_seconds": 125})
    found = {}
    for part in hook().trust_signals(user_ids=[user.id]):
        found.update(part)
    assert found[user.id]["posts_read"] == 7 and found[user.id]["minutes_read"] == 2


def test_requirements_have_labels_and_settings_targets(app):
    rows = trust.requirements_for(TrustLevel.MEMBER)
    assert {r.stat: r.target for r in rows}["days_visited"] == 15
    assert all(str(r.label) for r in rows)
    assert trust.requirements_for(TrustLevel.LEADER) == []
