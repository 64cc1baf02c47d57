"""Recording activity (read reports, visits) and showing it: the progress panel on one's own
profile, the activity summary, and the activity page filtered by what the viewer may see."""

from datetime import timedelta

from sqlalchemy import func, select

from plugins.discuss.models import Access, PostLike, TopicUser, UserStats, UserVisit
from plugins.discuss.services import activity, stats
from space.db import db, utcnow
from space.trust import TrustLevel
from tests import factories


def _stats(user):
    db.session.expire_all()
    return db.session.get(UserStats, user.id)


def _topic_with_posts(make, replies=4):
    topic = make.topic()
    for _ in range(replies):
        make.reply(topic)
    db.session.refresh(topic)
    return topic


# --- read reports ----------------------------------------------------------------------------


def test_read_reports_count_each_post_once(app, make):
    reader = factories.user(trust_level=TrustLevel.MEMBER)
    topic = _topic_with_posts(make)  # posts 1 to 5
    assert activity.record_topic_view(reader, topic, 3, seconds=20) == 3
    assert activity.record_topic_view(reader, topic, 3, seconds=20) == 0
    assert activity.record_topic_view(reader, topic, 2, seconds=5) == 0
    assert activity.record_topic_view(reader, topic, 5, seconds=10) == 2
    db.session.commit()
    row = _stats(reader)
    assert (row.topics_entered, row.posts_read, row.time_read_seconds) == (1, 5, 55)
    state = db.session.scalar(select(TopicUser).where(TopicUser.user_id == reader.id))
    assert state.last_read_post_number == 5 and state.time_read_seconds == 55
    day = db.session.scalar(select(UserVisit).where(UserVisit.user_id == reader.id))
    assert (day.posts_read, day.time_read_seconds) == (5, 55)
    assert row.days_visited == 1


def test_read_reports_are_capped(app, make):
    reader = factories.user(trust_level=TrustLevel.MEMBER)
    topic = _topic_with_posts(make, replies=2)  # posts 1 to 3
    assert activity.record_topic_view(reader, topic, 999, seconds=3600) == 3
    activity.record_topic_view(reader, topic, -5, seconds=-30)
    db.session.commit()
    row = _stats(reader)
    assert (row.posts_read, row.time_read_seconds) == (3, activity.MAX_SECONDS_PER_REPORT)


def test_a_second_topic_counts_as_another_topic_entered(app, make):
    reader = factories.user(trust_level=TrustLevel.MEMBER)
    for topic in (make.topic(), make.topic()):
        activity.record_topic_view(reader, topic, 1, seconds=1)
        activity.record_topic_view(reader, topic, 1, seconds=1)
    db.session.commit()
    assert _stats(reader).topics_entered == 2


def test_the_author_does_not_read_their_own_posts(app, make):
    author = factories.user(trust_level=TrustLevel.MEMBER)
    topic = make.topic(author)
    make.reply(topic)
    db.session.refresh(topic)
    assert activity.record_topic_view(author, topic, 2) == 1  # only the reply is new


def test_anonymous_reports_record_nothing(app, make):
    from flask_login import AnonymousUserMixin

    assert activity.record_topic_view(AnonymousUserMixin(), make.topic(), 1, seconds=5) == 0


# --- visits ----------------------------------------------------------------------------------


def test_a_visit_counts_once_per_day(app):
    user = factories.user()
    assert activity.record_visit(user) is True
    assert activity.record_visit(user) is False
    assert activity.record_visit(user, now=utcnow() + timedelta(days=1)) is True
    db.session.commit()
    row = _stats(user)
    assert row.days_visited == 2
    assert row.last_visit_on == (utcnow() + timedelta(days=1)).date()
    visits = db.session.scalar(select(func.count(UserVisit.id)).where(UserVisit.user_id == user.id))
    assert visits == 2


def test_pages_record_the_visit_once_then_cost_no_query(app, client, login, count_queries):
    user = factories.user()
    login(user)
    assert client.get("/").status_code == 200
    assert _stats(user).days_visited == 1
    with count_queries() as counter:
        assert client.get("/").status_code == 200
    assert not [s for s in counter.statements if "discuss_user_visit" in s]
    assert _stats(user).days_visited == 1


def test_anonymous_pages_record_no_visit(app, client):
    assert client.get("/").status_code == 200
    assert db.session.scalar(select(func.count(UserVisit.id))) == 0


# --- the profile panels ----------------------------------------------------------------------


def _profile(client, user):
    return client.get(f"/u/{user.username}").get_data(as_text=True)


