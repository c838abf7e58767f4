#!/usr/bin/env bash
# The shipped Prometheus rules: `promtool check rules` passes, `promtool test rules` passes, and
# the unit tests make every alert of the file fire at least once (an alert without a firing test
# case would pass vacuously).
# Usage: rules_test.sh SOURCE_DIR
set -euo pipefail
dir=$1/packaging/prometheus
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v promtool >/dev/null || fail "promtool not found (packaging/install-deps.sh installs prometheus)"
promtool check rules "$dir/shopwatch-rules.yml" || fail "promtool check rules"
(cd "$dir" && promtool test rules shopwatch-rules.test.yml) || fail "promtool test rules"
alerts=$(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "$dir/shopwatch-rules.yml")
[ "$(echo "$alerts" | wc -l)" -ge 8 ] || fail "fewer alerts than the issue lists: $alerts"
for a in $alerts; do
  # A test case for the alert whose exp_alerts is not empty.
  awk -v a="$a" '
    $0 ~ "alertname: " a "$" { inside = 1; next }
    inside && /exp_alerts: \[\]/ { inside = 0; next }
    inside && /exp_labels:/ { found = 1 }
    /alertname:/ { inside = 0 }
    END { exit found ? 0 : 1 }' "$dir/shopwatch-rules.test.yml" ||
    fail "alert $a has no test case in which it fires"
done
echo "rules: $(echo "$alerts" | wc -l) alerts, each fires in promtool's unit tests"
