"""The app the load benchmark serves: Space as the environment configures it, with rate
limits and after-response jobs off, plus one route only a benchmark has.

    BENCH_CEILING_SOURCE=/discuss/t/some-topic/1 gunicorn -w 2 'bench.wsgi:build()'

``GET /_bench/ceiling`` answers, from memory, the bytes ``BENCH_CEILING_SOURCE`` answered
once when the worker started: the same app, the same hooks before and after the view, and
no work in the view. Its throughput is the ceiling every page is compared with. This module
is never imported by the production app (``wsgi.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response

from space import create_app

CEILING_URL = "/_bench/ceiling"


def add_ceiling(app: Flask, source: str) -> bytes:
    """Capture what ``source`` answers an anonymous reader and serve it at CEILING_URL.

    Returns the captured bytes; raises RuntimeError when ``source`` does not answer 200.
    """
    captured: list[bytes] = []

    def ceiling() -> Response:
        return Response(captured[0], mimetype="text/html")

    # Routes must exist before the app's first request (the capture below).
    app.add_url_rule(CEILING_URL, "bench_ceiling", ceiling)
    response = app.test_client().get(source)
    if response.status_code != 200:
        raise RuntimeError(f"ceiling source {source} answered {response.status_code}")
    captured.append(response.get_data())
    return captured[0]


def build() -> Flask:
    """The benchmarked app; with BENCH_CEILING_SOURCE in the environment, the ceiling route
    too (settings come from the environment, as for ``wsgi.py``)."""
    app = create_app({"RATELIMIT_ENABLED": False, "SPACE_JOBS_ON_REQUEST": False})
    source = os.environ.get("BENCH_CEILING_SOURCE")
    if source:
        add_ceiling(app, source)
    ready = os.environ.get("BENCH_READY_DIR")
    if ready:  # tells bench/server.py that this worker can answer
        Path(ready, str(os.getpid())).touch()
    return app
