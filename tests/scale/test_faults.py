"""Faults: a worker killed in the middle of a write leaves nothing of it behind; the app
survives its database connections being cut (as a PostgreSQL restart does) without being
restarted; with Redis down from the start, hanging, or gone while serving, pages keep
serving and rate limits still apply (in memory), without a traceback per request."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text

from plugins.discuss.models import Category, Post, Topic, TopicUser, UserStats
from plugins.discuss.services import posting
from space.db import db
from space.trust import TrustLevel
from tests import factories
from tests.conftest import PG_URL
from tests.discuss.conftest import Maker

from .cluster import Browser, free_port, read_line, start_worker, stop_worker, wait_for


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_worker_killed_in_the_middle_of_a_write_leaves_nothing_behind(app, env, tmp_path):
    make = Maker()
    category = make.category()
    make.topic(category=category)
    writer = factories.user(trust_level=TrustLevel.MEMBER)
    before = (_count(Topic), _count(Post), category.topic_count, category.post_count)
    title = "A topic that will never be committed"
    db.session.commit()  # the test holds no transaction while the worker writes

    worker = start_worker(env(), "write_then_hang",
                          {"user_id": writer.id, "category_id": category.id, "title": title,
                           "raw": "Its first post, long enough to be accepted."},
                          tmp_path / "killed.log")  # fmt: skip
    try:
        said = read_line(worker)
        assert said == "flushed", (tmp_path / "killed.log").read_text()[-3000:]
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        stop_worker(worker)
    assert worker.returncode == -signal.SIGKILL

    db.session.expire_all()
    category = db.session.get(Category, category.id)
    after = (_count(Topic), _count(Post), category.topic_count, category.post_count)
    assert after == before
    assert _count(Topic, Topic.title == title) == 0
    assert _count(TopicUser, TopicUser.user_id == writer.id) == 0
    stats = db.session.get(UserStats, writer.id)
    assert stats is None or (stats.topic_count, stats.post_count) == (0, 0)
    # Nothing is left locked: the same write now goes through, and the counters follow.
    posting.create_topic(writer, category, title, "Its first post, long enough this time.")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Category, category.id).topic_count == before[2] + 1
    assert db.session.get(UserStats, writer.id).topic_count == 1


@pytest.mark.skipif(not PG_URL, reason="cutting database connections needs PostgreSQL")
def test_the_app_survives_its_database_connections_being_cut(app, servers, database_url):
    make = Maker()
    make.topic(title="Still here after the database restarted")
    person = factories.user("steady")
    name = "scale-" + uuid.uuid4().hex[:12]
    [server] = servers(1, SPACE_DATABASE_URL=f"{database_url}&application_name={name}")
    browser = Browser()
    assert browser.get(server.base + "/discuss/").status == 200
    assert browser.login(server.base, person.username).status == 302

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            pids = conn.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name},
            ).all()
            assert pids, "the server keeps pooled connections"
            for pid in pids:
                assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            wait_for(lambda: not conn.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                {"pids": pids}), what="the backends to end")  # fmt: skip
    finally:
        admin.dispose()

    page = browser.get(server.base + "/discuss/")
    assert page.status == 200 and "Still here after the database restarted" in page.text
    assert browser.get(server.base + "/settings").status == 200, "still signed in"
    assert "Traceback" not in server.log()


# --- Redis ------------------------------------------------------------------------------------


REFUSED = 422  # a wrong password: the form again, with its error


def _attempt(browser, base: str) -> int:
    token = browser.csrf_token(base + "/login")
    return browser.post(base + "/login", {"login": "someone", "password": "not it",
                                          "csrf_token": token}).status  # fmt: skip


def _serves_and_limits(server, *, slowest: float = 3.0) -> None:
    """Pages answer (quickly) and the login limit (3 per minute) still refuses the 4th try."""
    browser = Browser()
    for path in ("/", "/discuss/", "/login", "/robots.txt"):
        started = time.monotonic()
        assert browser.get(server.base + path).status == 200, path
        assert time.monotonic() - started < slowest, f"{path} took too long"
    started = time.monotonic()
    statuses = [_attempt(browser, server.base) for _ in range(4)]
    assert statuses == [REFUSED] * 3 + [429], statuses
    assert time.monotonic() - started < 4 * slowest
    log = server.log()
    assert "Traceback" not in log, log[-3000:]
    assert log.count("falling back to in-memory storage") <= 1


LIMITED = {"SPACE_RATELIMIT_LOGIN": "3 per minute"}


def test_with_redis_down_from_the_start_pages_serve_and_limits_apply(app, servers):
    [server] = servers(1, SPACE_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", **LIMITED)
    _serves_and_limits(server)


def test_with_redis_hanging_pages_serve_and_limits_apply(app, servers):
    """A Redis that accepts connections and never answers (a stuck server, a full network
    buffer): requests must not wait for it longer than the client's short timeouts."""
    with socket.socket() as stuck:
        stuck.bind(("127.0.0.1", 0))
        stuck.listen(64)
        port = stuck.getsockname()[1]
        [server] = servers(1, SPACE_REDIS_URL=f"redis://127.0.0.1:{port}/0", **LIMITED)
        _serves_and_limits(server)


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own on a free port; shut down afterwards."""
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    port = free_port()
    subprocess.run(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--daemonize", "yes", "--dir", str(tmp_path),
                    "--pidfile", str(tmp_path / "redis.pid")], check=True)  # fmt: skip
    wait_for(lambda: _answers(port), what="redis-server to start")
    yield port
    if _answers(port):
        subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], check=False)


def _answers(port: int) -> bool:
    from .cluster import redis_answers

    return redis_answers(port)


def test_with_redis_gone_while_serving_pages_serve_and_limits_apply(app, servers, own_redis):
    import redis

    [server] = servers(1, SPACE_REDIS_URL=f"redis://127.0.0.1:{own_redis}/0", **LIMITED)
    browser = Browser()
    assert [_attempt(browser, server.base) for _ in range(2)] == [REFUSED] * 2
    client = redis.Redis(port=own_redis)
    try:
        assert any(b"login:someone" in key for key in client.scan_iter()), "counted in Redis"
    finally:
        client.close()

    subprocess.run(["redis-cli", "-p", str(own_redis), "shutdown", "nosave"], check=False)
    wait_for(lambda: not _answers(own_redis), what="Redis to stop")
    # The counts kept in Redis are gone with it: in memory, the limit starts again.
    _serves_and_limits(server)
