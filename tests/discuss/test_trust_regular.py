"""Trust level 3: the daily recompute over the 100-day window, on a dataset built by
inserting rows (visits on 50 days, replies, likes over weeks), each requirement failing
alone, demotion below 90% after the grace period, the command and the job."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugins.discuss.models import Post, PostLike, Topic, TopicUser, UserStats, UserVisit
from plugins.discuss.services import stats, trust
from space.audit import AuditEntry
from space.db import db, utcnow
from space.notify import MailMessage
from space.trust import TrustLevel
from tests import factories

# What the regular-to-be did; the world around is 40 topics and 50 posts in the window,
# so 25% means 10 topics viewed and 13 posts read.
ENOUGH = {
    "visits": 50,
    "replied_topics": 10,
    "viewed": 10,
    "window_posts_read": 13,
    "topics_entered": 200,
    "posts_read": 500,
    "flagged": 5,
    "likes_given": 30,
    "likes_received": 20,
    "likers": 5,
    "like_days": 7,
    "visits_days_ago": 0,  # the most recent visit
}


def build(make, level=TrustLevel.MEMBER, **changes):
    """Insert the rows of a person's last 100 days; returns the person."""
    plan = {**ENOUGH, **changes}
    now = utcnow()
    category = make.category()
    author = factories.user(trust_level=TrustLevel.BASIC)
    likers = [factories.user(trust_level=TrustLevel.BASIC) for _ in range(plan["likers"])]
    person = factories.user(trust_level=level)
    topics, firsts = [], []
    for n in range(40):
        when = now - timedelta(days=n + 1)
        topic = Topic(category_id=category.id, user_id=author.id, title=f"Window topic {n}",
                      slug=f"window-topic-{n}", created_at=when, bumped_at=when,
                      last_posted_at=when, post_count=1, highest_post_number=1)  # fmt: skip
        db.session.add(topic)
        db.session.flush()
        first = Post(topic_id=topic.id, user_id=author.id, post_number=1, raw="x" * 30,
                     cooked="<p>first</p>", created_at=when)  # fmt: skip
        db.session.add(first)
        topics.append(topic)
        firsts.append(first)
    replies = []
    for n in range(10):  # ten replies; in fewer topics when asked
        topic = topics[min(n, plan["replied_topics"] - 1)]
        topic.highest_post_number += 1
        reply = Post(
            topic_id=topic.id,
            user_id=person.id,
            post_number=topic.highest_post_number,
            raw="y" * 30,
            cooked="<p>reply</p>",
            created_at=now - timedelta(days=2),
        )
        db.session.add(reply)
        replies.append(reply)
    db.session.flush()
    for topic in topics[: plan["viewed"]]:
        db.session.add(TopicUser(user_id=person.id, topic_id=topic.id))
    reads = [0] * plan["visits"]
    for n in range(plan["window_posts_read"]):
        reads[n % len(reads)] += 1
    for day, read in enumerate(reads, start=plan["visits_days_ago"]):
        visited_on = (now - timedelta(days=day)).date()
        db.session.add(UserVisit(user_id=person.id, visited_on=visited_on, posts_read=read))
    for n, post in enumerate(firsts[: plan["likes_given"]]):
        db.session.add(PostLike(post_id=post.id, user_id=person.id, post_user_id=author.id,
                                created_at=now - timedelta(days=n % 30 + 1)))  # fmt: skip
    for n in range(plan["likes_received"]):
        liker = likers[n % len(likers)]
        post = replies[n // len(likers)]
        # Between noon and 4 pm of a past day, so the number of distinct days does not
        # depend on the time of day the suite runs.
        noon = (now - timedelta(days=n % plan["like_days"] + 1)).replace(hour=12, minute=0)
        db.session.add(PostLike(post_id=post.id, user_id=liker.id, post_user_id=person.id,
                                created_at=noon + timedelta(hours=n % 5)))  # fmt: skip
    stats.bump(person.id, topics_entered=plan["topics_entered"], posts_read=plan["posts_read"],
               flagged_posts=plan["flagged"])  # fmt: skip
    db.session.commit()
    return person


def test_a_regular_reader_is_promoted_with_a_grace_period_started(app, make):
    person = build(make)
    summary = trust.recompute()
    db.session.commit()
    assert (summary.promoted, summary.demoted) == (1, 0)
    assert person.trust_level == TrustLevel.REGULAR
    assert db.session.get(UserStats, person.id).regular_since is not None
    mail = db.session.scalar(select(MailMessage).where(MailMessage.to == person.email))
    assert "regular" in mail.subject and "create tags" in mail.body


def test_the_window_numbers_show_in_progress(app, make):
    person = build(make)
    shown = trust.progress(person)
    assert shown.next_level == TrustLevel.REGULAR and shown.window_days == 100
    values = {item.requirement.stat: (item.value, item.requirement.target) for item in shown.items}
    assert values["window_topics_viewed"] == (10, 10)
    assert values["window_posts_read"] == (13, 13)
    assert values["window_days_visited"] == (50, 50)
    assert values["window_likers"] == (5, 5) and values["window_like_days"] == (7, 7)
    assert values["flagged_posts"] == (5, 5)
    assert shown.all_met


@pytest.mark.parametrize(
    "change",
    [
        {"visits": 49},
        {"replied_topics": 9},
        {"viewed": 9},
        {"window_posts_read": 12},
        {"topics_entered": 199},
        {"posts_read": 499},
        {"flagged": 6},
        {"likes_given": 29},
        {"likes_received": 19},
        {"likers": 4},
        {"like_days": 6},
    ],
    ids=lambda change: next(iter(change)),
)
def test_each_level_3_requirement_failing_alone_blocks_the_promotion(app, make, change):
    person = build(make, **change)
    summary = trust.recompute()
    db.session.commit()
    assert summary.promoted == 0
    assert person.trust_level == TrustLevel.MEMBER


def test_old_activity_outside_the_window_does_not_count(app, make):
    build(make, visits_days_ago=51)  # visits 51 to 100 days ago: one outside the window
    assert trust.recompute().promoted == 0


def _regular(make, since_days, **changes):
    person = build(make, level=TrustLevel.REGULAR, **changes)
    stats.stats_for(person.id).regular_since = utcnow() - timedelta(days=since_days)
    db.session.commit()
    return person


def test_a_regular_within_90_percent_keeps_the_level(app, make):
    person = _regular(make, 30, visits=45, likes_given=27, flagged=5)
    assert trust.recompute().demoted == 0
    assert person.trust_level == TrustLevel.REGULAR


def test_a_regular_below_90_percent_is_demoted_after_the_grace_period(app, make):
    person = _regular(make, 15, visits=44)
    summary = trust.recompute()
    db.session.commit()
    assert summary.demoted == 1
    assert person.trust_level == TrustLevel.MEMBER
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "user.trust_level").order_by(
            AuditEntry.id.desc())
    )  # fmt: skip
    assert entry.details["before"] == 3 and entry.details["after"] == 2


