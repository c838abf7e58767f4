#!/usr/bin/env python3
"""GET / timing, and /metrics latency idle vs during ten concurrent month reports.

Usage: report_load.py BASE_URL MONTH RUNS
"""
import statistics
import sys
import threading
import time
import urllib.request

base, month, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])


def get(path):
    t = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=60) as r:
        body = r.read()
        status = r.status
    return (time.perf_counter() - t) * 1000, status, len(body)


def p99(values):
    values = sorted(values)
    return values[max(0, int(len(values) * 0.99 + 0.5) - 1)]


page = [get("/") for _ in range(max(runs, 20))]
print(f"   GET /: median {statistics.median(t for t, _, _ in page):.1f} ms, {page[0][2]} bytes  budget < 100 ms")
report = [get(f"/api/v1/report?month={month}") for _ in range(3)]
print(f"   GET /api/v1/report: median {statistics.median(t for t, _, _ in report):.0f} ms")

idle = [get("/metrics")[0] for _ in range(300)]
stop = threading.Event()
done = [0]


def reporter():
    while not stop.is_set():
        get(f"/api/v1/report?month={month}")
        done[0] += 1


threads = [threading.Thread(target=reporter) for _ in range(10)]
for t in threads:
    t.start()
time.sleep(0.5)
busy = [get("/metrics")[0] for _ in range(300)]
stop.set()
for t in threads:
    t.join()
ratio = p99(busy) / p99(idle)
print(f"   /metrics idle:        p50 {statistics.median(idle):.1f} ms, p99 {p99(idle):.1f} ms")
print(f"   /metrics 10 reports:  p50 {statistics.median(busy):.1f} ms, p99 {p99(busy):.1f} ms "
      f"({done[0]} reports served meanwhile); p99 ratio {ratio:.2f}  budget <= 2")
