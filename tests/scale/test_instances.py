"""Two app instances (gunicorn processes) of one site on one database and one Redis: a
session started on one works on the other, rate limits are counted once for both (and per
site prefix), and two moderators deciding on the same item at once through different
instances resolve it once."""

from __future__ import annotations

import threading

import redis
from sqlalchemy import func, select

from space.audit import AuditEntry
from space.db import db
from space.moderation.models import Flag, FlagStatus, ReviewHistory, ReviewItem, ReviewStatus
from space.moderation.services import flag
from space.trust import TrustLevel
from tests import factories
from tests.discuss.conftest import Maker

from .cluster import Browser

REDIS = "redis://127.0.0.1:6379/0"


def test_a_session_started_on_one_instance_works_on_the_other(app, servers, redis_prefix):
    person = factories.user("traveller", email="traveller@example.org")
    a, b = servers(2, SPACE_REDIS_URL=REDIS, SPACE_REDIS_PREFIX=redis_prefix)
    browser = Browser()
    signed_out = browser.get(b.base + "/settings")
    assert signed_out.status == 302 and "/login" in signed_out.location

    signed_in = browser.login(a.base, person.username)
    assert signed_in.status == 302, signed_in.text[:500]

    page = browser.get(b.base + "/settings")
    assert page.status == 200 and 'href="/u/traveller"' in page.text
    # The CSRF token of a page served by B is good for a form posted to A.
    token = browser.csrf_token(b.base + "/settings")
    assert browser.post(a.base + "/logout", {"csrf_token": token}).status == 302
    assert browser.get(b.base + "/settings").status == 302, "signed out on both"


def _attempt(browser, server, login: str) -> int:
    token = browser.csrf_token(server.base + "/login")
    return browser.post(server.base + "/login",
                        {"login": login, "password": "not the password",
                         "csrf_token": token}).status  # fmt: skip


def test_the_login_limit_is_counted_once_for_both_instances(app, servers, redis_prefix):
    # A and B are one site; C is another site on the same Redis (another prefix).
    prefixes = [{"SPACE_REDIS_PREFIX": redis_prefix}] * 2 + [
        {"SPACE_REDIS_PREFIX": redis_prefix + "-other"}
    ]
    a, b, other = servers(3, each=prefixes, SPACE_REDIS_URL=REDIS,
                          SPACE_RATELIMIT_LOGIN="3 per minute")  # fmt: skip
    browser = Browser()
    statuses = [_attempt(browser, server, "someone") for server in (a, b, a)]
    assert statuses == [422] * 3, statuses  # the wrong password, not the limit
    assert browser.get(b.base + "/login").status == 200, "reading the form is not limited"
    assert _attempt(browser, b, "someone") == 429
    assert _attempt(browser, a, "someone else") == 429, "the address is limited too"

    client = redis.Redis.from_url(REDIS)
    try:
        keys = [key.decode() for key in client.scan_iter(match=f"*{redis_prefix}*")]
    finally:
        client.close()
    assert any("login:someone" in key for key in keys), keys
    assert all(key.startswith(f"LIMITS:LIMITER/{redis_prefix}/") for key in keys), keys

    assert _attempt(browser, other, "someone") != 429, "another site counts on its own"


def test_moderators_deciding_at_once_on_two_instances_resolve_the_item_once(app, servers):
    make = Maker()
    author = factories.user(trust_level=TrustLevel.MEMBER)
    flagger = factories.user(trust_level=TrustLevel.MEMBER)
    reply = make.reply(make.topic(), author, raw="A reply that somebody finds rude enough.")
    flag(flagger, "discuss.post", reply.id, "inappropriate", "Rude.")
    db.session.commit()
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.item_id == reply.id))
    moderators = [factories.moderator(f"mod{n}") for n in range(4)]

    a, b = servers(2, SPACE_RATELIMIT_LOGIN="100 per minute")
    actions = ["agree_hide", "disagree", "ignore", "agree_keep"]
    people = []
    for n, moderator in enumerate(moderators):
        server = (a, b)[n % 2]
        browser = Browser()
        assert browser.login(server.base, moderator.username).status == 302
        token = browser.csrf_token(f"{server.base}/review/{item.id}")
        people.append((browser, server, {"action": actions[n], "version": str(item.version),
                                          "csrf_token": token}))  # fmt: skip

    barrier = threading.Barrier(len(people))
    replies = [None] * len(people)

    def decide(n, browser, server, form):
        barrier.wait(timeout=30)
        replies[n] = browser.post(f"{server.base}/review/{item.id}/decide", form,
                                  headers={"Accept": "application/json"})  # fmt: skip

    threads = [threading.Thread(target=decide, args=(n, *person))
               for n, person in enumerate(people)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(reply.status for reply in replies)
    assert statuses == [200, 409, 409, 409], [(r.status, r.text[:300]) for r in replies]
    refusals = [r.json()["message"] for r in replies if r.status == 409]
    assert refusals == ["Another moderator already handled this item."] * 3
    winner = actions[next(n for n, r in enumerate(replies) if r.status == 200)]

    db.session.expire_all()
    item = db.session.get(ReviewItem, item.id)
    expected = {"agree_hide": ReviewStatus.APPROVED, "agree_keep": ReviewStatus.APPROVED,
                "disagree": ReviewStatus.REJECTED, "ignore": ReviewStatus.IGNORED}  # fmt: skip
    assert item.status == expected[winner] and item.version == 2
    decided = db.session.scalars(
        select(ReviewHistory.action).where(ReviewHistory.review_item_id == item.id,
                                           ReviewHistory.action.in_(actions))
    ).all()  # fmt: skip
    assert decided == [winner]
    audited = db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.action.in_([f"moderation.{action}" for action in actions]),
            AuditEntry.target_id == item.id)
    )  # fmt: skip
    assert audited == 1
    [row] = db.session.scalars(select(Flag).where(Flag.review_item_id == item.id)).all()
    assert row.status != FlagStatus.PENDING