def test_the_progress_panel_is_for_the_person_themself(app, client, login):
    person = factories.user(trust_level=TrustLevel.NEW)
    stats.bump(person.id, topics_entered=3, posts_read=12, time_read_seconds=250)
    db.session.commit()
    login(person)
    html = _profile(client, person)
    assert 'id="discuss-trust-progress"' in html
    assert 'data-stat="topics_entered"' in html and 'data-value="3"' in html
    assert "<progress" in html and "style=" not in html.split('id="discuss-trust-progress"')[1]
    assert 'data-count="days_visited"' in html


def test_others_see_no_progress_and_no_counts_only_the_link(app, client, login):
    person = factories.user(trust_level=TrustLevel.NEW)
    login(factories.user())
    html = _profile(client, person)
    assert 'id="discuss-trust-progress"' not in html
    assert 'id="discuss-profile-activity"' in html and "data-count" not in html
    assert f"/discuss/u/{person.username}" in html


def test_staff_see_the_progress_panel(app, client, login):
    person = factories.user(trust_level=TrustLevel.MEMBER)
    login(factories.admin())
    html = _profile(client, person)
    assert 'id="discuss-trust-progress"' in html and 'data-next-level="3"' in html


def test_a_locked_level_says_so(app, client, login):
    person = factories.user(trust_level=TrustLevel.BASIC)
    person.trust_locked = True
    db.session.commit()
    login(person)
    assert 'id="discuss-trust-locked"' in _profile(client, person)


# --- the activity page -----------------------------------------------------------------------


def _private_world(make):
    member = factories.user(trust_level=TrustLevel.MEMBER)
    team = factories.group(members=[member])
    private = make.category("Team room", groups={team.id: Access.CREATE})
    public = make.category("Open room")
    secret = make.topic(member, private, title="A secret plan for the team")
    shared = make.topic(member, public, title="An open question for everyone")
    other = make.topic(category=public, title="Somebody else asks a thing")
    make.reply(secret, member, raw="A secret reply that outsiders must not read.")
    make.reply(other, member, raw="A public reply that everyone may read.")
    liked = make.reply(secret, raw="A secret reply that the member liked a lot.")
    db.session.add(PostLike(post_id=liked.id, user_id=member.id, post_user_id=liked.user_id))
    db.session.commit()
    return member, secret, shared, team


def test_the_activity_page_hides_private_categories_from_outsiders(app, client, login, make):
    member, secret, shared, team = _private_world(make)
    login(factories.user(trust_level=TrustLevel.MEMBER))
    topics = client.get(f"/discuss/u/{member.username}").get_data(as_text=True)
    assert shared.title in topics and secret.title not in topics
    replies = client.get(f"/discuss/u/{member.username}?tab=replies").get_data(as_text=True)
    assert "public reply" in replies and "secret reply" not in replies
    likes = client.get(f"/discuss/u/{member.username}?tab=likes")
    assert likes.status_code == 200 and 'id="discuss-activity-empty"' in likes.get_data(True)
    assert 'id="discuss-activity-counts"' not in topics


def test_members_of_the_group_see_everything(app, client, login, make):
    member, secret, shared, team = _private_world(make)
    colleague = factories.user(trust_level=TrustLevel.MEMBER)
    from space.accounts import groups

    groups.add_member(team, colleague)
    db.session.commit()
    login(colleague)
    topics = client.get(f"/discuss/u/{member.username}").get_data(as_text=True)
    assert shared.title in topics and secret.title in topics
    replies = client.get(f"/discuss/u/{member.username}?tab=replies").get_data(as_text=True)
    assert "secret reply" in replies and "public reply" in replies
    likes = client.get(f"/discuss/u/{member.username}?tab=likes").get_data(as_text=True)
    assert "liked a lot" in likes


def test_anonymous_readers_see_public_activity(app, client, make):
    member, secret, shared, team = _private_world(make)
    html = client.get(f"/discuss/u/{member.username}").get_data(as_text=True)
    assert shared.title in html and secret.title not in html


def test_the_person_sees_their_counts_on_the_activity_page(app, client, login, make):
    member, *_rest = _private_world(make)
    login(member)
    html = client.get(f"/discuss/u/{member.username}").get_data(as_text=True)
    assert 'id="discuss-activity-counts"' in html


def test_unknown_people_and_lists(app, client):
    assert client.get("/discuss/u/nobody-here").status_code == 404
    person = factories.user()
    assert client.get(f"/discuss/u/{person.username}?tab=drafts").status_code == 400
    assert client.get(f"/discuss/u/{person.username}?page=0").status_code == 400


def test_the_activity_page_costs_a_fixed_number_of_queries(app, client, make, count_queries):
    member = factories.user(trust_level=TrustLevel.MEMBER)
    category = make.category()
    make.topic(member, category)
    with count_queries() as few:
        client.get(f"/discuss/u/{member.username}")
    for _ in range(6):
        make.topic(member, make.category())
    with count_queries() as many:
        assert client.get(f"/discuss/u/{member.username}").status_code == 200
    assert few.count == many.count
