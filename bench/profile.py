"""Profile one page in-process with pyinstrument (a statistical profiler: it samples the
stack, so the page runs at nearly its normal speed and the call tree shows where the time
goes, templates and SQL included).

    .venv/bin/python -m bench.profile /discuss/t/some-topic/1 [--as member] [--rounds 30]

Uses the benchmark's SQLite dataset (bench/.data/sqlite-run, made by ``make bench``).
``make bench`` profiles the slowest page it measured and writes bench/.data/profile.txt.
"""

from __future__ import annotations

import argparse

from bench import dataset, wsgi
from bench.pages import log_in


def profile(app, path: str, *, who: str = "", rounds: int = 30) -> str:
    """The call tree of ``rounds`` requests of ``path`` (after three warm-up requests), as
    text; ``who`` signs in first. Raises ImportError without pyinstrument."""
    from pyinstrument import Profiler

    client = app.test_client()
    if who:
        log_in(client, who)
    for _ in range(3):
        client.get(path)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(rounds):
        client.get(path)
    profiler.stop()
    return profiler.output_text(unicode=True, color=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--as", dest="who", default="")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    run = dataset.DATA / "sqlite-run"
    if not (run / "space.db").exists():
        raise SystemExit("no dataset: run `make bench` once")
    with dataset.environment(dataset.settings(f"sqlite:///{run / 'space.db'}", run)):
        app = wsgi.build()
    print(profile(app, args.path, who=args.who, rounds=args.rounds))


if __name__ == "__main__":
    main()
