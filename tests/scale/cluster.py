"""Real processes for the scale-out tests: app servers (gunicorn), worker processes released
at the same moment, and a browser that keeps its cookies across servers.

Everything talks over sockets and pipes: no test client, no shared memory. Readiness is
polled, never slept for.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
START_TIMEOUT = 60.0
WORK_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_answers(port: int = 6379) -> bool:
    """Does a Redis server answer PING on 127.0.0.1:``port``?"""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def space_env(database_url: str, tmp_path: Path, **settings) -> dict[str, str]:
    """The environment of a Space process on ``database_url``: this machine's environment
    without any ``SPACE_*`` setting, then the test's settings (all plugins on, no jobs after
    responses, cheap password hashing)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SPACE_")}
    env.update(
        SPACE_DATABASE_URL=database_url,
        SPACE_SECRET_KEY="scale-test-secret",
        SPACE_SEARCH_PATH=str(tmp_path / "search"),
        SPACE_UPLOAD_DIR=str(tmp_path / "uploads"),
        SPACE_PLUGINS="discuss,blog,events",
        SPACE_JOBS_ON_REQUEST="0",
        SPACE_PASSWORD_HASH="pbkdf2:sha256:1000",
        PYTHONUNBUFFERED="1",
    )
    env.update({name: str(value) for name, value in settings.items()})
    return env


# --- app servers -----------------------------------------------------------------------------


class Server:
    """``gunicorn wsgi:app`` with one sync worker on a free port of 127.0.0.1; its output
    (access and error logs, the app's log) goes to ``log_path``."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind",
             f"127.0.0.1:{self.port}", "--graceful-timeout", "5", "--no-control-socket",
             "wsgi:app"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server stopped at start:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
            except OSError:
                time.sleep(0.05)  # polling for the port to open
                continue
            if Browser().get(self.base + "/robots.txt").status == 200:
                return
        raise RuntimeError(f"the server did not answer within {START_TIMEOUT} s:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def quit(self) -> None:
        """Ask gunicorn for a quick shutdown (SIGINT; SIGTERM waits for its workers)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.quit()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


# --- a browser -------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def json(self):
        return json.loads(self.text)


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer to look at, not to follow


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Browser:
    """One person's browser: a cookie jar shared by every server it talks to (the servers
    differ by port only, and cookies do not depend on the port)."""

    def __init__(self):
        self.jar = CookieJar()
        self._opener = build_opener(HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, url: str, data: dict | None = None,
                headers: dict | None = None) -> Reply:  # fmt: skip
        body = urlencode(data).encode() if data is not None else None
        req = Request(url, data=body, method=method, headers=headers or {})
        try:
            with self._opener.open(req, timeout=30) as response:
                return Reply(response.status, _lower(response.headers), _text(response))
        except HTTPError as error:
            with error:
                return Reply(error.code, _lower(error.headers), _text(error))

    def get(self, url: str, **kwargs) -> Reply:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: dict, **kwargs) -> Reply:
        return self.request("POST", url, data, **kwargs)

    def csrf_token(self, url: str) -> str:
        reply = self.get(url)
        match = CSRF_RE.search(reply.text)
        assert match, f"no CSRF token on {url} ({reply.status})"
        return match.group(1)

    def login(self, base: str, username: str, password: str = PASSWORD) -> Reply:
        """Sign in through the real form of the server at ``base``."""
        token = self.csrf_token(base + "/login")
        form = {"login": username, "password": password, "csrf_token": token}
        return self.post(base + "/login", form)


def _lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _text(response) -> str:
    return response.read().decode("utf-8", errors="replace")


def wait_for(check, *, timeout: float = 30.0, what: str = "a condition"):
    """Poll ``check()`` until it returns something true; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            assert found, f"timed out waiting for {what}"
            return found
        time.sleep(0.05)


# --- workers released together ---------------------------------------------------------------


class Crew:
    """A worker (``python -m tests.scale.worker TASK ARGS``) that builds its app once; each
    ``run(n)`` forks n processes that do the task released at the same moment."""

    def __init__(self, env: dict[str, str], task: str, args: dict, log: Path):
        self.log = log
        self.proc = start_worker(env, task, args, log)
        assert read_line(self.proc) == "ready", _why(self.proc, log)

    def run(self, processes: int) -> list[dict]:
        """Each process's answer, in no particular order."""
        self.proc.stdin.write(f"go {processes}\n")
        self.proc.stdin.flush()
        line = read_line(self.proc, WORK_TIMEOUT)
        assert line.startswith("result "), _why(self.proc, self.log)
        return json.loads(line.removeprefix("result "))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()  # ends its loop
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        stop_worker(self.proc)


def start_worker(env: dict[str, str], task: str, args: dict, log: Path) -> subprocess.Popen:
    """The worker process; its standard input and output are pipes of text lines, its
    errors go to ``log``."""
    with open(log, "ab") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.scale.worker", task, json.dumps(args)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
            text=True,
        )  # fmt: skip


def read_line(proc: subprocess.Popen, timeout: float = START_TIMEOUT) -> str:
    """The next line the worker prints ("" when it prints none within ``timeout``)."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline().strip() if ready else ""


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream and not stream.closed:
            stream.close()


def _why(proc: subprocess.Popen, log: Path) -> str:
    return f"worker failed (exit {proc.poll()}):\n{log.read_text()[-6000:]}"
