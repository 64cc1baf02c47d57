"""Watched words: matching (case, word boundaries, wildcards, phrases), the strongest action,
censoring, and the admin page that keeps the lists."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from space.audit import AuditEntry
from space.db import db
from space.moderation import words
from space.moderation.models import WatchedAction, WatchedWord
from tests import factories


@pytest.fixture
def admin(app):
    return factories.admin(locale="en")


def listed(admin, **lists):
    for action, entries in lists.items():
        for word in entries:
            words.add(word, action, by=admin)
    db.session.commit()
    words.forget()


@pytest.mark.parametrize(
    ("word", "text", "found"),
    [
        ("cat", "A CAT sat", ("CAT",)),
        ("cat", "concatenate", ()),
        ("cat", "cats", ()),
        ("cat*", "Cats and catalogues", ("Cats", "catalogues")),
        ("*spam", "antispam", ("antispam",)),
        ("buy now", "please BUY   NOW today", ("BUY   NOW",)),
        ("buy now", "buynow", ()),
        ("c++", "I like c++ a lot", ("c++",)),
        ("évité", "C'est ÉVITÉ.", ("ÉVITÉ",)),
        ("cat", "cat, cat and cat", ("cat",)),
    ],
)
def test_matching(app, admin, word, text, found):
    listed(admin, flag=[word])
    with app.test_request_context():
        assert words.matches(text, WatchedAction.FLAG) == found


def test_check_answers_the_strongest_action(app, admin):
    listed(admin, block=["scam"], require_approval=["casino"], flag=["crypto"], censor=["darn"])
    with app.test_request_context():
        assert words.check("nothing to see") is None
        assert words.check("darn it") is None  # censoring is not a check
        assert words.check("crypto tips") == words.Match(WatchedAction.FLAG, ("crypto",))
        assert words.check("crypto casino") == words.Match(
            WatchedAction.REQUIRE_APPROVAL, ("casino",)
        )
        match = words.check("crypto casino scam")
        assert match.action == WatchedAction.BLOCK and match.words == ("scam",)
        assert "scam" in words.block_message(match)


def test_censor_masks_the_words_in_the_raw_text(app, admin):
    listed(admin, censor=["darn", "heck*"])
    with app.test_request_context():
        assert words.censor("Darn, what the heckity heck. darnation") == (
            f"{words.MASK}, what the {words.MASK} {words.MASK}. darnation"
        )
        assert words.censor("") == ""


def test_the_lists_are_read_once_per_request(app, admin, count_queries):
    listed(admin, block=["scam"], flag=["crypto"], censor=["darn"])
    with app.test_request_context(), count_queries() as counter:
        words.check("a scam")
        words.check("crypto")
        words.censor("darn")
    assert counter.count == 1


def test_without_words_nothing_matches(app):
    with app.test_request_context():
        assert words.check("anything at all") is None
        assert words.censor("anything") == "anything"


# --- the admin page -------------------------------------------------------------------------


def test_an_admin_adds_and_removes_words(app, client, login, post, admin):
    login(admin)
    assert client.get("/admin/moderation/words").status_code == 200
    response = post("/admin/moderation/words", {"word": "  Spam*  ", "action": "block"})
    assert response.status_code == 302
    entry = db.session.scalar(select(WatchedWord))
    assert entry.word == "spam*" and entry.action == WatchedAction.BLOCK
    entry_id = entry.id
    html = client.get("/admin/moderation/words").get_data(as_text=True)
    assert f'id="word-{entry_id}"' in html
    # The same word may go on another list.
    assert post("/admin/moderation/words", {"word": "spam*", "action": "flag"}).status_code == 302
    removed = post(f"/admin/moderation/words/{entry_id}/delete")
    assert removed.status_code == 302
    assert db.session.get(WatchedWord, entry_id) is None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_type == "watched_word")
        .order_by(AuditEntry.id)
    ).all()  # fmt: skip
    assert actions == ["moderation.word.add", "moderation.word.add", "moderation.word.delete"]
    assert post("/admin/moderation/words/999/delete").status_code == 404


@pytest.mark.parametrize(
    ("word", "action", "field_error"),
    [
        ("", "block", "This field is required."),
        ("x" * 101, "block", "Use between 1 and 100 characters."),
        ("***", "flag", "at least one letter"),
        ("SCAM", "block", "already on this list"),
        ("fine", "explode", "Not a valid choice."),
    ],
)
def test_refused_words_keep_what_was_typed(app, client, login, post, admin, word, action,
                                           field_error):  # fmt: skip
    listed(admin, block=["scam"])
    login(admin)
    response = post("/admin/moderation/words", {"word": word, "action": action})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error in html
    if word:
        assert f'value="{word}"' in html
    assert db.session.scalar(select(db.func.count(WatchedWord.id))) == 1


def test_only_admins_keep_the_lists(app, client, login, post):
    moderator = factories.moderator(locale="en")
    login(moderator)
    assert client.get("/admin/moderation/words").status_code == 403
    assert post("/admin/moderation/words", {"word": "x", "action": "block"}).status_code == 403
    assert db.session.scalar(select(WatchedWord)) is None