def test_too_many_flagged_posts_demote_a_regular(app, make):
    person = _regular(make, 30, flagged=6)
    trust.recompute()
    assert person.trust_level == TrustLevel.MEMBER


def test_no_demotion_within_the_grace_period(app, make):
    person = _regular(make, 13, visits=10)
    assert trust.recompute().demoted == 0
    assert person.trust_level == TrustLevel.REGULAR


def test_a_level_3_granted_without_date_starts_its_grace_now(app, make):
    person = build(make, level=TrustLevel.REGULAR, visits=10)
    assert trust.recompute().demoted == 0
    db.session.commit()
    assert person.trust_level == TrustLevel.REGULAR
    assert db.session.get(UserStats, person.id).regular_since is not None


def test_locked_regulars_and_leaders_are_never_recomputed(app, make):
    locked = _regular(make, 30, visits=10)
    locked.trust_locked = True
    leader = factories.user(trust_level=TrustLevel.LEADER)
    db.session.commit()
    assert trust.recompute().demoted == 0
    assert locked.trust_level == TrustLevel.REGULAR
    assert leader.trust_level == TrustLevel.LEADER


def test_recompute_costs_a_fixed_number_of_queries(app, make, count_queries):
    build(make, visits=10)  # nobody changes level
    for _ in range(5):
        factories.user(trust_level=TrustLevel.MEMBER)
    with count_queries() as few:
        trust.recompute()
    for _ in range(20):
        factories.user(trust_level=TrustLevel.MEMBER)
    with count_queries() as many:
        trust.recompute()
    assert few.count == many.count <= 12, "\n".join(many.statements)


def test_the_command_is_idempotent(app, make, runner):
    person = build(make)
    first = runner.invoke(args=["space", "trust", "recompute"])
    assert first.exit_code == 0, first.output
    assert "promoted 1" in first.output and "demoted 0" in first.output
    second = runner.invoke(args=["space", "trust", "recompute"])
    assert second.exit_code == 0, second.output
    assert "promoted 0" in second.output and "demoted 0" in second.output
    db.session.expire_all()
    assert person.trust_level == TrustLevel.REGULAR
    promotions = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "user.trust_level",
                                                AuditEntry.target_id == person.id)
    )  # fmt: skip
    assert promotions == 1


def test_the_daily_job_runs_the_recompute(app, make):
    from space import jobs

    person = build(make)
    assert "discuss.trust" in {job.name for job in jobs.all_jobs()}
    assert jobs.run_due({"discuss.trust"}, force=True) == ["discuss.trust"]
    db.session.expire_all()
    assert person.trust_level == TrustLevel.REGULAR
