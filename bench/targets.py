"""What one benchmark run found, per database backend, and the issue's targets checked
against it (pure functions over the numbers, so they are tested without a server).

Targets (issue 7): the topic page at ≥ 25 % of the ceiling's throughput logged out and
≥ 20 % logged in; search p50 ≤ 20 ms at 100,000 posts on both backends; the map GeoJSON
for 10,000 events ≤ 50 ms; ``create_app`` < 1 s; a worker under 150 MB resident.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.load import Result, ratio
from bench.pages import Cost, Page

TOPIC_OUT, TOPIC_IN = 0.25, 0.20
SEARCH_MS, SEARCH_POSTS = 20.0, 100_000
GEOJSON_MS, GEOJSON_EVENTS = 50.0, 10_000
STARTUP_S = 1.0
WORKER_MB = 150.0


@dataclass
class Measured:
    """One page under load, for one reader ("" logged out), and the ceiling's throughput
    around it (the mean of the ceiling's runs just before and after; 0.0: not measured)."""

    page: Page
    who: str
    result: Result
    ceiling_rps: float = 0.0


@dataclass
class BackendRun:
    """Everything measured on one database backend."""

    name: str
    counts: dict[str, int]
    search_backend: str = ""
    ceilings: list[Result] = field(default_factory=list)
    loads: list[Measured] = field(default_factory=list)
    costs: list[Cost] = field(default_factory=list)
    workers_mb: list[float] = field(default_factory=list)

    @property
    def ceiling_rps(self) -> float:
        """The mean of the ceiling's runs."""
        return sum(r.rps for r in self.ceilings) / len(self.ceilings) if self.ceilings else 0.0

    def ratio(self, measured: Measured) -> float:
        """A page's throughput as a fraction of the ceiling's around it (which follows the
        machine's other work better than the run's mean does)."""
        return ratio(measured.result.rps, measured.ceiling_rps or self.ceiling_rps)

    def load(self, label: str, who: str = "") -> Measured | None:
        return next((m for m in self.loads if m.page.label == label and m.who == who), None)

    def cost(self, label: str, who: str = "") -> Cost | None:
        return next((c for c in self.costs if c.page.label == label and c.who == who), None)


@dataclass(frozen=True)
class Target:
    """One target on one backend (or on none, for those that do not depend on it).
    ``key``: topic_out, topic_in, search, geojson, startup or memory."""

    key: str
    name: str
    where: str
    met: bool | None  # None: not measured
    value: str


def _topic(run: BackendRun, label: str, who: str, goal: float) -> Target:
    key = "topic_in" if who else "topic_out"
    name = f"topic page {'logged in' if who else 'logged out'} ≥ {goal:.0%} of ceiling"
    measured = run.load(label, who)
    if measured is None or not run.ceiling_rps:
        return Target(key, name, run.name, None, "not measured")
    share = run.ratio(measured)
    return Target(key, name, run.name, share >= goal, f"{share:.1%}")


def _search(run: BackendRun, label: str) -> Target:
    name = f"search p50 ≤ {SEARCH_MS:.0f} ms at {SEARCH_POSTS:,} posts"
    where = f"{run.name} ({run.search_backend})" if run.search_backend else run.name
    cost = run.cost(label)
    if cost is None:
        return Target("search", name, where, None, "not measured")
    posts = run.counts.get("posts", 0)
    scale = "" if posts >= SEARCH_POSTS else f" (at {posts:,} posts only)"
    met = cost.p50_ms <= SEARCH_MS and posts >= SEARCH_POSTS
    return Target("search", name, where, met, f"{cost.p50_ms:.1f} ms{scale}")


def evaluate(
    runs: list[BackendRun],
    *,
    topic: str,
    search: str,
    startup_s: float | None,
    geojson_ms: float | None,
) -> list[Target]:
    """Every target, for each backend where it depends on the backend. ``topic`` and
    ``search`` are the labels of those pages; ``geojson_ms`` the slower median of the
    map's HTTP cases at 10,000 events."""
    found = []
    for run in runs:
        found.append(_topic(run, topic, "", TOPIC_OUT))
    for run in runs:
        reader = next((m.who for m in run.loads if m.page.label == topic and m.who), "member")
        found.append(_topic(run, topic, reader, TOPIC_IN))
    found += [_search(run, search) for run in runs]
    found.append(
        Target(
            "geojson",
            f"map GeoJSON, {GEOJSON_EVENTS:,} events ≤ {GEOJSON_MS:.0f} ms",
            "SQLite",
            None if geojson_ms is None else geojson_ms <= GEOJSON_MS,
            "not measured" if geojson_ms is None else f"{geojson_ms:.1f} ms",
        )
    )
    found.append(
        Target(
            "startup",
            f"create_app < {STARTUP_S:.0f} s",
            "",
            None if startup_s is None else startup_s < STARTUP_S,
            "not measured" if startup_s is None else f"{startup_s:.2f} s",
        )
    )
    for run in runs:
        largest = max(run.workers_mb, default=0.0)
        found.append(
            Target(
                "memory",
                f"a worker < {WORKER_MB:.0f} MB resident",
                run.name,
                largest < WORKER_MB if run.workers_mb else None,
                f"{largest:.0f} MB" if run.workers_mb else "not measured",
            )
        )
    return found


def mark(target: Target) -> str:
    return {True: "✓", False: "✗", None: "–"}[target.met]
