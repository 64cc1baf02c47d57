"""The automatic rules of moderation, table-driven from the spec's worked examples, and who
may flag what — through the test plugin's "test.note" items, without Discuss."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from space import notify
from space.accounts.models import User
from space.db import db, utcnow
from space.moderation import decisions, penalties, rules, services
from space.moderation.models import (
    Flag,
    FlagStatus,
    Penalty,
    PenaltyKind,
    Priority,
    ReviewHistory,
    ReviewItem,
    ReviewStatus,
)
from space.moderation.services import ModerationError, NotFound
from space.trust import TrustLevel
from tests import factories
from tests.plugins.reviewables import Note, create_tables, make_note


@pytest.fixture
def app_config():
    return {"SPACE_PLUGINS": ["tests.plugins.reviewables"]}


@pytest.fixture(autouse=True)
def _tables(app):
    create_tables()


def flaggers(level: int, n: int, **kwargs) -> list[User]:
    return [factories.user(trust_level=TrustLevel(level), **kwargs) for _ in range(n)]


def flag(user, note, reason="inappropriate", message="", **kwargs) -> Flag:
    created = services.flag(user, "test.note", note.id, reason, message, **kwargs)
    db.session.commit()
    return created


def item_of(note) -> ReviewItem | None:
    db.session.expire_all()
    return db.session.scalar(
        select(ReviewItem).where(ReviewItem.item_type == "test.note", ReviewItem.item_id == note.id)
    )


def fresh(note) -> Note:
    db.session.expire_all()
    return db.session.get(Note, note.id)


def kinds_for(user) -> list[str]:
    return list(
        db.session.scalars(
            select(notify.Notification.kind)
            .where(notify.Notification.user_id == user.id)
            .order_by(notify.Notification.id)
        )
    )


def history_of(item) -> list[str]:
    return list(
        db.session.scalars(
            select(ReviewHistory.action)
            .where(ReviewHistory.review_item_id == item.id)
            .order_by(ReviewHistory.id)
        )
    )


# --- hiding: the worked examples -------------------------------------------------------------


@pytest.mark.parametrize(
    "levels, hidden",
    [
        ([2, 2, 2], True),  # 3 × 3 = 9 ≥ 8.33
        ([2, 2], False),
        ([1, 1, 1, 1], False),  # 4 × 2 = 8
        ([1, 1, 1, 1, 1], True),  # 10
        ([3, 3], False),  # 2 × 4 = 8
        ([3, 3, 1], True),
        ([4, 4], True),  # 2 × 5 = 10
    ],
)
def test_flags_hide_a_note_when_their_weights_reach_the_threshold(app, levels, hidden):
    author = factories.user(trust_level=TrustLevel.MEMBER)
    note = make_note(author)
    for level in levels:
        flag(factories.user(trust_level=TrustLevel(level)), note)
    item = item_of(note)
    assert item.score == pytest.approx(sum(1 + level for level in levels))
    assert fresh(note).hidden is hidden
    assert (item.hidden_at is not None) is hidden
    assert item.hide_count == (1 if hidden else 0)
    assert ("content_hidden" in kinds_for(author)) is hidden


@pytest.mark.parametrize(
    "take_action, hidden",
    [(True, True), (False, False)],
)
def test_a_staff_flag_hides_at_once_only_with_take_action(app, take_action, hidden):
    author = factories.user()
    note = make_note(author)
    staff = factories.moderator()
    created = flag(staff, note, take_action=take_action)
    assert created.weight == 5 and created.take_action is take_action
    assert fresh(note).hidden is hidden


def test_take_action_from_a_member_is_ignored(app):
    note = make_note(factories.user())
    created = flag(factories.user(trust_level=TrustLevel.LEADER), note, take_action=True)
    assert created.take_action is False
    assert fresh(note).hidden is False


@pytest.mark.parametrize(
    "flagger_level, author_level, reason, hidden",
    [
        (3, 0, "spam", True),  # a TL3+ spam flag on a TL0 author's item: at once
        (4, 0, "spam", True),
        (2, 0, "spam", False),
        (3, 1, "spam", False),
        (3, 0, "inappropriate", False),
    ],
)
def test_a_regular_spam_flag_on_a_new_users_item_hides_it_at_once(
    app, flagger_level, author_level, reason, hidden
):
    note = make_note(factories.user(trust_level=TrustLevel(author_level)))
    flag(factories.user(trust_level=TrustLevel(flagger_level)), note, reason)
    assert fresh(note).hidden is hidden


# --- the author's edit -----------------------------------------------------------------------


def _hide(note):
    for user in flaggers(2, 3):
        flag(user, note)
    assert fresh(note).hidden


def _hidden_minutes_ago(note, minutes: int) -> None:
    item = item_of(note)
    item.hidden_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


def test_the_authors_edit_unhides_once_after_ten_minutes(app):
    author = factories.user()
    note = make_note(author)
    _hide(note)
    # Too early: stays hidden.
    assert services.author_edited("test.note", note.id) is False
    db.session.commit()
    assert fresh(note).hidden
    _hidden_minutes_ago(note, 11)
    assert services.author_edited("test.note", note.id) is True
    db.session.commit()
    assert fresh(note).hidden is False
    item = item_of(note)
    assert item.hidden_at is None and item.status == ReviewStatus.PENDING
    assert "unhidden_by_edit" in history_of(item)

    # The score is still over the threshold: the next flag hides it again, for good.
    flag(factories.user(trust_level=TrustLevel.BASIC), note)
    item = item_of(note)
    assert fresh(note).hidden and item.hide_count == 2
    _hidden_minutes_ago(note, 60)
    assert services.author_edited("test.note", note.id) is False
    db.session.commit()
    assert fresh(note).hidden


def test_editing_an_item_that_is_not_hidden_or_not_flagged_changes_nothing(app):
    note = make_note(factories.user())
    assert services.author_edited("test.note", note.id) is False
    flag(factories.user(), note)
    assert services.author_edited("test.note", note.id) is False


# --- closing the container and silencing spammers ---------------------------------------------


@pytest.mark.parametrize(
    "level, count, closed",
    [
        (4, 5, True),  # 5 flaggers, 25 points: closes
        (4, 4, False),  # 20 points, 4 flaggers
        (1, 5, False),  # 5 flaggers, 10 points
        (4, 6, True),
    ],
)
def test_flags_across_a_container_close_it(app, level, count, closed):
    author = factories.user()
    notes = [make_note(author, container="topic:1") for _ in range(count)]
    for user, note in zip(flaggers(level, count), notes, strict=True):
        flag(user, note)
    events = [event for note in notes for event in fresh(note).events]
    closes = [event for event in events if event.startswith("close:")]
    assert closes == (["close:4"] if closed else [])
    if closed:
        assert (
            db.session.scalar(
                select(func.count(ReviewHistory.id)).where(
                    ReviewHistory.action == "closed_container"
                )
            )
            == 1
        )


def test_notes_without_a_container_never_close(app):
    author = factories.user()
    note = make_note(author)
    for user in flaggers(4, 5):
        flag(user, note)
    assert not [event for event in fresh(note).events if event.startswith("close:")]


def test_spam_flags_from_three_people_silence_a_new_user(app):
    author = factories.user(trust_level=TrustLevel.NEW)
    notes = [make_note(author) for _ in range(3)]
    people = flaggers(1, 3)
    flag(people[0], notes[0], "spam")
    flag(people[1], notes[0], "spam")
    db.session.expire_all()
    assert not penalties.is_silenced(db.session.get(User, author.id))
    flag(people[2], notes[1], "spam")
    author = db.session.get(User, author.id)
    assert penalties.is_silenced(author)
    penalty = db.session.scalars(select(Penalty).where(Penalty.user_id == author.id)).one()
    assert penalty.kind == PenaltyKind.SILENCE and penalty.by_id is None
    assert "penalty" in kinds_for(author)
    # Silenced now, the author cannot flag either.
    other = make_note(factories.user())
    with pytest.raises(ModerationError):
        services.flag(author, "test.note", other.id, "illegal", "bad")


def test_spam_flags_on_a_basic_users_items_do_not_silence(app):
    author = factories.user(trust_level=TrustLevel.BASIC)
    note = make_note(author)
    for user in flaggers(1, 3):
        flag(user, note, "spam")
    assert not penalties.is_silenced(db.session.get(User, author.id))


def test_one_persons_spam_flags_never_silence(app):
    author = factories.user(trust_level=TrustLevel.NEW)
    person = factories.user()
    for note in [make_note(author) for _ in range(3)]:
        flag(person, note, "spam")
    assert not penalties.is_silenced(db.session.get(User, author.id))


# --- who may flag what -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "reason, message, allowed",
    [
        ("illegal", "It breaks the law.", True),
        ("illegal", "", False),
        ("spam", "", False),
        ("inappropriate", "", False),
        ("off_topic", "", False),
        ("other", "why", False),
    ],
)
def test_a_new_user_may_only_report_illegal_content(app, reason, message, allowed):
    note = make_note(factories.user())
    newbie = factories.user(trust_level=TrustLevel.NEW)
    if allowed:
        assert flag(newbie, note, reason, message).weight == 1
    else:
        with pytest.raises(ModerationError):
            flag(newbie, note, reason, message)


@pytest.mark.parametrize("reason", ["illegal", "other", "message_author"])
def test_some_reasons_need_a_message(app, reason):
    note = make_note(factories.user())
    with pytest.raises(ModerationError) as refused:
        flag(factories.user(), note, reason, "   ")
    assert refused.value.field == "message"
    assert flag(factories.user(), note, reason, "Here is why.").reason == reason


def test_an_unknown_reason_is_refused(app):
    note = make_note(factories.user())
    with pytest.raises(ModerationError) as refused:
        flag(factories.user(), note, "boring")
    assert refused.value.field == "reason"


def test_one_flag_per_person_per_item(app):
    note = make_note(factories.user())
    person = factories.user()
    flag(person, note, "spam")
    with pytest.raises(ModerationError):
        flag(person, note, "inappropriate")
    assert db.session.scalar(select(func.count(Flag.id))) == 1


def test_nobody_flags_their_own_note_or_one_they_cannot_see(app):
    author = factories.user()
    with pytest.raises(ModerationError):
        flag(author, make_note(author))
    private = make_note(author, private=True)
    with pytest.raises(NotFound):
        flag(factories.user(), private)
    with pytest.raises(NotFound):
        services.flag(factories.user(), "test.note", 999_999, "spam")
    with pytest.raises(NotFound):
        services.flag(factories.user(), "nothing.here", private.id, "spam")


def test_message_the_author_tells_them_and_never_enters_the_queue(app):
    author = factories.user()
    note = make_note(author)
    created = flag(factories.user(), note, "message_author", "Could you add a source?")
    assert created.review_item_id is None and created.status == FlagStatus.IGNORED
    assert item_of(note) is None
    assert kinds_for(author) == ["flag_message"]


def test_an_illegal_flag_is_high_priority_and_calls_moderators_once(app):
    moderator = factories.moderator()
    note = make_note(factories.user())
    flag(factories.user(), note, "illegal", "Stolen card numbers.")
    flag(factories.user(), note, "illegal", "Really.")
    item = item_of(note)
    assert item.priority == Priority.HIGH
    assert kinds_for(moderator) == ["review_needed"]


def test_priority_never_goes_down(app):
    note = make_note(factories.user())
    flag(factories.user(), note, "spam")
    flag(factories.user(), note, "off_topic")
    assert item_of(note).priority == Priority.MEDIUM


def test_the_snapshot_keeps_the_content_as_flagged(app):
    note = make_note(factories.user(), title="Original", body="<b>bold</b> words")
    flag(factories.user(), note)
    note = fresh(note)
    note.title, note.body = "Changed", "new words"
    db.session.commit()
    item = item_of(note)
    assert item.snapshot["title"] == "Original"
    assert item.snapshot["html"] == "<p>&lt;b&gt;bold&lt;/b&gt; words</p>"
    assert item.snapshot["url"] == f"/notes/{note.id}"


# --- withdrawing and flagging again ----------------------------------------------------------


def test_a_flag_may_be_withdrawn_within_ten_minutes(app):
    note = make_note(factories.user())
    person = factories.user()
    first = flag(person, note, "spam")
    services.withdraw(person, first)
    db.session.commit()
    assert first.status == FlagStatus.WITHDRAWN
    item = item_of(note)
    assert item.score == 0 and item.status == ReviewStatus.IGNORED

    other = factories.user()
    late = flag(other, note, "spam")
    late.created_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    with pytest.raises(ModerationError):
        services.withdraw(other, late)
    with pytest.raises(NotFound):
        services.withdraw(person, late)  # not theirs


def test_withdrawing_the_last_flag_unhides_the_item(app):
    note = make_note(factories.user())
    people = flaggers(2, 3)
    rows = [flag(user, note) for user in people]
    assert fresh(note).hidden
    for user, row in zip(people, rows, strict=True):
        services.withdraw(user, row)
        db.session.commit()
    assert fresh(note).hidden is False
    assert item_of(note).status == ReviewStatus.IGNORED


def test_the_same_flag_again_waits_24_hours_unless_the_item_is_edited(app):
    note = make_note(factories.user())
    person = factories.user()
    first = flag(person, note, "spam")
    services.withdraw(person, first)
    db.session.commit()
    with pytest.raises(ModerationError) as refused:
        flag(person, note, "spam")
    assert refused.value.field == "reason"
    # Another reason is another flag.
    other = flag(person, note, "off_topic")
    services.withdraw(person, other)
    db.session.commit()
    # An edit lifts the wait…
    fresh(note).version = 2
    db.session.commit()
    again = flag(person, note, "spam")
    services.withdraw(person, again)
    db.session.commit()
    # … and so does time.
    again.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    assert flag(person, note, "spam").status == FlagStatus.PENDING


@pytest.mark.parametrize(
    "level, cap",
    [(1, 20), (2, 30), (3, 40), (4, 60)],
)
def test_the_daily_flag_cap_grows_with_trust(app, level, cap):
    person = factories.user(trust_level=TrustLevel(level))
    assert services.daily_cap(person) == cap


def test_a_member_reaching_the_daily_cap_is_refused(app):
    author = factories.user()
    person = factories.user(trust_level=TrustLevel.BASIC)
    old = make_note(author)
    yesterday = flag(person, old, "off_topic")
    yesterday.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    for _ in range(20):
        flag(person, make_note(author), "off_topic")
    with pytest.raises(ModerationError):
        flag(person, make_note(author), "off_topic")
    # Staff have no cap.
    staff = factories.moderator()
    for _ in range(21):
        flag(staff, make_note(author), "off_topic")


# --- weights from the flagger's record and the site's history --------------------------------


def _resolved_flags(person, agreed: int, disagreed: int) -> None:
    author = factories.user()
    for status, n in ((FlagStatus.AGREED, agreed), (FlagStatus.DISAGREED, disagreed)):
        for _ in range(n):
            note = make_note(author, commit=False)
            db.session.add(
                Flag(
                    item_type="test.note",
                    item_id=note.id,
                    user_id=person.id,
                    reason="spam",
                    status=status,
                )
            )
    db.session.commit()


@pytest.mark.parametrize(
    "agreed, disagreed, weight",
    [
        (0, 0, 3),
        (5, 0, 3),  # five resolved flags: no bonus yet
        (6, 0, 8),  # more than five, all agreed: + 5
        (3, 3, 5.5),  # half agreed: + 2.5
        (0, 6, 3),
    ],
)
def test_the_accuracy_bonus_counts_after_five_resolved_flags(app, agreed, disagreed, weight):
    person = factories.user(trust_level=TrustLevel.MEMBER)
    _resolved_flags(person, agreed, disagreed)
    assert flag(person, make_note(factories.user())).weight == pytest.approx(weight)


def _agreed_history(n: int, score: float) -> None:
    for i in range(n):
        db.session.add(
            ReviewItem(
                item_type="test.old",
                item_id=i + 1,
                status=ReviewStatus.APPROVED,
                score=score,
                reason="flagged",
                resolved_at=utcnow(),
            )
        )
    db.session.commit()


@pytest.mark.parametrize(
    "history, score, hidden",
    [
        (0, 0, True),  # a new site: 8.33
        (19, 20, True),  # not enough history yet
        (20, 20, False),  # the site's median agreed score (20) now hides
        (20, 6, True),  # never below half the default: 9 ≥ 6
        (30, 3, True),  # 9 ≥ max(4.165, 3)
    ],
)
def test_the_hide_threshold_follows_the_sites_history(app, history, score, hidden):
    _agreed_history(history, score)
    note = make_note(factories.user())
    for user in flaggers(2, 3):
        flag(user, note)
    assert fresh(note).hidden is hidden


def test_the_threshold_from_history_counts_deleted_items_as_agreed(app):
    for i in range(20):
        db.session.add(
            ReviewItem(
                item_type="test.old",
                item_id=i + 1,
                status=ReviewStatus.DELETED,
                score=20,
                reason="flagged",
                resolved_at=utcnow(),
            )
        )
    db.session.commit()
    assert rules.hide_threshold() == 20


def test_held_items_wait_for_a_moderator(app):
    moderator = factories.moderator()
    note = make_note(factories.user())
    item = services.hold("test.note", note.id, "watched word: casino")
    db.session.commit()
    assert item.reason == "held" and item.status == ReviewStatus.PENDING
    assert item.priority == Priority.MEDIUM
    assert "held" in history_of(item)
    assert kinds_for(moderator) == ["review_needed"]
    # An author's edit does not release a held item.
    item.hidden_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert services.author_edited("test.note", note.id) is False


def test_the_reminder_goes_out_once_for_untouched_items(app):
    moderator = factories.moderator()
    note = make_note(factories.user())
    flag(factories.user(), note)
    assert decisions.remind() == 0
    item = item_of(note)
    item.updated_at = utcnow() - timedelta(hours=49)
    db.session.commit()
    assert decisions.remind() == 1
    db.session.commit()
    assert decisions.remind() == 0
    assert kinds_for(moderator) == ["review_reminder"]


def test_flagging_is_a_writing_action_a_silenced_person_may_not_take(app):
    from space.permissions import can

    person = factories.user()
    assert can(person, "moderation.flag")
    penalties.silence(person, by=None, reason="Testing")
    db.session.commit()
    assert not can(person, "moderation.flag")
    with pytest.raises(ModerationError):
        flag(person, make_note(factories.user()), "spam")
