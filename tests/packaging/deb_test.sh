#!/usr/bin/env bash
# The Debian package end to end ([G]): `cpack -G DEB` in the build directory, the .deb's contents,
# control fields (Depends derived by dpkg-shlibdeps: every shared library the binary needs maps to
# its Debian package), conffiles and maintainer scripts (every systemctl call guarded); then, as
# root, `dpkg -i`, the installed binary, example config, man page, user and state directory,
# `systemd-analyze verify` and `security --offline=yes` (< 4.0), promtool on the installed rules,
# and `dpkg --purge` (also when a step fails). Without root the install part fails, unless
# SHOPWATCH_SKIP_DPKG_INSTALL=1 says to skip it.
# Usage: deb_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
work=$(mktemp -d)
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then
    dpkg --purge shopwatch > "$work/purge.log" 2>&1 || { echo "dpkg --purge failed:"; cat "$work/purge.log"; }
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ -n "$version" ] || fail "no CMAKE_PROJECT_VERSION in $build/CMakeCache.txt"
exe=$build/agent/cli/shopwatch
[ -x "$exe" ] || fail "$exe not built"

step "cpack -G DEB"
(cd "$build" && cpack -G DEB -B "$work/out") > "$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack -G DEB"; }
deb=$work/out/shopwatch_${version}_amd64.deb
[ -f "$deb" ] || { ls -R "$work/out"; fail "no $(basename "$deb")"; }

step "contents"
dpkg-deb -c "$deb" > "$work/contents.txt"
expect=(./usr/bin/shopwatch ./lib/systemd/system/shopwatch@.service ./etc/shopwatch/example.yaml
        ./usr/share/man/man1/shopwatch.1.gz ./usr/share/shopwatch/prometheus/shopwatch-rules.yml
        ./usr/share/shopwatch/grafana/shopwatch.json ./usr/share/doc/shopwatch/README.md
        ./usr/share/doc/shopwatch/CHANGELOG.md ./usr/share/doc/shopwatch/copyright
        ./usr/share/doc/shopwatch/packaging.md)
for f in "$src"/docs/*.md; do expect+=("./usr/share/doc/shopwatch/$(basename "$f")"); done
for f in "$src"/examples/journeys/*.yaml; do
  expect+=("./usr/share/doc/shopwatch/examples/journeys/$(basename "$f")")
done
for p in "${expect[@]}"; do
  awk -v p="$p" '$6 == p { found = 1 } END { exit !found }' "$work/contents.txt" || fail "$p is not in the package"
done
grep -q '^-rwxr-xr-x root/root .* \./usr/bin/shopwatch$' "$work/contents.txt" || fail "/usr/bin/shopwatch is not 0755 root:root"
if grep -E ' \./(usr/local|home|root|tmp|work)/' "$work/contents.txt"; then fail "files outside the package's paths"; fi

step "control fields"
[ "$(dpkg-deb -f "$deb" Package)" = shopwatch ] || fail "Package"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "Version is not $version"
[ "$(dpkg-deb -f "$deb" Architecture)" = amd64 ] || fail "Architecture"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# Each NEEDED library of the binary, resolved as the loader does, belongs to a package; each such
# package must be in Depends, with the version constraint dpkg-shlibdeps derives from its symbols.
needed=$(objdump -p "$exe" | awk '/NEEDED/ { print $2 }')
[ -n "$needed" ] || fail "objdump found no NEEDED entries in $exe"
for lib in $needed; do
  path=$(ldd "$exe" | awk -v l="$lib" '$1 == l { print $3 }')
  [ -n "$path" ] || fail "ldd cannot resolve $lib"
  # usrmerge: a package registers /lib/... or /usr/lib/..., the link or its target.
  real=$(readlink -f "$path")
  pkg=
  for cand in "$path" "$real" "/usr${path#/usr}" "${real#/usr}"; do
    pkg=$(dpkg -S "$cand" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$pkg" ] && break
    pkg=
  done
  [ -n "$pkg" ] || fail "no package owns $path ($lib)"
  # (a library package may be listed under its renamed successor, e.g. libspdlog1.10-fmt9)
  echo "$depends" | tr "," "\n" | sed 's/^ *//' |
    awk -v p="$pkg" 'index($0, p " ") == 1 || index($0, p "-") == 1 || $0 == p { f = 1 } END { exit !f }' ||
    fail "Depends lacks $pkg (for $lib)"
