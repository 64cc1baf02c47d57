"""Scheduled work in several processes at the same moment: every job (core and plugins) runs
once per period, whatever the number of processes, and what each job does happens once;
mail queued by requests on several workers is sent once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select, update

from space import jobs, notify
from space.db import db, utcnow
from space.notify import MailMessage, Notification
from space.trust import TrustLevel
from tests import factories

WORKERS = 4


def _seed() -> dict:
    """Work for every job that has some: each piece must be done exactly once."""
    from plugins.blog.models import Status
    from plugins.blog.models import Story as BlogStory
    from plugins.discuss.models import Bookmark
    from plugins.discuss.services import social
    from plugins.events import settings as event_settings
    from plugins.events.services import registration
    from space.moderation.models import ReviewItem
    from space.moderation.services import flag
    from tests.blog.conftest import Maker as BlogMaker
    from tests.discuss.conftest import Maker as DiscussMaker
    from tests.events.conftest import Maker as EventMaker

    long_ago = utcnow() - timedelta(days=2)
    moderator = factories.moderator("watchful")
    reader = factories.user("reader", trust_level=TrustLevel.MEMBER)
    # moderation.remind: an item nobody looked at for two days.
    discuss = DiscussMaker()
    reply = discuss.reply(discuss.topic(), raw="A reply that somebody finds rude enough.")
    flag(reader, "discuss.post", reply.id, "inappropriate", "Rude.")
    db.session.execute(update(ReviewItem).values(updated_at=long_ago))
    # discuss.bookmark_reminders: a reminder that is due.
    social.bookmark(reader, reply, reminder_at=utcnow() + timedelta(hours=1))
    db.session.execute(update(Bookmark).values(reminder_at=utcnow() - timedelta(minutes=1)))
    # mail.notifications: a notification unread for two days.
    note = notify.notify(reader.id, "flag_outcome", outcome="agreed", title="Old news")
    db.session.flush()
    note.created_at = long_ago
    # mail.deliver: queued messages.
    for n in range(3):
        notify.queue_mail(f"person{n}@example.org", f"Queued message {n}", "Hello.")
    db.session.commit()
    # blog.publish_due: a scheduled story whose time has come.
    story = BlogMaker().story(None, Status.SCHEDULED, title="Solar panels at school")
    db.session.execute(update(BlogStory).where(BlogStory.id == story.id)
                       .values(publish_at=utcnow() - timedelta(minutes=1)))  # fmt: skip
    # events.reminders: an event next week, reminded of a week ahead.
    events = EventMaker()
    event = events.event()
    registration.register(reader, event, "going")
    event_settings.put("reminder_hours", 24 * 8)
    db.session.commit()
    return {"moderator": moderator.id, "reader": reader.id, "story": story.id,
            "event": event.id}  # fmt: skip


def _notes(user_id: int, kind: str) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user_id,
                                                  Notification.kind == kind)
    )  # fmt: skip


def _ran(results) -> Counter:
    return Counter(name for result in results for name in result["ran"])


def test_every_job_runs_once_per_period_across_processes(app, crew):
    from plugins.blog.models import Status, Story, StoryDecision
    from plugins.discuss.models import Topic

    names = {job.name for job in jobs.all_jobs()}
    assert {
        "mail.deliver",
        "mail.notifications",
        "moderation.remind",
        "discuss.trust",
        "discuss.bookmark_reminders",
        "blog.publish_due",
        "events.reminders",
    } <= names
    seeded = _seed()

    workers = crew("jobs")
    ran = _ran(workers.run(WORKERS))
    assert ran == Counter(names), "each job once, in one of the processes"

    db.session.expire_all()
    runs = db.session.scalars(select(jobs.JobRun)).all()
    assert {run.name for run in runs} == names
    assert all(run.finished_at is not None and run.error == "" for run in runs), [
        (run.name, run.error) for run in runs
    ]
    # What each job did, it did once.
    mail = db.session.scalars(select(MailMessage)).all()
    queued = [message for message in mail if message.subject.startswith("Queued message")]
    assert len(queued) == 3
    assert all(message.sent_at is not None and message.attempts == 1 for message in queued)
    # The unread notification is emailed once (sent now, or next period when the delivery
    # ran in another process before it was queued).
    [emailed] = [message for message in mail if message not in queued]
    assert emailed.to == "reader@example.org" and emailed.attempts <= 1
    assert _notes(seeded["moderator"], "review_reminder") == 1
    assert _notes(seeded["reader"], "bookmark_reminder") == 1
    assert _notes(seeded["reader"], "events.reminder") == 1
    assert db.session.get(Story, seeded["story"]).status == Status.PUBLISHED
    assert db.session.scalar(
        select(func.count(StoryDecision.id)).where(StoryDecision.story_id == seeded["story"],
                                                   StoryDecision.action == "autopublish")
    ) == 1  # fmt: skip
    assert db.session.scalar(
        select(func.count(Topic.id)).where(Topic.subject == f"blog.story:{seeded['story']}")
    ) == 1  # fmt: skip

    # Within the period, nothing runs again.
    assert _ran(workers.run(1)) == Counter()

    # The next period (every job's last start moved back two days): once again.
    db.session.execute(update(jobs.JobRun).values(started_at=utcnow() - timedelta(days=2)))
    notify.queue_mail("late@example.org", "Queued later", "Hello again.")
    db.session.commit()
    assert _ran(workers.run(WORKERS)) == Counter(names)
    db.session.expire_all()
    mail = db.session.scalars(select(MailMessage)).all()
    assert len(mail) == 5, "nothing emailed twice"
    assert all(message.sent_at is not None and message.attempts == 1 for message in mail)


def test_mail_queued_by_requests_on_several_workers_is_sent_once(app, crew):
    """Every worker that served a request which queued mail sends the outbox right after
    the response (``tick_after_response``): several at once must not send a message twice."""
    subjects = [f"Message {n}" for n in range(40)]
    for subject in subjects:
        notify.queue_mail("someone@example.org", subject, "Hello.")
    db.session.commit()

    results = crew("deliver").run(WORKERS)

    sent = Counter(subject for result in results for subject in result["sent"])
    doubled = sorted(subject for subject, times in sent.items() if times > 1)
    assert not doubled, f"sent more than once: {doubled}"
    assert set(sent) == set(subjects)
    db.session.expire_all()
    rows = db.session.scalars(select(MailMessage)).all()
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)
