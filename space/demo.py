"""Demo content: people of every trust level and role, groups of every kind, the code of
conduct in every shipped language; then each plugin's own demo content. Never commits.

``load`` takes the ``Options`` the command was given and hands them to every plugin's
``demo_content`` hook. The large size adds a crowd of generated people (``demo_people``) and
lets each plugin write its bulk content directly, showing its progress with ``progress``;
bulk content queues no search documents: the command rebuilds the index after the commit
(``index_everything``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import click
from sqlalchemy import func, select

from space import demo_people, search, site
from space.accounts import groups, services
from space.accounts.models import GroupVisibility, User
from space.db import db, utcnow
from space.markup import render
from space.plugins import hook
from space.trust import TrustLevel

PASSWORD = "space-demo-pass"
# The large demo's people: the named accounts below and generated ones up to this many.
LARGE_PEOPLE = 500


@dataclass(frozen=True)
class Options:
    """What the demo was asked for; every plugin's ``demo_content`` gets it as ``options``.

    ``size`` is "small" or "large"; ``posts`` (large only) is how many discussion posts to
    write instead of the default (None); ``progress`` shows progress bars (the command line).
    """

    size: str = "small"
    posts: int | None = None
    progress: bool = False

    @property
    def large(self) -> bool:
        return self.size == "large"


@dataclass
class Loaded:
    """What ``load`` made: the named accounts (username, description) and the counts of what
    the site holds (people, then what each plugin reported)."""

    accounts: list[tuple[str, str]]
    counts: dict[str, int] = field(default_factory=dict)


_showing: ContextVar[bool] = ContextVar("space.demo.progress", default=False)


@contextmanager
def showing_progress(show: bool = True) -> Iterator[None]:
    """Within the block, ``progress`` draws bars (``show``) or stays silent."""
    token = _showing.set(show)
    try:
        yield
    finally:
        _showing.reset(token)


def progress(iterable: Iterable, label: str, length: int | None = None,
             weight: Callable[[object], int] | None = None) -> Iterator:  # fmt: skip
    """Iterate over ``iterable``, with a progress bar on the command line (silent
    elsewhere). ``length`` is the total (None: unknown, the bar counts what went by);
    ``weight(item)`` how much of it each item stands for (e.g. ``len`` for batches)."""
    if not _showing.get():
        yield from iterable
        return
    done = 0
    known = length is not None
    with click.progressbar(
        length=length or 1,
        label=label,
        show_pos=known,
        show_percent=known,
        show_eta=known,
        item_show_func=lambda _: None if known else f"{done:,}",
    ) as bar:
        for item in iterable:
            yield item
            step = weight(item) if weight else 1
            done += step
            bar.update(step if known else 0, item)


PEOPLE = [
    # username, display name, trust level, roles, locale, affiliation, languages, bio
    ("admin", "Amara Okafor", TrustLevel.LEADER, ("admin",), "en", "Space team",
     ["en", "ig"], "I keep the lights on. Ask me about **anything** on this site."),
    ("moderator", "Mateo García", TrustLevel.REGULAR, ("moderator",), "es", "Madrid chapter",
     ["es", "en"], "Moderator. Friendly reminders about our code of conduct are my thing."),
    ("editor", "Claire Dubois", TrustLevel.MEMBER, ("editor",), "fr", "Paris affiliate",
     ["fr", "en"], "Blog editor. Pitch me your event stories!"),
    ("leader", "Yusuf Haddad", TrustLevel.LEADER, (), "ar", "Beirut user group",
     ["ar", "fr", "en"], "Organizer of monthly meetups and edit-a-thons."),
    ("regular", "Sofia Lindqvist", TrustLevel.REGULAR, (), "en", "Stockholm chapter",
     ["sv", "en"], "Regular here since the beginning."),
    ("member", "Kenji Watanabe", TrustLevel.MEMBER, (), "en", "",
     ["ja", "en"], "Training facilitator, happy to help newcomers."),
    ("basic", "Lucía Fernández", TrustLevel.BASIC, (), "es", "Buenos Aires",
     ["es"], "Learning the ropes."),
    ("newcomer", "Noah Smith", TrustLevel.NEW, (), None, "",
     ["en"], ""),
]  # fmt: skip

GROUPS = [
    # name, title, visibility, owner, members, description
    ("volunteers", "Volunteers", GroupVisibility.PUBLIC, "regular",
     ["member", "basic", "newcomer"], "Everyone who gives time to the movement. Join us!"),
    ("organizers", "Event organizers", GroupVisibility.CLOSED, "leader",
     ["regular", "editor"], "People who run local events. Ask to join and tell us what you "
     "organize."),
    ("board", "Board", GroupVisibility.PRIVATE, "admin",
     ["leader", "moderator"], "The board's private space."),
]  # fmt: skip

CODE_OF_CONDUCT = {
    "en": """## Our pledge
