"""Unlucky timings, made certain: a worker process installs one of these before its task so
that a race which a busy server loses now and then is lost every time.

- ``late_create``: every writer found no index; by the time all but the first create one,
  the first has created it and committed documents to it.
- ``stale_read``: the process lists the index directory, and before it opens the table of
  contents it found, another process commits (and removes that table of contents).

Both only delay the process (by polling the index directory, never sleeping blindly) and
then let Whoosh do exactly what it would have done.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
PATIENCE = 15.0


def generations(path: str) -> list[int]:
    try:
        names = os.listdir(path)
    except FileNotFoundError:
        return []
    return sorted(int(m.group(1)) for m in map(TOC.match, names) if m)


def _until(condition) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)  # polling the directory for another process's commit


def late_create(first: bool, others: int) -> None:
    """All writers find no index; the ``first`` creates it (once the ``others`` have looked)
    and commits; only then do the others reach ``create_in``."""
    from whoosh import index as whoosh_index

    exists_in, create_in = whoosh_index.exists_in, whoosh_index.create_in

    def looked(dirname, *args, **kwargs):
        found = exists_in(dirname, *args, **kwargs)
        if not found:
            Path(dirname).parent.joinpath(f"looked-{os.getpid()}").touch()
        return found

    def created(dirname, *args, **kwargs):
        if first:
            _until(lambda: len(list(Path(dirname).parent.glob("looked-*"))) >= others + 1)
        else:
            _until(lambda: any(gen >= 1 for gen in generations(dirname)))
        return create_in(dirname, *args, **kwargs)

    whoosh_index.exists_in, whoosh_index.create_in = looked, created


def stale_read() -> None:
    from whoosh.index import TOC as Toc

    latest = Toc._latest_generation.__func__
    used = []

    def stale(cls, storage, indexname):
        found = latest(cls, storage, indexname)
        if not used and found >= 0:
            used.append(found)
            path = storage.folder
            _until(lambda: found not in generations(path) and generations(path))
        return found

    Toc._latest_generation = classmethod(stale)


INTERLEAVINGS = {"late_create": late_create, "stale_read": stale_read}
