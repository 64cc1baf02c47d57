"""The benchmark harness's own parts (bench/): reading wrk's output, percentiles and ratios,
the targets, the ceiling route, the Python load generator against a real HTTP server, and
gunicorn serving the bench app with a sign-in through the real form. No timing asserted."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import load, report, server, targets, wsgi
from bench.pages import Cost, Page
from space.db import db
from tests import factories

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8000/_bench/ceiling
  2 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.96ms    2.85ms  49.49ms   93.67%
    Req/Sec   621.34    137.53     0.95k    71.00%
  Latency Distribution
     50%    1.35ms
     75%    1.83ms
     90%    2.84ms
     99%   15.71ms
  12385 requests in 10.01s, 50.72MB read
Requests/sec:   1237.29
Transfer/sec:      5.07MB
"""


def test_wrk_output_gives_requests_seconds_and_percentiles_in_ms():
    result = load.parse_wrk(WRK_OUTPUT)
    assert result.requests == 12385
    assert result.seconds == pytest.approx(10.01)
    assert result.rps == pytest.approx(12385 / 10.01)
    assert result.p50_ms == pytest.approx(1.35)
    assert result.p99_ms == pytest.approx(15.71)
    assert result.errors == 0


def test_wrk_latencies_in_microseconds_and_seconds_become_ms():
    text = WRK_OUTPUT.replace("1.35ms", "850.00us").replace("15.71ms", "1.20s")
    result = load.parse_wrk(text.replace("in 10.01s", "in 1.00m"))
    assert result.p50_ms == pytest.approx(0.85)
    assert result.p99_ms == pytest.approx(1200.0)
    assert result.seconds == pytest.approx(60.0)


def test_wrk_failed_responses_and_socket_errors_count_as_errors():
    text = WRK_OUTPUT.replace(
        "Requests/sec:",
        "  Socket errors: connect 1, read 2, write 3, timeout 4\n"
        "  Non-2xx or 3xx responses: 7\nRequests/sec:",
    )
    assert load.parse_wrk(text).errors == 17


def test_output_without_a_latency_distribution_is_refused():
    without = "\n".join(line for line in WRK_OUTPUT.splitlines() if "%  " not in line)
    with pytest.raises(ValueError):
        load.parse_wrk(without.replace("50%", "").replace("99%", ""))
    with pytest.raises(ValueError):
        load.parse_wrk("wrk: connection refused")


def test_percentile_is_the_nearest_rank():
    values = [float(n) for n in range(100, 0, -1)]  # 100 … 1, unsorted on purpose
    assert load.percentile(values, 50) == 50.0
    assert load.percentile(values, 99) == 99.0
    assert load.percentile(values, 100) == 100.0
    assert load.percentile([7.0], 99) == 7.0
    assert load.percentile([], 50) == 0.0


def test_ratio_to_the_ceiling():
    assert load.ratio(250, 1000) == 0.25
    assert load.ratio(250, 0) == 0.0


def _result(rps: float, p50: float = 5.0) -> load.Result:
    return load.Result(requests=int(rps * 10), seconds=10.0, p50_ms=p50, p99_ms=p50 * 3)


def _run(topic_out: float, topic_in: float, *, posts: int, search_ms: float, workers_mb):
    topic, search = Page("topic", "/t/1"), Page("search", "/search?q=x")
    return targets.BackendRun(
        "SQLite",
        {"posts": posts},
        "whoosh",
        ceilings=[_result(900), _result(1100)],
        loads=[
            targets.Measured(topic, "", _result(topic_out)),
            targets.Measured(topic, "member", _result(topic_in)),
        ],
        costs=[Cost(search, "", 200, 1, search_ms)],
        workers_mb=workers_mb,
    )


def _by_key(found: list[targets.Target]) -> dict[str, targets.Target]:
    return {target.key: target for target in found}


def test_targets_met_with_the_ceiling_as_the_mean_of_its_runs():
    run = _run(260, 210, posts=100_000, search_ms=12.0, workers_mb=[120.0, 118.0])
    assert run.ceiling_rps == 1000
    found = _by_key(
        targets.evaluate([run], topic="topic", search="search", startup_s=0.8, geojson_ms=40.0)
    )
    assert {key: target.met for key, target in found.items()} == {
        "topic_out": True,
        "topic_in": True,
        "search": True,
        "geojson": True,
        "startup": True,
        "memory": True,
    }
    assert found["topic_out"].value == "26.0%"
    assert found["topic_in"].value == "21.0%"
    assert found["search"].where == "SQLite (whoosh)"


