"""``flask --app wsgi space …`` commands. Each command commits its own work."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import inspect, select

from space import jobs, notify
from space.db import db


def init_app(app, registry) -> None:
    from space.api import cli as api_cli
    from space.backup import cli as backup_cli
    from space.search import cli as search_cli

    group = AppGroup("space", help="Manage Space.")
    for command in (init, demo, create_user, outbox, run_jobs):
        group.add_command(command)
    api_cli.register(group)
    search_cli.register(group)
    backup_cli.register(group)
    registry.hook.register_commands(cli=group)
    app.cli.add_command(group)


def _initialize() -> None:
    from flask_migrate import upgrade  # Alembic loads only when a command needs it

    from space.accounts import groups

    upgrade(directory=current_app.extensions["migrate"].directory)
    groups.ensure_automatic_groups()
    db.session.commit()


def _is_empty() -> bool:
    from space.accounts.models import User

    return db.session.scalar(select(User.id).limit(1)) is None


@click.command("init")
@with_appcontext
@click.option("--demo-if-empty", is_flag=True, help="Load demo content when there are no users.")
def init(demo_if_empty: bool) -> None:
    """Create or upgrade the database schema (safe to run any time)."""
    fresh = "user" not in inspect(db.engine).get_table_names()
    _initialize()
    click.echo("Database created." if fresh else "Database is up to date.")
    if demo_if_empty and _is_empty():
        _load_demo("small")


@click.command("demo")
@with_appcontext
@click.option("--size", type=click.Choice(["small", "large"]), default="small", show_default=True,
              help="large: about 500 people, 2,000 topics, 40,000 posts, 200 stories, "
                   "5,000 events (for benchmarks).")  # fmt: skip
@click.option("--posts", type=click.IntRange(min=20), default=None,
              help="With --size large: this many discussion posts (about 20 per topic) "
                   "instead of 40,000.")  # fmt: skip
def demo(size: str, posts: int | None) -> None:
    """Load realistic sample content into an empty, initialized site (see ``init``)."""
    if posts is not None and size != "large":
        raise click.UsageError("--posts goes with --size large")
    if not _is_empty():
        raise click.ClickException(
            "the site has accounts already; demo content needs an empty site"
        )
    _load_demo(size, posts)


def _load_demo(size: str, posts: int | None = None) -> None:
    from space import demo as demo_content

    started = time.monotonic()
    options = demo_content.Options(size=size, posts=posts, progress=True)
    loaded = demo_content.load(options)
    db.session.commit()
    if options.large:  # bulk content queued no search documents
        demo_content.index_everything(options)
    counts = ", ".join(f"{n:,} {name}" for name, n in loaded.counts.items())
    click.echo(f"Demo content loaded in {time.monotonic() - started:.1f} s: {counts}.")
    click.echo("Accounts:")
    for username, role in loaded.accounts:
        click.echo(f"  {username:<12} {role}  (password: {demo_content.PASSWORD})")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, type=click.Choice(["admin", "moderator", "editor"]))
@click.option("--trust-level", type=click.IntRange(0, 4), default=1, show_default=True)
def create_user(username: str, email: str, password: str, roles, trust_level: int) -> None:
    """Create a confirmed account (e.g. the first admin)."""
    from space.accounts import services
    from space.trust import TrustLevel

    problem = services.username_problem(username)
    if problem:
        raise click.ClickException(problem)
    if services.by_email(email) is not None:
        raise click.ClickException("an account with this email exists already")
    if len(password) < 10:
        raise click.ClickException("the password needs at least 10 characters")
    user = services.create_user(
        username, email, password, confirmed=True, trust_level=TrustLevel(trust_level),
        roles=tuple(roles),
    )  # fmt: skip
    db.session.commit()
    click.echo(f"Created {user.username} ({', '.join(user.roles) or 'member'}).")


@click.command("outbox")
@with_appcontext
@click.option("--limit", default=10, show_default=True, help="How many recent messages.")
@click.option("--send", is_flag=True, help="Deliver due messages now.")
def outbox(limit: int, send: bool) -> None:
    """Show the latest emails (with their links); optionally deliver due ones."""
    if send:
        click.echo(f"Sent {notify.deliver_due()} message(s).")
    messages = db.session.scalars(
        select(notify.MailMessage).order_by(notify.MailMessage.id.desc()).limit(limit)
    ).all()
    if not messages:
        click.echo("The outbox is empty.")
    for message in messages:
        state = (
            "sent"
            if message.sent_at
            else ("error: " + message.error if message.error else "queued")
        )
        click.echo(f"#{message.id} to {message.to} — {message.subject} [{state}]")
        click.echo(f"  {message.created_at:%Y-%m-%d %H:%M} UTC")
        for line in message.body.splitlines():
            click.echo(f"  | {line}")
        click.echo()


@click.command("jobs")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep running, checking every minute.")
@click.option("--force", "force", multiple=True, help="Run this job now, due or not.")
def run_jobs(loop: bool, force) -> None:
    """Run due scheduled jobs (mail, and the plugins' jobs); safe to run from cron."""
    while True:
        ran = jobs.run_due(set(force), force=True) if force else jobs.run_due()
        click.echo(f"Ran: {', '.join(ran) or 'nothing due'}")
        if not loop:
            return
        time.sleep(60)
