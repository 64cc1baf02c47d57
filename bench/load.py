"""Load generation: bounded runs of one URL with wrk, or with a small Python generator when
wrk is missing, and what both report (requests/s, p50 and p99 latency, errors).

    run(url, seconds=10, connections=2, headers={"Cookie": "session=…"}) -> Result

wrk comes from Debian's packages (``ensure_wrk`` installs it with apt-get when it can). The
Python generator keeps one http.client connection per thread (reopened when the server
closes it, as gunicorn's sync workers do after each response); it costs more CPU than wrk,
which the machine's two CPUs share with the server, so its numbers are a little lower.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

# An answer slower than this counts as an error (wrk's default, 2 s, is too short for a
# loaded machine).
TIMEOUT_S = 30


@dataclass(frozen=True)
class Result:
    """One bounded run: throughput, latency percentiles in ms and failed requests."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    tool: str = "wrk"

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100) of ``values``, nearest rank; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100), at least the first
    return ordered[int(rank) - 1]


def ratio(rps: float, ceiling_rps: float) -> float:
    """A page's throughput as a fraction of the ceiling's (0.0 when there is no ceiling)."""
    return rps / ceiling_rps if ceiling_rps > 0 else 0.0


# --- wrk -------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def parse_wrk(text: str) -> Result:
    """Read ``wrk --latency`` output. Raises ValueError when the summary is missing."""
    summary = re.search(r"(\d+) requests in " + _DURATION, text)
    p50 = re.search(r"^\s*50(?:\.0+)?%\s+" + _DURATION, text, re.M)
    p99 = re.search(r"^\s*99(?:\.0+)?%\s+" + _DURATION, text, re.M)
    if not (summary and p50 and p99):
        raise ValueError(f"not wrk --latency output: {text[:200]!r}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return Result(
        requests=int(summary.group(1)),
        seconds=_ms(summary.group(2), summary.group(3)) / 1000,
        p50_ms=_ms(p50.group(1), p50.group(2)),
        p99_ms=_ms(p99.group(1), p99.group(2)),
        errors=errors,
    )


def ensure_wrk() -> str | None:
    """The path of wrk, installing Debian's package when apt-get is usable; else None."""
    found = shutil.which("wrk")
    if found or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, **quiet).returncode:
        subprocess.run(["apt-get", "update", "-q"], env=env, **quiet)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, **quiet)
    return shutil.which("wrk")


def wrk_version(wrk: str) -> str:
    """E.g. "wrk debian/4.1.0-3+b2 [epoll]" (wrk prints it before its usage)."""
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True)
    first = (done.stdout or done.stderr or "wrk").splitlines()[0]
    return first.split(" Copyright")[0].strip()


def run_wrk(
    wrk: str, url: str, seconds: float, connections: int, headers: dict[str, str]
) -> Result:
    command = [wrk, "--latency", f"-t{connections}", f"-c{connections}", f"-d{seconds:g}s"]
    command += ["--timeout", f"{TIMEOUT_S}s"]  # slower answers count as errors
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(command + [url], capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


# --- the Python generator --------------------------------------------------------------------


def run_python(url: str, seconds: float, connections: int, headers: dict[str, str]) -> Result:
    """``connections`` threads, each sending GET ``url`` in a loop until ``seconds`` pass."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    deadline = time.perf_counter() + seconds

    def worker(n: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT_S)
        try:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    errors[n] += 1
                    connection.close()
                    continue
                latencies[n].append((time.perf_counter() - began) * 1000)
                if response.status >= 400:
                    errors[n] += 1
        finally:
            connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [ms for per_thread in latencies for ms in per_thread]
    return Result(
        requests=len(every),
        seconds=elapsed,
        p50_ms=percentile(every, 50),
        p99_ms=percentile(every, 99),
        errors=sum(errors),
        tool="python",
    )


def run(
    url: str,
    *,
    seconds: float = 10,
    connections: int = 2,
    headers: dict[str, str] | None = None,
    wrk: str | None = None,
) -> Result:
    """Load ``url`` for ``seconds`` with ``connections`` clients: with wrk when given its
    path, else with the Python generator."""
    if wrk:
        return run_wrk(wrk, url, seconds, connections, headers or {})
    return run_python(url, seconds, connections, headers or {})
