"""Scale-out tests: several real processes on one database (the suite's SQLite file or
PostgreSQL schema) and one Redis.

``servers(n, **settings)`` starts gunicorn app servers, ``crew(task, **settings).run(n)``
runs a task in n worker processes released at the same moment (see cluster.py and worker.py);
``redis_prefix`` gives a test its own Redis keys and removes them afterwards.
"""

from __future__ import annotations

import uuid

import pytest

from space.db import db

from .cluster import Crew, Server, redis_answers, space_env


@pytest.fixture
def app_config():
    return {"SPACE_PLUGINS": ["discuss", "blog", "events"]}


@pytest.fixture(autouse=True)
def _no_intervals(app):
    """No seconds between posts: several topics and replies come at once here."""
    from plugins.discuss import settings

    for name in ("topic_interval", "post_interval", "newuser_topic_interval",
                 "newuser_post_interval"):  # fmt: skip
        settings.put(name, 0)
    db.session.commit()


@pytest.fixture
def env(database_url, tmp_path):
    """``env(**settings)``: the environment of a Space process on the test's database."""

    def build(**settings):
        return space_env(database_url, tmp_path, **settings)

    return build


@pytest.fixture
def servers(env, tmp_path):
    """``servers(n, **settings)``: n gunicorn servers of the same site, started together
    and ready; ``each=[{…}, …]`` adds settings to each server's own."""
    started: list[Server] = []

    def start(n: int = 2, *, each: list[dict] | None = None, **settings) -> list[Server]:
        each = each or [{}] * n
        batch = [Server(env(**settings, **each[i]), tmp_path / f"server-{len(started) + i}.log")
                 for i in range(n)]  # fmt: skip
        started.extend(batch)
        for server in batch:
            server.wait_ready()
        return batch

    yield start
    for server in started:  # all at once: each takes a moment to finish
        server.quit()
    for server in started:
        server.stop()


@pytest.fixture
def crew(env, tmp_path):
    """``crew(task, args=None, **settings)``: a worker ready to run ``task``; its ``run(n)``
    runs it in n processes released at the same moment and returns each one's answer."""
    crews: list[Crew] = []

    def start(task: str, args: dict | None = None, **settings) -> Crew:
        log = tmp_path / f"crew-{task}-{len(crews)}.log"
        crews.append(Crew(env(**settings), task, args or {}, log))
        return crews[-1]

    yield start
    for started in crews:
        started.close()


@pytest.fixture
def redis_prefix():
    """A key prefix no other test uses (``SPACE_REDIS_PREFIX``); its keys are deleted
    afterwards. Skips when no Redis answers on 127.0.0.1:6379."""
    if not redis_answers():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    import redis

    prefix = "scale-" + uuid.uuid4().hex[:12]
    yield prefix
    client = redis.Redis(host="127.0.0.1", port=6379)
    try:
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