We want this community to be a welcoming, safe place for everyone, whatever their
experience, language, background or identity.

## Expected behaviour
- Be kind and assume good intent.
- Stay on topic and respect people's time.
- Credit others' work.

## Unacceptable behaviour
Harassment, personal attacks, discriminatory language, spam and sharing private
information without consent.

## Reporting
Use the **flag** button on any post, or write to the moderators. Reports are handled
confidentially.""",
    "fr": """## Notre engagement
Nous voulons que cette communauté soit un lieu accueillant et sûr pour toutes et tous.

## Comportement attendu
- Soyez bienveillant·e et présumez la bonne foi.
- Restez dans le sujet.
- Citez le travail des autres.

## Signaler
Utilisez le bouton **signaler** sur n'importe quel message.""",
    "es": """## Nuestro compromiso
Queremos que esta comunidad sea un lugar acogedor y seguro para todas las personas.

## Comportamiento esperado
- Sé amable y presupone buena fe.
- Mantente en el tema.
- Reconoce el trabajo de los demás.

## Denunciar
Usa el botón **denunciar** en cualquier mensaje.""",
    "ar": """## تعهدنا
نريد أن يكون هذا المجتمع مكانًا مرحبًا وآمنًا للجميع.

## السلوك المتوقع
- كن لطيفًا وافترض حسن النية.
- التزم بالموضوع.
- انسب العمل لأصحابه.

## الإبلاغ
استخدم زر **الإبلاغ** على أي مشاركة.""",
}


def load(options: Options | None = None) -> Loaded:
    """Create the demo content described by ``options`` (the small demo by default)."""
    options = options or Options()
    with showing_progress(options.progress):
        accounts, counting = _load(options)
    counting = {"people": select(func.count(User.id)), **counting}
    # Counted at the end: a plugin's content may add to another's (a story's topic).
    counts = {what: db.session.scalar(statement) or 0 for what, statement in counting.items()}
    return Loaded(accounts, counts)


def _load(options: Options) -> tuple[list[tuple[str, str]], dict]:
    groups.ensure_automatic_groups()
    site.put("title", "Space")
    site.put("tagline", "Where our volunteers meet, write and organize")
    site.put(
        "code_of_conduct",
        {code: {"text": text, "html": str(render(text, trusted=True))}
         for code, text in CODE_OF_CONDUCT.items()},
    )  # fmt: skip
    people = {}
    accounts = []
    for username, name, level, roles, locale, affiliation, languages, bio in PEOPLE:
        user = services.create_user(
            username, f"{username}@example.org", PASSWORD, confirmed=True, trust_level=level,
            roles=roles, locale=locale,
        )  # fmt: skip
        services.update_profile(
            user, display_name=name, affiliation=affiliation, languages=languages, bio=bio,
            timezone="Europe/Paris" if locale == "fr" else "UTC",
        )  # fmt: skip
        people[username] = user
        accounts.append((username, ", ".join(roles) or f"trust level {int(level)}"))
    admin = people["admin"]
    for name, title, visibility, owner, members, description in GROUPS:
        group = groups.create_group(
            name=name, title=title, description=description, visibility=visibility, by=admin,
            owner=people[owner],
        )  # fmt: skip
        for member in members:
            groups.add_member(group, people[member])
    groups.request_to_join(
        groups.by_name("organizers"), people["basic"], "I run a monthly meetup in my city."
    )
    if options.large:
        demo_people.add(LARGE_PEOPLE - len(PEOPLE), PASSWORD, utcnow())
    counting: dict = {}
    for reported in hook().demo_content(size=options.size, options=options):
        counting.update(reported or {})
    return accounts, counting


def index_everything(options: Options) -> int:
    """Rebuild the search index from every source, as ``flask space reindex`` does: the
    large demo's bulk content queued no documents. Run after the commit; returns how many
    documents were indexed.

    Every backend writes them in one pass (``Backend.rebuild``): Whoosh with one writer,
    PostgreSQL batch by batch.
    """
    with showing_progress(options.progress):
        return search.rebuild(
            1000, show=lambda batches: progress(batches, "Indexing for search", weight=len)
        )
