"""``flask space demo --size large`` in the core (no plugin): 500 people with trust levels
spread out, in groups with the right member counts, one password for all, found by search,
the same people every time; the summary line; ``--posts`` only with the large size."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from space import demo, demo_people, search
from space.accounts.models import Group, Membership, User
from space.accounts.services import USERNAME_RE
from space.db import db, utcnow


def test_the_large_demo_adds_people_up_to_500(runner):
    result = runner.invoke(args=["space", "demo", "--size", "large"])
    assert result.exit_code == 0, result.output
    assert "500 people." in result.output and "Indexing for search" in result.output
    db.session.expire_all()
    people = db.session.scalars(select(User).order_by(User.id)).all()
    assert len(people) == demo.LARGE_PEOPLE == 500
    made = people[len(demo.PEOPLE) :]
    levels = Counter(int(person.trust_level) for person in made)
    assert set(levels) == {0, 1, 2, 3, 4} and levels[1] > levels[3] > levels[4]
    assert len({person.password_hash for person in made}) == 1, "hashed once"
    assert made[123].check_password(demo.PASSWORD)
    assert all(USERNAME_RE.match(person.username) for person in made)
    assert len({person.username.lower() for person in people}) == 500
    assert {person.locale for person in made} == {"en", "fr", "es", "ar", None}
    assert all(person.is_confirmed and person.created_at < utcnow() for person in made)
    assert sum(bool(person.bio_html) for person in made) > 200


def test_group_member_counts_follow_the_generated_people(runner):
    assert runner.invoke(args=["space", "demo", "--size", "large"]).exit_code == 0
    db.session.expire_all()
    for group in db.session.scalars(select(Group)):
        if group.is_automatic:
            counted = select(func.count(User.id)).where(
                User.trust_level >= group.automatic_trust_level
            )
        else:
            counted = select(func.count(Membership.id)).where(Membership.group_id == group.id)
        assert group.member_count == db.session.scalar(counted), group.name
    volunteers = db.session.scalar(select(Group).where(Group.name == "volunteers"))
    assert volunteers.member_count > 100


def test_generated_people_are_found_by_search(runner):
    assert runner.invoke(args=["space", "demo", "--size", "large"]).exit_code == 0
    person = db.session.scalars(select(User).order_by(User.id.desc())).first()
    parsed = search.parse(f"type:user {person.username}", known_types=search.types())
    hits = search.backend().search(parsed, search.principals(None), 1, 10).hits
    assert person.display_name in {hit.title for hit in hits}


def test_the_same_people_every_time(app):
    now = utcnow()
    first, again = demo_people.plan(120, now, set()), demo_people.plan(120, now, set())
    assert first == again
    taken = {row["username"] for row in first[:10]}
    assert not taken & {row["username"] for row in demo_people.plan(120, now, taken)}


def test_posts_go_with_the_large_size_only(runner):
    result = runner.invoke(args=["space", "demo", "--posts", "1000"])
    assert result.exit_code != 0 and "--size large" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_the_small_demo_prints_its_summary(runner):
    result = runner.invoke(args=["space", "demo"])
    assert result.exit_code == 0, result.output
    assert f"{len(demo.PEOPLE)} people." in result.output
    assert "Indexing for search" not in result.output, "the small demo queues its documents"


def test_progress_is_silent_unless_the_command_shows_it(app, capsys):
    assert list(demo.progress(iter(range(5)), "Counting", 5)) == [0, 1, 2, 3, 4]
    assert capsys.readouterr().out == ""
    with demo.showing_progress():
        batches = [[1, 2], [3]]
        assert list(demo.progress(batches, "Batches", 3, weight=len)) == batches
        assert list(demo.progress(iter(batches), "Unknown length", weight=len)) == batches
    shown = capsys.readouterr().out
    assert "Batches" in shown and "Unknown length" in shown
