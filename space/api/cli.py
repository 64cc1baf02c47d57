"""API commands: ``flask space token create|list|revoke``. Each commits its own work."""

from __future__ import annotations

import click

from space.api import tokens
from space.db import db


@click.group("token")
def token_cli() -> None:
    """Manage personal API tokens."""


def _user_or_fail(username: str):
    from space.accounts import services

    user = services.by_username(username)
    if user is None:
        raise click.ClickException(f"there is no user {username!r}")
    return user


@token_cli.command("create")
@click.argument("username")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(sorted(tokens.SCOPES)),
    help="Repeat for several scopes (default: read).",
)
def create(username: str, name: str, scopes) -> None:
    """Create a token for USERNAME and print its secret (shown only this once)."""
    user = _user_or_fail(username)
    try:
        token, secret = tokens.create(user, name, list(scopes) or ["read"])
    except tokens.TokenError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Token #{token.id} {token.name!r} for {user.username}, scopes: "
               f"{', '.join(token.scopes)}. Copy it now; it is not shown again:")  # fmt: skip
    click.echo(secret)


@token_cli.command("list")
@click.argument("username")
def list_tokens(username: str) -> None:
    """List USERNAME's live tokens."""
    user = _user_or_fail(username)
    rows = db.session.scalars(tokens.live_tokens_query(user.id)).all()
    if not rows:
        click.echo(f"{user.username} has no live tokens.")
    for token in rows:
        used = f"{token.last_used_at:%Y-%m-%d %H:%M} UTC" if token.last_used_at else "never"
        click.echo(
            f"#{token.id}  {token.hint}…  {token.name!r}  scopes: {', '.join(token.scopes)}  "
            f"created {token.created_at:%Y-%m-%d %H:%M} UTC  last used: {used}"
        )


@token_cli.command("revoke")
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
def revoke(token_id: int) -> None:
    """Revoke the token with id TOKEN_ID (see `token list`)."""
    token = db.session.get(tokens.ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"there is no token #{token_id}")
    if not tokens.revoke(token, by=None):
        click.echo(f"Token #{token.id} was revoked already.")
        return
    db.session.commit()
    click.echo(f"Token #{token.id} {token.name!r} is revoked.")


def register(cli) -> None:
    cli.add_command(token_cli)
