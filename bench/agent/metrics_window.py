#!/usr/bin/env python3
"""Compares two /metrics snapshots of the agent taken ELAPSED seconds apart.

Usage: metrics_window.py BEFORE AFTER ELAPSED_S CHECKS INTERVAL_S

Prints key: value lines: runs in the window, the sustained rate against the scheduled rate, per-check
run counts (a check that ran fewer times than its schedule allows had skipped or missed slots; the
agent does not export its scheduler's skipped/missed counters), failures, results dropped by the store
and the p99 bucket of shopwatch_scheduler_lag_seconds for the window only (bucket differences).
"""
import math
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')


def parse(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.startswith('#'):
                continue
            m = SAMPLE.match(line)
            if m:
                out.append((m.group(1), m.group(3) or '', float(m.group(4))))
    return out


def labels(text):
    return dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', text))


def per_check_runs(samples):
    runs = {}
    for name, lab, v in samples:
        if name == 'shopwatch_check_runs_total':
            d = labels(lab)
            key = tuple(sorted((k, x) for k, x in d.items() if k != 'result'))
            runs[key] = runs.get(key, 0) + v
            if d.get('result') == 'failure':
                runs[('__failures__',)] = runs.get(('__failures__',), 0) + v
    return runs


def total(samples, name):
    return sum(v for n, _, v in samples if n == name)


def lag_buckets(samples):
    b = {}
    for name, lab, v in samples:
        if name == 'shopwatch_scheduler_lag_seconds_bucket':
            b[labels(lab)['le']] = v
    return b


def main():
    before, after = parse(sys.argv[1]), parse(sys.argv[2])
    elapsed, checks, interval = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    r0, r1 = per_check_runs(before), per_check_runs(after)
    failures = r1.pop(('__failures__',), 0) - r0.pop(('__failures__',), 0)
    deltas = [r1[k] - r0.get(k, 0) for k in r1]
    runs = sum(deltas)
    expected = checks * elapsed / interval
    slots = elapsed / interval  # slots each check had in the window
    # A run is counted on completion, so a check whose slot sits at a window edge can land one either
    # side: anything below floor(slots) - 1 is a slot that did not run.
    short = sum(1 for d in deltas if d < math.floor(slots) - 1) + max(0, checks - len(deltas))
    b0, b1 = lag_buckets(before), lag_buckets(after)
    order = sorted(b1, key=lambda le: math.inf if le == '+Inf' else float(le))
    window = [(le, b1[le] - b0.get(le, 0)) for le in order]
    n = window[-1][1] if window else 0
    p99 = next((le for le, c in window if n and c >= 0.99 * n), 'n/a')
    p50 = next((le for le, c in window if n and c >= 0.5 * n), 'n/a')
    dropped = total(after, 'shopwatch_store_results_dropped_total') - total(before, 'shopwatch_store_results_dropped_total')
    print(f'runs_in_window: {runs:.0f}')
    print(f'scheduled_runs: {expected:.0f}')
    print(f'checks_per_s: {runs / elapsed:.1f}')
    print(f'scheduled_per_s: {checks / interval:.1f}')
    print(f'runs_vs_schedule: {runs / expected:.4f}' if expected else 'runs_vs_schedule: n/a')
    print(f'per_check_runs_min_max: {min(deltas, default=0):.0f} {max(deltas, default=0):.0f} (slots {slots:.1f})')
    print(f'checks_short_of_schedule: {short}')
    print(f'failed_runs: {failures:.0f}')
    print(f'store_results_dropped: {dropped:.0f}')
    print(f'lag_p50_bucket_s: {p50}')
    print(f'lag_p99_bucket_s: {p99}')


if __name__ == '__main__':
    main()
