"""The pages the benchmark measures, chosen in the dataset, and what each costs in-process:
the SQL statements it issues (logged out and logged in) and its latency through the Flask
test client, without a server or a network in between.

    pages = choose(app)            # the issue's pages, with their paths in this dataset
    rows = measure(app, pages + CORE_PAGES)
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass

from sqlalchemy import event, select

from space.db import db

PASSWORD = "space-demo-pass"  # space/demo.py's
READER = "member"  # the signed-in reader: trust level 2, no role
SEARCH_WORDS = "editing"
TOPIC = "topic, 20 posts"  # the labels of the pages the targets are about
SEARCH = "search"
WORLD = "-180,-90,180,90"
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


@dataclass(frozen=True)
class Page:
    """A page to measure: its label, its path, and who reads it.

    ``who`` None: a page for everyone, measured in-process logged out and as READER;
    a username: that person only (staff pages). ``load``: measured under load too, logged
    out, and also as READER when ``logged_in_load``."""

    label: str
    path: str
    who: str | None = None
    load: bool = True
    logged_in_load: bool = False


@dataclass(frozen=True)
class Cost:
    """What a page costs in-process, for one reader (``who``: "" for logged out): SQL
    statements, the median wall time and the least CPU time of this process (which other
    work on the machine disturbs least)."""

    page: Page
    who: str
    status: int
    queries: int
    p50_ms: float
    cpu_ms: float = 0.0


# Core pages measured in-process only (they were bench/core.py's table).
CORE_PAGES = [
    Page("profile", f"/u/{READER}", load=False),
    Page("groups list", "/groups", load=False),
    Page("group page", "/g/volunteers", load=False),
    Page("code of conduct", "/code-of-conduct", load=False),
    Page("notifications", "/notifications", "admin", load=False),
    Page("settings", "/settings", READER, load=False),
    Page("admin users", "/admin/users", "admin", load=False),
    Page("admin audit log", "/admin/audit", "admin", load=False),
    Page("API groups", "/api/v1/groups", load=False),
]


def choose(app) -> list[Page]:
    """The issue's pages in this dataset. The topic is the one with the most posts that an
    anonymous reader may read (its first page shows 20 when it has that many); the story
    is the latest published."""
    from plugins.blog.models import Status, Story
    from plugins.discuss.models import Topic

    client = app.test_client()
    with app.app_context():
        topics = db.session.execute(
            select(Topic.id, Topic.slug)
            .where(Topic.deleted_at.is_(None))
            .order_by(Topic.post_count.desc(), Topic.id)
            .limit(20)
        ).all()
        story = db.session.scalar(
            select(Story.slug)
            .where(Story.status == Status.PUBLISHED)
            .order_by(Story.published_at.desc(), Story.id)
            .limit(1)
        )
    topic = next(
        (
            f"/discuss/t/{slug}/{id_}"
            for id_, slug in topics
            if client.get(f"/discuss/t/{slug}/{id_}").status_code == 200
        ),
        None,
    )
    if topic is None or story is None:
        raise RuntimeError("the dataset has no readable topic or no published story")
    return [
        Page("home", "/"),
        Page("Discuss latest", "/discuss/", logged_in_load=True),
        Page(TOPIC, topic, logged_in_load=True),
        Page("blog index", "/blog/"),
        Page("story", f"/blog/{story}"),
        Page("events month", "/events/month"),
        Page("map GeoJSON, world", f"/events/map.geojson?bbox={WORLD}"),
        Page(SEARCH, f"/search?q={SEARCH_WORDS}"),
    ]


def log_in(client, username: str) -> None:
    """Sign ``client`` in through the login form, as a person does."""
    token = CSRF.search(client.get("/login").get_data(as_text=True))
    if token is None:
        raise RuntimeError("/login shows no CSRF token")
    form = {"login": username, "password": PASSWORD, "csrf_token": token.group(1)}
    response = client.post("/login", data=form)
    if response.status_code != 302:
        raise RuntimeError(f"signing in as {username} answered {response.status_code}")


def cost(app, client, page: Page, who: str, rounds: int) -> Cost:
    """Statements of one request (after a warm-up request), then the p50 of ``rounds`` more
    and the least CPU time among them."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    client.get(page.path)  # warm up: templates, settings caches, first-visit writes
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(page.path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    timings, cpu = [], []
    for _ in range(rounds):
        began, began_cpu = time.perf_counter(), time.process_time()
        client.get(page.path)
        cpu.append((time.process_time() - began_cpu) * 1000)
        timings.append((time.perf_counter() - began) * 1000)
    return Cost(
        page, who, response.status_code, len(statements), statistics.median(timings), min(cpu)
    )


def measure(app, pages: list[Page], *, rounds: int = 15) -> list[Cost]:
    """Each page's cost logged out (pages for everyone) and logged in (as ``who``, or as the
    signed-in reader for pages for everyone)."""
    anonymous = app.test_client()
    clients: dict[str, object] = {}
    costs = []
    for page in pages:
        readers = [page.who] if page.who else ["", READER]
        for who in readers:
            if who and who not in clients:
                clients[who] = app.test_client()
                log_in(clients[who], who)
            client = clients[who] if who else anonymous
            costs.append(cost(app, client, page, who, rounds))
    return costs