done
for pkg in libcurl4 libsqlite3-0 libc6 libstdc++6; do
  echo "$depends" | grep -Fq "$pkg (>= " || fail "Depends lacks a versioned $pkg (dpkg-shlibdeps)"
done

step "control scripts"
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/shopwatch/example.yaml "$work/control/conffiles" || fail "example.yaml is not a conffile"
for s in postinst prerm postrm; do
  [ -x "$work/control/$s" ] || fail "$s missing or not executable"
  sh -n "$work/control/$s" || fail "$s: syntax"
  # Every systemctl call sits inside an `if [ -d /run/systemd/system ] ...` block.
  awk -v s="$s" '
    /^[ \t]*#/ { next }
    /^[ \t]*if / && !/;[ \t]*fi[ \t]*$/ { depth++; guard[depth] = ($0 ~ /\/run\/systemd\/system/) }
    /^[ \t]*fi[ \t]*$/ { guard[depth] = 0; depth-- }
    /systemctl/ && !/command -v systemctl/ {
      ok = 0; for (i = 1; i <= depth; i++) if (guard[i]) ok = 1
      if (!ok) { print s ":" NR ": unguarded: " $0; bad = 1 }
    }
    END { exit bad }' "$work/control/$s" || fail "$s calls systemctl where PID 1 may not be systemd"
done
grep -q 'systemctl' "$work/control/postinst" || fail "postinst never talks to systemd (the guard check would be vacuous)"

step "man page"
zcat "$build/packaging/shopwatch.1.gz" > "$work/shopwatch.1"
grep -q '^\.TH SHOPWATCH "1"' "$work/shopwatch.1" || fail "man page has no .TH SHOPWATCH 1"
for w in check-config 'shopwatch run' /etc/shopwatch "$version"; do
  grep -q -- "$w" "$work/shopwatch.1" || fail "man page does not mention $w"
done

if [ "$(id -u)" != 0 ]; then
  if [ "${SHOPWATCH_SKIP_DPKG_INSTALL:-}" = 1 ]; then
    echo "SKIPPED: dpkg -i and the installed checks (not root, SHOPWATCH_SKIP_DPKG_INSTALL=1)"
    exit 0
  fi
  fail "dpkg -i needs root (uid $(id -u)); run as root or set SHOPWATCH_SKIP_DPKG_INSTALL=1 to skip the install part"
fi
if dpkg-query -W -f='${Status}' shopwatch 2>/dev/null | grep -q installed; then
  fail "a shopwatch package is already installed here; this test would replace and purge it (dpkg --purge shopwatch first)"
fi

step "dpkg -i"
installed=1
dpkg -i "$deb" > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
/usr/bin/shopwatch --version > "$work/version.txt" || fail "shopwatch --version"
[ "$(head -1 "$work/version.txt")" = "shopwatch $version" ] || fail "--version: $(cat "$work/version.txt")"
/usr/bin/shopwatch check-config -c /etc/shopwatch/example.yaml || fail "check-config on the shipped example"
if command -v man >/dev/null; then
  [ "$(man -w shopwatch)" = /usr/share/man/man1/shopwatch.1.gz ] || fail "man -w shopwatch: $(man -w shopwatch 2>&1)"
else
  [ -f /usr/share/man/man1/shopwatch.1.gz ] || fail "no installed man page"
