from datetime import UTC, datetime

import click
from markupsafe import Markup, escape

from space.hookspecs import Outlet, hookimpl
from space.notify import NotificationType
from space.permissions import Action
from space.plugins import NavItem
from space.trust import TrustLevel

GREETINGS = [
    ("1", "Hello from the greetings plugin", ["public"]),
    ("2", "A greeting for regulars only", ["tl:3", "staff"]),
]


@hookimpl
def register_actions():
    return [
        Action("greetings.read", anonymous=True),
        Action("greetings.secret", min_trust=TrustLevel.REGULAR, hide=True),
    ]


@hookimpl
def nav_items(user):
    return [
        NavItem(label="Greetings", endpoint="greetings.index", order=10, active_prefix="greetings.")
    ]


@hookimpl
def template_outlet(outlet, context):
    if outlet == Outlet.HOME_MAIN:
        return Markup('<section class="card" id="greetings-panel">Greetings panel</section>')
    if outlet == Outlet.PROFILE_ASIDE:
        return Markup('<p id="greetings-profile">Greeted {}</p>').format(
            escape(context["user"].username)
        )
    return None


@hookimpl
def search_types():
    from space.search import SearchType

    return [SearchType("greeting", "Greetings")]


@hookimpl
def search_documents():
    from space.search import Document

    for ident, title, acl in GREETINGS:
        yield Document(
            type="greeting",
            id=ident,
            title=title,
            body=f"{title} body text",
            url="/greetings/",
            acl=acl,
            author="",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )


@hookimpl
def notification_types():
    return [
        NotificationType(
            "greeting",
            "Greetings",
            lambda data: f"{data['who']} greets you",
            lambda data: "/greetings/",
        )
    ]


@hookimpl
def register_commands(cli):
    @cli.command("greet")
    @click.argument("name")
    def greet(name):
        """Say hello."""
        click.echo(f"Hello, {name}!")
