"""The served app under load: gunicorn with sync workers on 127.0.0.1 and a free port,
signing in through the real login form, and the workers' resident memory.

    with Server(env, ceiling_source="/discuss/t/…") as server:
        cookie = server.login("member", "space-demo-pass")
        … load server.url + path …
        server.workers_rss_mb()
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS in /proc), in MiB; 0.0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else 0.0


def children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the parent pid follows.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


class Server:
    """gunicorn serving ``bench.wsgi:build()`` with ``env`` (the dataset's settings) and
    ``workers`` sync workers; its log and the workers' start markers go in ``folder``."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        workers: int = 2,
        ceiling_source: str = "",
        folder: Path = ROOT / "bench" / ".data",
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log = folder / "gunicorn.log"
        self.ready = folder / "ready"
        self.env = {
            **os.environ,
            **env,
            "BENCH_CEILING_SOURCE": ceiling_source,
            "BENCH_READY_DIR": str(self.ready),
        }
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.ready.mkdir(parents=True, exist_ok=True)
        for marker in self.ready.iterdir():
            marker.unlink()
        command = [sys.executable, "-m", "gunicorn", "bench.wsgi:build()"]
        command += ["--workers", str(self.workers), "--worker-class", "sync"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--timeout", "120"]
        command += ["--log-level", "warning"]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _wait_ready(self, timeout: float = 120) -> None:
        """Until every worker has built its app (bench/wsgi.py leaves a marker then)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            pids = children(self.process.pid)
            built = {int(marker.name) for marker in self.ready.iterdir()}
            if len(pids) >= self.workers and built.issuperset(pids):
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn's workers did not start within {timeout:.0f} s; see {self.log}"
        )

    def get(self, path: str, headers: dict[str, str] | None = None):
        """(status, headers, body) of one GET."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def login(self, username: str, password: str) -> str:
        """Sign in through the login form; returns the Cookie header a signed-in reader sends."""
        status, headers, body = self.get("/login")
        token = CSRF.search(body.decode())
        if status != 200 or not token:
            raise RuntimeError(f"/login answered {status} without a CSRF token")
        jar = SimpleCookie()
        for value in headers.get_all("Set-Cookie") or []:
            jar.load(value)
        form = {"login": username, "password": password, "csrf_token": token.group(1)}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(
                "POST",
                "/login",
                body=urlencode(form),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": _cookie_header(jar),
                },
            )
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        if response.status != 302:
            raise RuntimeError(f"signing in as {username} answered {response.status}")
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        return _cookie_header(jar)

    def workers_rss_mb(self) -> list[float]:
        """Resident memory of each worker (not the master), in MiB."""
        return [rss_mb(pid) for pid in children(self.process.pid)]


def _cookie_header(jar: SimpleCookie) -> str:
    return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())
