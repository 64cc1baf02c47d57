"""Events gazetteer benchmark: memory the loaded city table adds to a process, and lookup latency.

    .venv/bin/python bench/gazetteer.py

Quality bars (issue 6): a lookup answers in under 5 ms; the gazetteer adds under 50 MB to a
worker. Memory is measured two ways: RSS of this process before and after loading (what a worker
pays, allocator slack included), and tracemalloc's count of the Python objects the table keeps
(and its peak while loading). Latency is wall time per call over many prefixes of real names
(1 to 8 characters, Latin and Arabic, with and without a country filter, and misses).
Numbers are for comparing changes on one machine; prints only, writes nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib.util
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE = ROOT / "plugins" / "events" / "gazetteer.py"
SAMPLE_CITIES = 1500
SEED = 6


def import_gazetteer():
    """The module by path: the table alone, without the plugin package or the app."""
    spec = importlib.util.spec_from_file_location("events_gazetteer", MODULE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: peak RSS is the closest stdlib figure
        import resource

        scale = 1 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def malloc_trim() -> bool:
    """Give freed heap back to the OS (glibc), so RSS shows what is still held."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim(0)
        return True
    except (OSError, AttributeError, TypeError):
        return False


def mb(n: int) -> str:
    return f"{n / 2**20:6.1f} MB"


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def queries(gz) -> list[tuple[str, str | None]]:
    table = gz._get_table()
    rng = random.Random(SEED)
    cities = rng.sample(range(len(table.names)), SAMPLE_CITIES)
    out: list[tuple[str, str | None]] = []
    for city in cities:
        name = table.names[city]
        for n in (1, 2, 3, 4, 6, 8):
            if len(name) >= n:
                out.append((name[:n], None))
        out.append((name[:3], table.country_codes[table.country[city]]))
    arabic = ["ال", "الق", "القاهرة", "ستوك", "ميونخ", "باريس", "بيروت", "دبي", "الرياض", "تونس"]
    out += [(q, None) for q in arabic]
    # the broadest ranges: one letter, with a country filter that rejects most of them
    out += [(letter, cc) for letter in "asmbkc" for cc in ("US", "IS", "SE", None)]
    out += [("zzzq", None), ("Stockholmx", None), ("", None), ("x" * 200, None)]
    rng.shuffle(out)
    return out


def time_calls(fn, args_list, rounds=1) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per call. On a shared machine the wall time includes waiting
    for a CPU; the CPU time is what the call itself costs."""
    wall, cpu = [], []
    for _ in range(rounds):
        for args in args_list:
            c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
            fn(*args)
            w1, c1 = time.perf_counter_ns(), time.thread_time_ns()
            wall.append((w1 - w0) / 1e6)
            cpu.append((c1 - c0) / 1e6)
    return wall, cpu


def report(label: str, times: tuple[list[float], list[float]]) -> None:
    wall, cpu = times
    print(
        f"  {label:<30} n={len(wall):>6}  wall p50 {statistics.median(wall):.3f}"
        f"  p99 {percentile(wall, 99):.3f}  max {max(wall):.3f}"
        f"  | cpu p50 {statistics.median(cpu):.3f}  p99 {percentile(cpu, 99):.3f}"
        f"  max {max(cpu):.3f} ms"
    )


def main() -> None:
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs,"
        f" load average {load_avg:.1f}"
    )
    gz = import_gazetteer()
    print(f"data: {gz.CITIES_FILE.stat().st_size:,} bytes gzip, {gz.COUNTRIES_FILE.name}")

    # 1. RSS before / after loading (no tracemalloc running: it has its own overhead)
    gc.collect()
    malloc_trim()
    before = rss_bytes()
    start = time.perf_counter()
    gz.load()
    load_s = time.perf_counter() - start
    after = rss_bytes()
    gc.collect()
    trimmed = malloc_trim()
    settled = rss_bytes()
    table = gz._get_table()
    print(f"\nload (cold, once per process): {load_s * 1000:.0f} ms")
    print(f"  {len(table.names):,} cities, {len(table.keys):,} lookup keys")
    print("memory (RSS)")
    print(f"  before load                  {mb(before)}")
    print(f"  after load                   {mb(after)}   (+{mb(after - before).strip()})")
    if trimmed:
        print(f"  after gc + malloc_trim       {mb(settled)}   (+{mb(settled - before).strip()})")

    # 2. tracemalloc: what a second, identical table holds, and the peak while building it
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    second = gz._Table(gz.CITIES_FILE, gz.COUNTRIES_FILE)
    gc.collect()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print("memory (tracemalloc)")
    print(f"  held by the loaded table     {mb(held - base)}")
    print(f"  peak while loading           {mb(peak - base)}")
    del second
    gc.collect()

    # 3. latency
    qs = queries(gz)
    time_calls(gz.lookup, [(q, 10, cc) for q, cc in qs[:200]])  # warm up
    print("latency (wall time per call)")
    report("lookup, all queries", time_calls(gz.lookup, [(q, 10, cc) for q, cc in qs], 2))
    table.broad.clear()
    letters = sorted({gz.normalize(q) for q, _ in qs if len(gz.normalize(q)) == 1})
    report("lookup, 1 letter, first call", time_calls(gz.lookup, [(q,) for q in letters]))
    report("lookup, 1 letter, again", time_calls(gz.lookup, [(q,) for q in letters], 5))
    one_cc = [(q, 10, cc) for q, cc in qs if len(q) == 1 and cc]
    report("lookup, 1 letter + country", time_calls(gz.lookup, one_cc, 3))
    filtered = [(q, 10, cc) for q, cc in qs if cc]
    report("lookup, any + country", time_calls(gz.lookup, filtered, 2))
    ids = [(table.ids[i],) for i in range(0, len(table.ids), 7)]
    report("get(id)", time_calls(gz.get, ids))
    points = [(table.lat[i], table.lon[i], 50) for i in range(0, len(table.ids), 50)]
    report("near(lat, lon, 50 km)", time_calls(gz.near, points))
    far = [(table.lat[i], table.lon[i], 500) for i in range(0, len(table.ids), 500)]
    report("near(lat, lon, 500 km)", time_calls(gz.near, far))


if __name__ == "__main__":
    main()
