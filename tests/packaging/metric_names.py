#!/usr/bin/env python3
"""Metric names used by the shipped Prometheus rules and Grafana dashboard, compared with a live
scrape of a real agent (tests/packaging/metric_names_test.sh).

  metric_names.py used RULES.yml DASHBOARD.json    prints every metric name the files query
  metric_names.py exposed SCRAPE.txt               prints every family in a /metrics scrape
  metric_names.py self-test                        checks the PromQL scanner on known expressions
"""
import json
import re
import sys

import yaml

KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
            "group_left", "group_right", "inf", "nan", "atan2"}
# Series Prometheus makes itself for every target: not the agent's to expose.
SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
             "scrape_samples_post_metric_relabeling", "scrape_series_added"}
IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def names_in_expr(expr):
    """Metric names of one PromQL expression (Grafana variables allowed)."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)  # strings
    s = re.sub(r"\{[^}]*\}", " ", s)                                            # label matchers
    s = re.sub(r"\[[^\]]*\]", " ", s)                                           # ranges, subqueries
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    s = re.sub(r"\$\{?\w+\}?", " ", s)                                           # $var, ${var}
    s = re.sub(r"\b\d+(\.\d+)?([eE][+-]?\d+)?\b", " ", s)                        # numbers
    names = set()
    # label_values(metric, label) / label_values(label): only the metric is one.
    m = re.fullmatch(r"\s*label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)?\s*(,\s*\w+\s*)?\)\s*", s)
    if m:
        if m.group(2) and m.group(1):
            names.add(m.group(1))
        return names
    for tok in IDENT.finditer(s):
        rest = s[tok.end():].lstrip()
        if rest.startswith("("):
            continue  # a function or aggregation
        if tok.group(0).lower() in KEYWORDS:
            continue
        names.add(tok.group(0))
    return names


def exprs_of_dashboard(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                yield value
            elif key == "query" and isinstance(value, dict) and isinstance(value.get("query"), str):
                yield value["query"]  # templating variables
            else:
                yield from exprs_of_dashboard(value)
    elif isinstance(node, list):
        for item in node:
            yield from exprs_of_dashboard(item)


def used(rules_path, dashboard_path):
    exprs = []
    with open(rules_path) as f:
        for group in yaml.safe_load(f)["groups"]:
            exprs += [rule["expr"] for rule in group["rules"]]
    with open(dashboard_path) as f:
        exprs += list(exprs_of_dashboard(json.load(f)))
    names = set()
    for e in exprs:
        names |= names_in_expr(e)
    return names, len(exprs)


def exposed(scrape_path):
    families, histograms = set(), set()
    with open(scrape_path) as f:
        for line in f:
            m = re.match(r"# TYPE (\S+) (\S+)", line)
            if m:
                families.add(m.group(1))
                if m.group(2) in ("histogram", "summary"):
                    histograms.add(m.group(1))
            elif line and not line.startswith("#"):
                m = IDENT.match(line)
                if m:
                    families.add(m.group(0))
    for h in histograms:
        families |= {h + "_bucket", h + "_sum", h + "_count"}
    return families


def self_test():
    cases = {
        'up{job="shopwatch"} == 0': {"up"},
        'histogram_quantile(0.95, sum by (instance, le) (rate(a_bucket{x=~"$x"}[$__rate_interval])))': {"a_bucket"},
        'time() - max by (shop) (b_seconds) > 900': {"b_seconds"},
        'count(c{rule="agent-connectivity"} == 2) or vector(0)': {"c"},
        'label_values(d{job=~"$job"}, instance)': {"d"},
        'label_values(job)': set(),
        'increase(e_total[15m]) > 0 and on(instance) f == 1': {"e_total", "f"},
        'absent(g{job="x"})': {"g"},
    }
    bad = 0
    for expr, want in cases.items():
        got = names_in_expr(expr)
        if got != want:
            print(f"self-test: {expr!r}: got {sorted(got)}, want {sorted(want)}", file=sys.stderr)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["used"] and len(sys.argv) == 4:
        names, count = used(sys.argv[2], sys.argv[3])
        print(f"# {count} expressions", file=sys.stderr)
        print("\n".join(sorted(names - SYNTHETIC)))
    elif sys.argv[1:2] == ["exposed"] and len(sys.argv) == 3:
        print("\n".join(sorted(exposed(sys.argv[2]))))
    elif sys.argv[1:2] == ["self-test"]:
        sys.exit(self_test())
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
