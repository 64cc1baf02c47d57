"""The review queue's pages (/review): who may see them, filters, the item page, decisions and
their effects, and two moderators deciding at once."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from space import notify
from space.accounts.models import User
from space.audit import AuditEntry
from space.db import db
from space.moderation import decisions, penalties, services
from space.moderation.models import (
    Flag,
    FlagStatus,
    Penalty,
    ReviewHistory,
    ReviewItem,
    ReviewStatus,
)
from space.moderation.services import AlreadyHandled
from space.trust import TrustLevel
from tests import factories
from tests.conftest import PG_URL
from tests.plugins.reviewables import Note, create_tables, give_scope, make_note

PAGE_SIZE = 4


@pytest.fixture
def app_config():
    return {"SPACE_PLUGINS": ["tests.plugins.reviewables"], "SPACE_PAGE_SIZE": PAGE_SIZE}


@pytest.fixture(autouse=True)
def _tables(app):
    create_tables()


@pytest.fixture
def moderator(app):
    return factories.moderator(locale="en")


def flagged(note, *, levels=(1,), reason="inappropriate", message="") -> ReviewItem:
    """Flag ``note`` once per level (by new people); the item, committed."""
    for level in levels:
        services.flag(
            factories.user(trust_level=TrustLevel(level)), _type(note), note.id, reason, message
        )
    db.session.commit()
    return item_of(note)


def _type(note) -> str:
    return "test.comment" if note.kind == "comment" else "test.note"


def item_of(note) -> ReviewItem:
    db.session.expire_all()
    return db.session.scalar(
        select(ReviewItem).where(ReviewItem.item_type == _type(note), ReviewItem.item_id == note.id)
    )


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="review-item-(\d+)"', html)]


def kinds_for(user_id) -> list[tuple[str, dict]]:
    rows = db.session.scalars(
        select(notify.Notification)
        .where(notify.Notification.user_id == user_id)
        .order_by(notify.Notification.id)
    )
    return [(row.kind, row.data) for row in rows]


# --- who may reach the queue -----------------------------------------------------------------


def test_non_reviewers_get_404_for_the_queue_an_item_and_a_decision(client, login, post):
    item = flagged(make_note(factories.user()))
    paths = ["/review/", f"/review/{item.id}"]
    for path in paths:
        assert client.get(path).status_code == 404  # anonymous: no login redirect
    assert client.post(f"/review/{item.id}/decide", data={}).status_code in {400, 404}
    login(factories.user(trust_level=TrustLevel.LEADER))
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404
        assert 'id="review-link"' not in response.get_data(as_text=True)
    response = post(f"/review/{item.id}/decide", {"action": "ignore", "version": item.version})
    assert response.status_code == 404
    assert fresh(ReviewItem, item.id).status == ReviewStatus.PENDING


def test_a_missing_item_is_404_for_moderators_too(client, login, moderator):
    login(moderator)
    assert client.get("/review/999999").status_code == 404
    assert client.get("/review/99999999999").status_code == 404


def test_moderators_see_the_queue_and_a_pending_count_in_the_header(client, login, moderator):
    author = factories.user()
    flagged(make_note(author))
    flagged(make_note(author))
    login(moderator)
    html = client.get("/").get_data(as_text=True)
    assert 'id="review-link"' in html
    assert re.search(r'id="review-link".*?class="badge"[^>]*>2<', html, re.S)
    response = client.get("/review/")
    assert response.status_code == 200
    assert len(row_ids(response.get_data(as_text=True))) == 2


def test_category_moderators_see_only_their_scopes(client, login, post):
    author = factories.user()
    mine = flagged(make_note(author, scope="notes:a", title="Mine"))
    theirs = flagged(make_note(author, scope="notes:b", title="Theirs"))
    staff_only = flagged(make_note(author, title="Staff only"))
    keeper = factories.user(trust_level=TrustLevel.REGULAR, locale="en")
    give_scope(keeper, "notes:a")
    login(keeper)
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'id="review-link".*?class="badge"[^>]*>1<', html, re.S)
    html = client.get("/review/").get_data(as_text=True)
    assert row_ids(html) == [mine.id]
    assert "Notes in notes:a" in html and "notes:b" not in html
    assert client.get(f"/review/{mine.id}").status_code == 200
    for other in (theirs, staff_only):
        assert client.get(f"/review/{other.id}").status_code == 404
        response = post(f"/review/{other.id}/decide", {"action": "ignore", "version": 1})
        assert response.status_code == 404
    # Another scope in the filter is not one of theirs: a bad value.
    assert client.get("/review/?scope=notes:b").status_code == 400
    # They decide within their scope, but may not give penalties.
    page = client.get(f"/review/{mine.id}").get_data(as_text=True)
    assert 'id="review-silence"' not in page and 'id="review-suspend"' not in page
    response = post(
        f"/review/{mine.id}/decide",
        {"action": "agree_silence", "version": mine.version, "reason": "spam"},
    )
    assert response.status_code == 422
    response = post(f"/review/{mine.id}/decide", {"action": "agree_hide", "version": mine.version})
    assert response.status_code == 302
    assert fresh(ReviewItem, mine.id).status == ReviewStatus.APPROVED


# --- the list: order, filters, pages, queries ------------------------------------------------


def test_items_come_by_priority_then_score(client, login, moderator):
    author = factories.user()
    low = flagged(make_note(author), levels=(1,), reason="off_topic")
    low_higher_score = flagged(make_note(author), levels=(1, 1), reason="off_topic")
    medium = flagged(make_note(author), levels=(1,), reason="spam")
    high = flagged(make_note(author), levels=(1,), reason="illegal", message="Stolen goods.")
    login(moderator)
    html = client.get("/review/").get_data(as_text=True)
    assert row_ids(html) == [high.id, medium.id, low_higher_score.id, low.id]


def test_filters(client, login, moderator):
    alice = factories.user("alice")
    bob = factories.user("bob")
    note_a = flagged(make_note(alice, scope="notes:a"), reason="spam")
    note_b = flagged(make_note(bob), reason="off_topic")
    comment = flagged(make_note(bob, kind="comment"), reason="off_topic")
    held_note = make_note(alice)
    held = services.hold("test.note", held_note.id, "watched word")
    db.session.commit()
    done = flagged(make_note(bob))
    decisions.decide(moderator, done, "ignore", version=done.version)
    db.session.commit()
    login(moderator)

    def ids(query: str) -> list[int]:
        found = []
        for page in (1, 2):
            joined = f"{query}&page={page}" if query else f"?page={page}"
            response = client.get("/review/" + joined)
            assert response.status_code == 200, query
            found += row_ids(response.get_data(as_text=True))
        return sorted(found)

    assert ids("") == sorted([note_a.id, note_b.id, comment.id, held.id])
    assert ids("?status=ignored") == [done.id]
    assert ids("?status=all") == sorted([note_a.id, note_b.id, comment.id, held.id, done.id])
    assert ids("?kind=test.comment") == [comment.id]
    assert ids("?scope=notes:a") == [note_a.id]
    assert ids("?reason=held") == [held.id]
    assert ids("?reason=flagged&flag_reason=off_topic") == sorted([note_b.id, comment.id])
    assert ids("?user=alice") == sorted([note_a.id, held.id])
    assert ids("?user=alice&status=all&flag_reason=spam") == [note_a.id]
    # The labels are translated words, not codes.
    html = client.get("/review/").get_data(as_text=True)
    assert ">Comment<" in html and ">Held for approval<" in html and ">Something else<" in html


@pytest.mark.parametrize(
    "query",
    [
        "?status=bogus",
        "?status=",
        "?kind=nothing",
        "?reason=lost",
        "?flag_reason=boring",
        "?scope=notes:nowhere",
        "?user=nobody-here",
        "?user=" + "x" * 41,
        "?page=0",
        "?page=abc",
        "?page=999999999",
    ],
)
def test_bad_filters_are_400_with_a_message(client, login, moderator, query):
    login(moderator)
    response = client.get("/review/" + query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="errors"' in html or 'class="error-page' in html or "not valid" in html


def test_the_queue_is_paginated(client, login, moderator):
    author = factories.user()
    items = [flagged(make_note(author), levels=(1,) * (n + 1)) for n in range(PAGE_SIZE + 1)]
    login(moderator)
    first = row_ids(client.get("/review/").get_data(as_text=True))
    second_html = client.get("/review/?page=2").get_data(as_text=True)
    second = row_ids(second_html)
    assert len(first) == PAGE_SIZE and len(second) == 1
    assert sorted(first + second) == sorted(item.id for item in items)
    assert client.get("/review/?page=3").status_code == 200


def test_the_queue_costs_a_fixed_number_of_queries(client, login, moderator, count_queries):
    login(moderator)

    def cost() -> int:
        with count_queries() as counter:
            assert client.get("/review/?status=all").status_code == 200
        return counter.count

    # A full page (the pager then counts the items, whatever their number).
    author = factories.user()
    for _ in range(PAGE_SIZE + 1):
        flagged(make_note(author), levels=(1,))
    cost()  # the first page view of the session also notes when the moderator was last seen
    one = cost()
    for _ in range(PAGE_SIZE * 2):
        flagged(make_note(factories.user()), levels=(1, 1, 2), reason="spam")
        flagged(make_note(factories.user(), kind="comment"), levels=(1,), reason="off_topic")
    assert cost() == one


def test_the_item_page_costs_a_fixed_number_of_queries(client, login, moderator, count_queries):
    login(moderator)
    item = flagged(make_note(factories.user()), levels=(1,))

    def cost() -> int:
        with count_queries() as counter:
            assert client.get(f"/review/{item.id}").status_code == 200
        return counter.count

    cost()
    one = cost()
    flagged(make_note(factories.user()), levels=(1,))  # another item: unrelated
    note = fresh(Note, item.item_id)
    for level in (1, 1, 1, 2):
        services.flag(factories.user(trust_level=TrustLevel(level)), "test.note", note.id, "spam")
    db.session.commit()
    assert cost() == one


# --- the item page ---------------------------------------------------------------------------


def test_the_item_page_shows_the_snapshot_flags_record_and_history(client, login, moderator):
    author = factories.user("writer")
    note = make_note(author, title="Buy now", body="Cheap <watches>")
    item = flagged(note, levels=(1, 2), reason="other", message="Looks like an ad")
    # The note changes after the flag: the snapshot stays.
    current = fresh(Note, note.id)
    current.body = "Edited away"
    db.session.commit()
    login(moderator)
    response = client.get(f"/review/{item.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<p>Cheap &lt;watches&gt;</p>" in html  # the sanitized HTML, as flagged
    assert "Edited away" not in html
    assert f'href="/notes/{note.id}"' in html
    assert html.count('id="flag-') == 2 and "Looks like an ad" in html
    assert 'id="record-items">1<' in html and 'id="record-agreed">0<' in html
    assert 'data-action="flagged"' in html and 'data-action="flag_other"' in html
    assert f'name="version" value="{item.version}"' in html
    for action in (
        "agree_hide",
        "agree_keep",
        "agree_edit",
        "agree_delete",
        "agree_delete_replies",
        "disagree",
        "ignore",
    ):
        assert f'value="{action}"' in html
    assert 'id="review-silence"' in html and 'id="review-suspend"' in html
    assert 'id="silence-days"' in html and 'value="1"' in html  # the first penalty: 1 day
    assert "review.css" in html


def test_a_held_item_offers_approve_and_reject(client, login, moderator):
    note = make_note(factories.user())
    item = services.hold("test.note", note.id, "watched word")
    db.session.commit()
    login(moderator)
    html = client.get(f"/review/{item.id}").get_data(as_text=True)
    assert 'value="approve"' in html and 'value="reject"' in html
    assert 'value="agree_hide"' not in html


# --- decisions -------------------------------------------------------------------------------


def _hidden_item(author=None):
    note = make_note(author or factories.user())
    item = flagged(note, levels=(2, 2, 2))
    assert fresh(Note, note.id).hidden
    return note, item


@pytest.mark.parametrize(
    "action, status, flag_status, hidden, deleted, event, author_told, outcome",
    [
        ("agree_hide", "approved", "agreed", True, False, None, True, "agreed"),
        ("agree_keep", "approved", "agreed", False, False, "unhide", False, "agreed"),
        ("agree_edit", "approved", "agreed", True, False, None, True, "agreed"),
        ("agree_delete", "deleted", "agreed", True, True, "delete", True, "agreed"),
        ("agree_delete_replies", "deleted", "agreed", True, True, "delete_replies", True, "agreed"),
        ("disagree", "rejected", "disagreed", False, False, "restore", True, "disagreed"),
        ("ignore", "ignored", "ignored", True, False, None, False, "ignored"),
    ],
)
def test_each_decision_on_a_hidden_item(
    client,
    login,
    post,
    moderator,
    action,
    status,
    flag_status,
    hidden,
    deleted,
    event,
    author_told,
    outcome,
):
    author = factories.user()
    note, item = _hidden_item(author)
    flagger_ids = [row.user_id for row in db.session.scalars(select(Flag))]
    login(moderator)
    response = post(
        f"/review/{item.id}/decide",
        {"action": action, "version": item.version, "reason": "Checked."},
    )
    assert response.status_code == 302
    if action == "agree_edit":
        assert response.headers["Location"].endswith(f"/notes/{note.id}/edit")
    else:
        assert response.headers["Location"].endswith("/review/")
    item = fresh(ReviewItem, item.id)
    assert item.status == status and item.resolved_by_id == moderator.id
    assert item.version == 2
    flags = db.session.scalars(select(Flag).where(Flag.review_item_id == item.id)).all()
    assert {row.status for row in flags} == {flag_status}
    note = fresh(Note, note.id)
    assert note.hidden is hidden and note.deleted is deleted
    if event:
        assert event in note.events
    for user_id in flagger_ids:
        told = [data for kind, data in kinds_for(user_id) if kind == "flag_outcome"]
        assert [data["outcome"] for data in told] == [outcome]
    outcomes = [data for kind, data in kinds_for(author.id) if kind == "review_outcome"]
    assert bool(outcomes) is author_told
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == f"moderation.{action}"))
    assert entry.actor_id == moderator.id and entry.target_id == item.id
    assert entry.reason == "Checked."
    last = db.session.scalar(
        select(ReviewHistory)
        .where(ReviewHistory.review_item_id == item.id)
        .order_by(ReviewHistory.id.desc())
        .limit(1)
    )
    assert (last.action, last.actor_id, last.from_status, last.to_status) == (
        action,
        moderator.id,
        "pending",
        status,
    )


def test_agree_and_hide_hides_a_visible_item_and_tells_the_author(client, login, post, moderator):
    author = factories.user()
    note = make_note(author)
    item = flagged(note, levels=(1,))
    login(moderator)
    post(f"/review/{item.id}/decide", {"action": "agree_hide", "version": item.version})
    note = fresh(Note, note.id)
    assert note.hidden and "hide" in note.events
    assert fresh(ReviewItem, item.id).hide_count == 1
    assert [kind for kind, _data in kinds_for(author.id)] == ["content_hidden", "review_outcome"]


def test_disagreeing_with_flags_on_a_visible_item_does_not_bother_the_author(
    client, login, post, moderator
):
    author = factories.user()
    item = flagged(make_note(author), levels=(1,))
    login(moderator)
    post(f"/review/{item.id}/decide", {"action": "disagree", "version": item.version})
    assert fresh(ReviewItem, item.id).status == ReviewStatus.REJECTED
    assert kinds_for(author.id) == []


@pytest.mark.parametrize(
    "action, status, hidden, deleted, outcome",
    [
        ("approve", "approved", False, False, "approve"),
        ("reject", "rejected", True, True, "reject"),
    ],
)
def test_approving_and_rejecting_a_held_item(
    client, login, post, moderator, action, status, hidden, deleted, outcome
):
    author = factories.user()
    note = make_note(author)
    note.hidden = True  # the owner keeps held posts from readers
    db.session.commit()
    item = services.hold("test.note", note.id, "watched word")
    db.session.commit()
    login(moderator)
    response = post(f"/review/{item.id}/decide", {"action": action, "version": item.version})
    assert response.status_code == 302
    assert fresh(ReviewItem, item.id).status == status
    note = fresh(Note, note.id)
    assert (note.hidden, note.deleted) == (hidden, deleted)
    assert [data["outcome"] for kind, data in kinds_for(author.id)] == [outcome]


def test_agree_and_silence_from_the_page(client, login, post, moderator):
    author = factories.user()
    _note, item = _hidden_item(author)
    login(moderator)
    response = post(
        f"/review/{item.id}/decide",
        {
            "action": "agree_silence",
            "version": item.version,
            "reason": "Spam links",
            "message": "Please stop.",
            "days": "3",
        },
    )
    assert response.status_code == 302
    author = fresh(User, author.id)
    assert penalties.is_silenced(author)
    penalty = db.session.scalar(select(Penalty).where(Penalty.user_id == author.id))
    assert penalty.reason == "Spam links" and penalty.message == "Please stop."
    assert (penalty.ends_at - penalty.starts_at).days == 3
    assert penalty.review_item_id == item.id and penalty.by_id == moderator.id
    assert fresh(ReviewItem, item.id).status == ReviewStatus.APPROVED


def test_agree_and_suspend_needs_a_reason_and_keeps_what_was_typed(client, login, post, moderator):
    author = factories.user()
    _note, item = _hidden_item(author)
    login(moderator)
    response = post(
        f"/review/{item.id}/decide",
        {
            "action": "agree_suspend",
            "version": item.version,
            "reason": "",
            "message": "My careful words",
            "days": "7",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="review-error"' in html
    assert "My careful words" in html and 'id="suspend-days"' in html and 'value="7"' in html
    assert re.search(r'<details class="review-penalty" open id="review-suspend"', html)
    assert fresh(ReviewItem, item.id).status == ReviewStatus.PENDING
    assert not penalties.is_suspended(fresh(User, author.id))


@pytest.mark.parametrize(
    "data",
    [
        {"action": "approve"},  # only for held items
        {"action": "explode"},
        {"action": "ignore", "version": "abc"},
        {"action": "agree_silence", "days": "-1"},
        {"action": "agree_silence", "days": "many"},
        {"action": "agree_hide", "reason": "x" * 1001},
    ],
)
def test_refused_decisions_are_422_and_change_nothing(client, login, post, moderator, data):
    _note, item = _hidden_item()
    login(moderator)
    payload = {"version": item.version, **data}
    response = post(f"/review/{item.id}/decide", payload)
    assert response.status_code == 422
    assert 'id="review-error"' in response.get_data(as_text=True)
    item = fresh(ReviewItem, item.id)
    assert item.status == ReviewStatus.PENDING and item.version == 1


def test_a_moderator_cannot_silence_an_admin(client, login, post, moderator):
    boss = factories.admin()
    _note, item = _hidden_item(boss)
    login(moderator)
    html = client.get(f"/review/{item.id}").get_data(as_text=True)
    assert 'id="review-silence"' not in html
    response = post(
        f"/review/{item.id}/decide",
        {"action": "agree_silence", "version": item.version, "reason": "x"},
    )
    assert response.status_code == 422
    assert fresh(ReviewItem, item.id).status == ReviewStatus.PENDING


def test_a_stale_version_is_already_handled(client, login, post, moderator):
    _note, item = _hidden_item()
    other = factories.moderator("other")
    decisions.decide(other, item, "agree_hide", version=item.version)
    db.session.commit()
    login(moderator)
    response = post(f"/review/{item.id}/decide", {"action": "disagree", "version": 1})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/review/{item.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Another moderator already handled this item." in html
    item = fresh(ReviewItem, item.id)
    assert item.status == ReviewStatus.APPROVED and item.resolved_by_id == other.id
    # As JSON: 409.
    response = post(
        f"/review/{item.id}/decide",
        {"action": "ignore", "version": 1},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409 and response.get_json()["code"] == 409


def test_two_moderators_with_the_same_version_one_wins(app, moderator):
    _note, item = _hidden_item()
    other = factories.moderator("other")
    decisions.decide(moderator, item, "agree_hide", version=1)
    db.session.commit()
    with pytest.raises(AlreadyHandled):
        decisions.decide(other, fresh(ReviewItem, item.id), "disagree", version=1)
    db.session.rollback()
    item = fresh(ReviewItem, item.id)
    assert item.status == ReviewStatus.APPROVED and item.version == 2
    flags = db.session.scalars(select(Flag).where(Flag.review_item_id == item.id)).all()
    assert {row.status for row in flags} == {FlagStatus.AGREED}


@pytest.mark.skipif(not PG_URL, reason="concurrency needs PostgreSQL")
def test_two_moderators_at_once_on_postgresql(app):
    note, item = _hidden_item()
    mods = [factories.moderator(f"mod{n}") for n in range(2)]
    ids = [m.id for m in mods]
    actions = ["agree_delete", "disagree"]
    barrier = threading.Barrier(2)
    won, lost, errors = [], [], []

    def run(user_id, action):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                target = db.session.get(ReviewItem, item.id)
                barrier.wait(timeout=10)
                decisions.decide(user, target, action, version=1)
                db.session.commit()
                won.append(action)
            except AlreadyHandled:
                db.session.rollback()
                lost.append(action)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=args) for args in zip(ids, actions, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(won) == 1 and len(lost) == 1
    item = fresh(ReviewItem, item.id)
    expected = {"agree_delete": ReviewStatus.DELETED, "disagree": ReviewStatus.REJECTED}
    assert item.status == expected[won[0]] and item.version == 2
    decided = db.session.scalars(
        select(ReviewHistory.action).where(
            ReviewHistory.review_item_id == item.id, ReviewHistory.actor_id.in_(ids)
        )
    ).all()
    assert decided == won
    assert fresh(Note, note.id).deleted is (won[0] == "agree_delete")


def test_moderators_are_called_to_a_high_priority_item_and_the_link_opens_it(
    client, login, moderator
):
    item = flagged(make_note(factories.user()), reason="illegal", message="Stolen goods.")
    login(moderator)
    html = client.get("/notifications").get_data(as_text=True)
    assert "needs a moderator" in html
    notification = db.session.scalar(
        select(notify.Notification).where(notify.Notification.user_id == moderator.id)
    )
    _text, url = notify.describe(notification)
    assert url == f"/review/{item.id}"
    assert client.get(url).status_code == 200


def test_agree_and_suspend_from_the_page(client, login, post, moderator):
    author = factories.user()
    version_before = author.session_version
    _note, item = _hidden_item(author)
    login(moderator)
    response = post(
        f"/review/{item.id}/decide",
        {"action": "agree_suspend", "version": item.version, "reason": "Threats", "days": ""},
    )
    assert response.status_code == 302
    author = fresh(User, author.id)
    assert penalties.is_suspended(author) and author.session_version == version_before + 1
    penalty = db.session.scalar(select(Penalty).where(Penalty.user_id == author.id))
    assert (penalty.ends_at - penalty.starts_at).days == 1  # the escalating default: 1 day
    assert (
        db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "moderation.suspend")
        ).reason
        == "Threats"
    )