fi
getent passwd shopwatch > /dev/null || fail "no shopwatch user"
getent group shopwatch > /dev/null || fail "no shopwatch group"
[ "$(getent passwd shopwatch | cut -d: -f7)" = /usr/sbin/nologin ] || fail "shopwatch user has a login shell"
[ "$(stat -c '%U:%G %a' /var/lib/shopwatch)" = "shopwatch:shopwatch 750" ] || fail "/var/lib/shopwatch: $(stat -c '%U:%G %a' /var/lib/shopwatch)"
[ "$(stat -c '%U:%G %a' /etc/shopwatch)" = "root:shopwatch 750" ] || fail "/etc/shopwatch: $(stat -c '%U:%G %a' /etc/shopwatch)"
# The agent, as its user, can read the example config (what ExecStartPre does).
su -s /bin/sh shopwatch -c '/usr/bin/shopwatch check-config -c /etc/shopwatch/example.yaml' > /dev/null ||
  fail "the shopwatch user cannot check /etc/shopwatch/example.yaml"

step "postinst is idempotent"
dpkg-reconfigure shopwatch > "$work/reconf.log" 2>&1 || /var/lib/dpkg/info/shopwatch.postinst configure "$version" \
  > "$work/reconf.log" 2>&1 || { cat "$work/reconf.log"; fail "postinst configure run twice"; }
[ "$(getent passwd shopwatch | wc -l)" = 1 ] || fail "postinst created the user twice"

step "systemd-analyze"
unit=/lib/systemd/system/shopwatch@.service
systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
mkdir -p "$work/units"
cp "$unit" "$work/units/shopwatch@test.service"
systemd-analyze verify "$work/units/shopwatch@test.service" || fail "systemd-analyze verify shopwatch@test.service"
systemd-analyze security --offline=yes --no-pager "$work/units/shopwatch@test.service" > "$work/security.txt" 2>&1 ||
  true  # exits non-zero above its threshold (default 100): the score is judged below
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$work/security.txt")
[ -n "$score" ] || { cat "$work/security.txt"; fail "no exposure score"; }
awk -v s="$score" 'BEGIN { exit !(s < 4.0) }' || { cat "$work/security.txt"; fail "exposure $score is not below 4.0"; }
echo "systemd-analyze security: $score"
for key in 'Type=notify' 'NotifyAccess=main' 'WatchdogSec=' 'TimeoutStartSec=' 'ExecReload=/bin/kill -HUP $MAINPID' \
    'ExecStartPre=/usr/bin/shopwatch check-config -c /etc/shopwatch/%i.yaml' \
    'ExecStart=/usr/bin/shopwatch run -c /etc/shopwatch/%i.yaml' 'EnvironmentFile=-/etc/shopwatch/%i.env' \
    'StateDirectory=shopwatch/%i' 'WorkingDirectory=/var/lib/shopwatch/%i' 'User=shopwatch' 'NoNewPrivileges=yes' \
    'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'CapabilityBoundingSet=' \
    'SystemCallFilter=@system-service' 'MemoryMax=' 'Restart=on-failure'; do
  grep -qxF -- "$key" "$unit" || grep -q -- "^$key" "$unit" || fail "$unit lacks $key"
done

step "promtool on the installed rules"
promtool check rules /usr/share/shopwatch/prometheus/shopwatch-rules.yml || fail "promtool check rules"
cp "$src/packaging/prometheus/shopwatch-rules.test.yml" /usr/share/shopwatch/prometheus/shopwatch-rules.yml "$work/"
(cd "$work" && promtool test rules shopwatch-rules.test.yml) || fail "promtool test rules"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["__inputs"][0]["name"] == "DS_PROMETHEUS"' \
  /usr/share/shopwatch/grafana/shopwatch.json || fail "the installed dashboard"

step "dpkg --purge"
installed=0
dpkg --purge shopwatch > "$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg --purge"; }
[ ! -e /usr/bin/shopwatch ] || fail "/usr/bin/shopwatch left after purge"
[ ! -e /var/lib/shopwatch ] || fail "/var/lib/shopwatch left after purge"
[ ! -e /etc/shopwatch ] || fail "/etc/shopwatch left after purge"
! getent passwd shopwatch > /dev/null || fail "user shopwatch left after purge"
echo "deb: $(basename "$deb") built, inspected, installed, verified and purged"