def test_a_page_is_compared_with_the_ceiling_measured_around_it():
    run = _run(260, 210, posts=100_000, search_ms=12.0, workers_mb=[])
    page = targets.Measured(Page("latest", "/discuss/"), "", _result(100), ceiling_rps=500)
    assert run.ratio(page) == 0.2  # not 100 / 1000, the run's mean
    assert run.ratio(run.load("topic")) == 0.26  # no ceiling of its own: the run's mean
    assert run.load("topic", "member").result.rps == 210
    assert run.load("latest") is None


def test_targets_missed_say_by_how_much_and_search_needs_the_scale():
    run = _run(240, 150, posts=40_000, search_ms=12.0, workers_mb=[151.0, 90.0])
    found = _by_key(
        targets.evaluate([run], topic="topic", search="search", startup_s=1.2, geojson_ms=None)
    )
    assert found["topic_out"].met is False
    assert found["topic_in"].value == "15.0%"
    assert found["search"].met is False
    assert found["search"].value == "12.0 ms (at 40,000 posts only)"
    assert (found["memory"].met, found["memory"].value) == (False, "151 MB")
    assert [targets.mark(found[key]) for key in ("startup", "geojson")] == ["✗", "–"]


def test_the_report_shows_ratios_queries_memory_and_targets():
    run = _run(260, 150, posts=100_000, search_ms=12.0, workers_mb=[120.0, 118.0])
    run.costs.append(Cost(Page("topic", "/t/1"), "", 200, 11, 30.0, 25.0))
    found = targets.evaluate([run], topic="topic", search="search", startup_s=0.8, geojson_ms=None)
    text = report.render(
        machine_rows=[("CPU", "test CPU, 2 cores")],
        runs=[run],
        targets=found,
        geojson_cases=[],
        settings="test settings",
        duration_s=90,
        rounds=15,
    )
    assert "- CPU: test CPU, 2 cores" in text
    assert "| posts | 100,000 |" in text
    assert "| **ceiling** (mean of 2 runs) | `/_bench/ceiling` | logged out | 1,000 |" in text
    assert "| topic | `/t/1` | logged out | 260 | 5.0 | 15.0 | **26.0%** | 0 | 11 |" in text
    assert "| topic | `/t/1` | as member | 150 |" in text
    assert "| topic page logged in ≥ 20% of ceiling | SQLite | ✗ | 15.0% |" in text
    assert "118 MB" in text and "1.5 minutes" in text
    assert "| topic | logged out | 11 | 30.0 | 25.0 |" in text


def test_the_ceiling_answers_the_bytes_its_source_answered(app, count_queries):
    reader = factories.user("reader")
    body = wsgi.add_ceiling(app, "/u/reader")
    client = app.test_client()
    with count_queries() as counter:
        served = client.get(wsgi.CEILING_URL)
    assert counter.count == 0  # the report shows the ceiling with no SQL
    assert served.status_code == 200
    assert served.mimetype == "text/html"
    assert served.get_data() == body
    assert b"reader" in body
    # From memory: what the source shows now does not reach the ceiling.
    reader.display_name = "Renamed Reader"
    db.session.commit()
    assert b"Renamed Reader" in client.get("/u/reader").get_data()
    assert client.get(wsgi.CEILING_URL).get_data() == body


def test_a_ceiling_source_that_fails_is_refused(app):
    with pytest.raises(RuntimeError, match="404"):
        wsgi.add_ceiling(app, "/u/nobody-here")


class _Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the generator expects

    def do_GET(self):
        status = 200 if self.path == "/ok" else 404
        body = b"hello"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_the_python_generator_loads_a_url_and_counts_failures(http_server):
    good = load.run(http_server + "/ok", seconds=0.3, connections=2)
    assert good.tool == "python"
    assert good.requests > 0 and good.errors == 0
    assert 0 < good.p50_ms <= good.p99_ms
    bad = load.run(http_server + "/missing", seconds=0.3, connections=2)
    assert bad.requests > 0 and bad.errors == bad.requests


def test_gunicorn_serves_the_bench_app_and_signs_in_through_the_form(app, database_url, tmp_path):
    factories.user("reader")
    env = {
        "SPACE_DATABASE_URL": database_url,
        "SPACE_SECRET_KEY": "bench-test",
        "SPACE_SEARCH_PATH": str(tmp_path / "search"),
        "SPACE_UPLOAD_DIR": str(tmp_path / "uploads"),
        "SPACE_PLUGINS": "",
    }
    with server.Server(env, workers=1, ceiling_source="/u/reader", folder=tmp_path) as served:
        cookie = {"Cookie": served.login("reader", factories.PASSWORD)}
        assert served.get("/settings", cookie)[0] == 200
        assert served.get("/settings")[0] == 302  # the cookie is what signs the reader in
        status, _, body = served.get(wsgi.CEILING_URL)
        assert status == 200 and b"reader" in body
        (worker_mb,) = served.workers_rss_mb()
        assert worker_mb > 0
        with pytest.raises(RuntimeError, match="answered 4"):
            served.login("reader", "not the password")
