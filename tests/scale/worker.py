"""Space processes for the scale-out tests: ``python -m tests.scale.worker TASK ARGS_JSON``.

The worker builds the app from the environment, as ``wsgi.py`` does, and prints "ready".
For each line "go N" on its standard input it forks N children (as gunicorn forks its
workers; each opens its own database connections), releases them together from a barrier
and prints ``result [json, …]``: each child's answer. ``write_then_hang`` runs alone: it
prints "flushed" once its write reached the database uncommitted, then waits to be killed.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import sys


def run_jobs(args: dict) -> dict:
    from space import jobs

    return {"ran": jobs.run_due()}


class _Sent(logging.Handler):
    """Collects the subjects of the mail ``deliver_due`` sends (without SMTP it logs them)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.subjects: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("mail to"):
            self.subjects.append(record.args[1])


def deliver_mail(args: dict) -> dict:
    from space import notify

    sent = _Sent()
    notify.log.addHandler(sent)
    notify.log.setLevel(logging.INFO)
    notify.deliver_due()
    return {"sent": sent.subjects}


def index_documents(args: dict) -> dict:
    """Index ``count`` documents one write at a time, each with a word no other has. The
    first ``readers`` processes search instead, over and over, until the writers are done
    (``total`` documents found), and report what went wrong. ``late_create`` makes every
    one of the ``writers`` but the first create the index late, ``stale_read`` makes the
    readers read a table of contents just replaced (see interleavings.py)."""
    import os

    from space import search
    from space.db import utcnow

    from .interleavings import late_create, stale_read

    reader = args["child"] < args.get("readers", 0)
    if reader and args.get("stale_read"):
        stale_read()
    if not reader and args.get("late_create"):
        readers = args.get("readers", 0)
        late_create(first=args["child"] == readers, others=args["writers"] - 1)
    if reader:
        return _search_until(args["total"])
    keys = []
    for n in range(args["count"]):
        name = f"w{os.getpid()}-{n}"
        doc = search.Document(
            type="post", id=name, title=f"Document {name}", body=f"Body of {word(name)}.",
            url=f"/p/{name}", acl=["public"], created_at=utcnow(),
        )  # fmt: skip
        search.backend().index([doc])
        keys.append(doc.key)
    return {"indexed": keys}


def _search_until(total: int) -> dict:
    import time
    import traceback

    from space import search

    query = search.ParsedQuery(text="", types=("post",))
    errors: list[str] = []
    searches = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        searches += 1
        try:
            found = search.backend().search(query, frozenset({search.EVERYTHING}), 1, 1).total
        except Exception as error:  # noqa: BLE001 - the test reports it
            if not errors:
                print(traceback.format_exc(), file=sys.stderr)
            errors.append(repr(error))
            continue
        if found >= total:
            break
    return {"searches": searches, "errors": errors[:20]}


def word(name: str) -> str:
    """A word found in one document only (letters and digits survive the analyzers)."""
    return "zq" + name.replace("-", "x")


TASKS = {"jobs": run_jobs, "deliver": deliver_mail, "index": index_documents}


def write_then_hang(args: dict) -> None:
    """Create a topic through the real service, flush it, say so, and never commit."""
    from plugins.discuss.models import Category
    from plugins.discuss.services import posting
    from space.accounts.models import User
    from space.db import db

    user = db.session.get(User, args["user_id"])
    category = db.session.get(Category, args["category_id"])
    posting.create_topic(user, category, args["title"], args["raw"])
    db.session.flush()
    print("flushed", flush=True)
    sys.stdin.readline()  # killed here
    raise SystemExit("released instead of killed")


def _child(app, task: str, args: dict, barrier, answers) -> None:
    try:
        with app.app_context():
            barrier.wait(timeout=120)
            answers.put(("ok", TASKS[task](args)))
    except BaseException as error:
        import traceback

        answers.put(("error", "".join(traceback.format_exception(error))))
        raise


def _round(app, task: str, args: dict, processes: int) -> list[dict]:
    """Fork ``processes`` children, release them together, gather their answers."""
    fork = multiprocessing.get_context("fork")
    barrier = fork.Barrier(processes + 1)
    answers = fork.SimpleQueue()
    children = [
        fork.Process(target=_child, args=(app, task, {**args, "child": n}, barrier, answers))
        for n in range(processes)
    ]
    for child in children:
        child.start()
    barrier.wait(timeout=120)
    results = []
    for _ in children:
        status, value = answers.get()
        if status != "ok":
            print(value, file=sys.stderr)
            raise SystemExit("a child failed")
        results.append(value)
    for child in children:
        child.join()
    return results


def main() -> None:
    task, args = sys.argv[1], json.loads(sys.argv[2])
    from space import create_app

    app = create_app()  # never touches the database: nothing to share across the fork
    if task == "write_then_hang":
        with app.app_context():
            write_then_hang(args)
        return
    print("ready", flush=True)
    for line in sys.stdin:  # "go N": a round of N processes; anything else ends
        command, _, processes = line.partition(" ")
        if command != "go":
            break
        results = _round(app, task, args, int(processes))
        print("result " + json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
