"""flask space … commands."""

from space.accounts import services
from space.accounts.models import Group, GroupVisibility, User
from space.db import db


def test_create_user_makes_a_confirmed_admin(runner):
    result = runner.invoke(
        args=[
            "space",
            "create-user",
            "root1",
            "root@example.org",
            "--password",
            "a long password",
            "--role",
            "admin",
        ]  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    user = services.by_username("root1")
    assert user.is_admin and user.is_confirmed


def test_create_user_refuses_bad_input_with_a_message(runner):
    result = runner.invoke(
        args=["space", "create-user", "x", "x@example.org", "--password", "a long password"]
    )
    assert result.exit_code != 0 and "Use 3 to 40" in result.output
    result = runner.invoke(
        args=["space", "create-user", "okname", "x@example.org", "--password", "short"]
    )
    assert result.exit_code != 0 and "10 characters" in result.output


def test_demo_loads_people_of_every_level_and_role_and_groups_of_every_kind(runner):
    result = runner.invoke(args=["space", "demo"])
    assert result.exit_code == 0, result.output
    users = db.session.scalars(db.select(User)).all()
    assert {int(u.trust_level) for u in users} == {0, 1, 2, 3, 4}
    assert any(u.is_admin for u in users) and any(u.is_moderator for u in users)
    assert any(u.is_editor for u in users)
    kinds = {g.visibility for g in db.session.scalars(db.select(Group)) if not g.is_automatic}
    assert kinds == set(GroupVisibility)
    again = runner.invoke(args=["space", "demo"])
    assert again.exit_code != 0 and "empty site" in again.output


def test_jobs_command_runs_due_jobs(runner):
    result = runner.invoke(args=["space", "jobs"])
    assert result.exit_code == 0
    assert "mail.deliver" in result.output
