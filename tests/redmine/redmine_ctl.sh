#!/usr/bin/env bash
# redmine_ctl.sh — a throwaway real Redmine (Debian's redmine 5.0.4 + redmine-sqlite + ruby-webrick) for
# the Redmine sink tests. CTest runs `start` as the fixture test "redmine: start" and `stop` as
# "redmine: stop" (tests/redmine/CMakeLists.txt); tests/support/redmine_server.cpp reads STATE_DIR/state.env
# and calls `stop` / `restart-same` for "Redmine down for the whole incident".
#
#   redmine_ctl.sh start STATE_DIR         fresh database (a copy of the cached template), new port
#   redmine_ctl.sh restart-same STATE_DIR  same port, same database (after `stop`)
#   redmine_ctl.sh stop STATE_DIR          TERM by PID, ≤ 10 s, then KILL; the database stays
#
# Layout under STATE_DIR (never the system instance /var/lib/redmine):
#   root/                  app root: symlinks to /usr/share/redmine/{app,extra,lib,public,...}, copies of
#                          bin/ and config/ (Ruby's __dir__ resolves symlinks: a symlinked bin/ would run the
#                          system app), db/ with a symlinked migrate/ (schema.rb is dumped here, not into
#                          /usr/share/redmine/db), Gemfile.local with webrick; instance `t` in root/instances/t
#   db/redmine.sqlite3     the live database
#   template/<key>/        migrated + default data (en) + setup.rb, and setup.env (API_KEY, ADMIN_KEY,
#                          FIELD_ID, PROJECT); <key> = Redmine package version + hash of setup.rb. A cached
#                          start copies it (~4 s) instead of migrating (~17 s).
#   state.env              URL PORT PID API_KEY ADMIN_KEY FIELD_ID PROJECT (or MISSING=1)
#   server.log, prep.log, pid, port
# When Redmine is not installed, `start` says so loudly, writes MISSING=1 and exits 0: the C++ side
# skips loudly outside CI and fails under CI (tests/support/external_tool.h).
set -euo pipefail

readonly REDMINE_HOME="${SHOPWATCH_REDMINE_HOME:-/usr/share/redmine}"   # override: only to test the MISSING path
readonly HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly READY_TIMEOUT_S=90

die() { echo "redmine_ctl: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: $0 start|stop|restart-same STATE_DIR"
readonly CMD="$1"
mkdir -p "$2"
STATE="$(cd "$2" && pwd)"
readonly STATE ROOT="$STATE/root" DB="$STATE/db/redmine.sqlite3"

# Ruby environment for every Redmine process: the throwaway instance `t`, production, no warnings
# (Debian's tree loads lib/ twice through the symlink: "already initialized constant ..." noise).
export REDMINE_INSTANCE=t RAILS_ENV=production BUNDLE_GEMFILE="$ROOT/Gemfile" RUBYOPT=-W0
unset REDMINE_LANG

now_ms() { date +%s%3N; }

# The value of KEY in an env file (KEY=VALUE lines), empty when absent.
env_value() { sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -n 1; }

# True when PID is alive and is our launcher for this STATE_DIR (never another process that reused it).
is_our_server() {
  local pid="$1"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "launcher.rb $ROOT"
}

stop_server() {
  local pid
  pid="$(cat "$STATE/pid" 2>/dev/null || true)"
  if is_our_server "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do
      is_our_server "$pid" || break
      sleep 0.1
    done
    if is_our_server "$pid"; then
      echo "redmine_ctl: PID $pid ignored TERM for 10 s, sending KILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do is_our_server "$pid" || break; sleep 0.1; done
    fi
  fi
  rm -f "$STATE/pid"
}

write_db_config() {
  local yml="production:
  adapter: sqlite3
  database: $DB
  encoding: utf8
  timeout: 5000"
  printf '%s\n' "$yml" >"$ROOT/instances/t/config/database.yml"
  printf '%s\n' "$yml" >"$ROOT/config/database.yml"
}

# A fresh app root each start: cheap (a few hundred KB), and no cache or tmp survives from a past run.
build_root() {
  rm -rf "$ROOT"
  mkdir -p "$ROOT/db" "$ROOT/instances/t/config" "$ROOT/instances/t/log" "$ROOT/instances/t/tmp" \
    "$ROOT/instances/t/files" "$ROOT/instances/t/public/plugin_assets" "$STATE/db"
  local e
  for e in app extra lib public Rakefile config.ru; do ln -s "$REDMINE_HOME/$e" "$ROOT/$e"; done
  ln -s "$REDMINE_HOME/db/migrate" "$ROOT/db/migrate"
  cp -rL "$REDMINE_HOME/bin" "$REDMINE_HOME/config" "$ROOT/"
  cp "$REDMINE_HOME/Gemfile" "$ROOT/Gemfile"
  cp -L "$REDMINE_HOME/Gemfile.lock" "$ROOT/Gemfile.lock"
  echo "gem 'webrick'" >"$ROOT/Gemfile.local"
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$ROOT/instances/t/config/secret_key.txt"
  write_db_config
}

template_key() {
  local version hash
  version="$(dpkg-query -W -f='${Version}' redmine 2>/dev/null || echo unknown)"
  hash="$(cat "$HERE/setup.rb" "$HERE/redmine_ctl.sh" | sha256sum | cut -c1-12)"
  echo "${version//[^A-Za-z0-9.+-]/_}-$hash"
}

# Migrates + loads the default data + runs setup.rb into $DB, then caches DB and setup output as $1.
build_template() {
  local dir="$1" log="$STATE/prep.log"
  rm -f "$DB"
  : >"$log"
  (cd "$ROOT" && ruby bin/rake db:migrate >>"$log" 2>&1) || { tail -n 30 "$log" >&2; die "db:migrate failed (log: $log)"; }
  (cd "$ROOT" && REDMINE_LANG=en ruby bin/rake redmine:load_default_data >>"$log" 2>&1) ||
    { tail -n 30 "$log" >&2; die "redmine:load_default_data failed (log: $log)"; }
  local out
  out="$(cd "$ROOT" && ruby bin/rails runner "$HERE/setup.rb" 2>>"$log")" ||
    { tail -n 30 "$log" >&2; die "setup.rb failed (log: $log)"; }
  echo "$out" >>"$log"
  local tmp="$dir.building.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  cp "$DB" "$tmp/redmine.sqlite3"
  echo "$out" | grep -E '^(API_KEY|ADMIN_KEY|FIELD_ID|PROJECT)=' >"$tmp/setup.env"
  [ "$(grep -c . "$tmp/setup.env")" -eq 4 ] || die "setup.rb printed no API_KEY/ADMIN_KEY/FIELD_ID/PROJECT"
  rm -rf "$dir"
  mv "$tmp" "$dir"
}

# Starts the launcher detached (own session, no inherited stdio: CTest waits for its pipes to close)
# on port $1 (0: WEBrick picks one), waits until the member key gets 200 from /users/current.json.
launch() {
  local want_port="$1" api_key="$2"
  rm -f "$STATE/port" "$STATE/pid"
  (cd "$ROOT" && exec setsid ruby "$HERE/launcher.rb" "$ROOT" "$want_port" "$STATE/port" "$STATE/pid" \
    </dev/null >"$STATE/server.log" 2>&1) &
  local deadline=$(($(now_ms) + READY_TIMEOUT_S * 1000)) port="" pid=""
  while [ "$(now_ms)" -lt "$deadline" ]; do
    pid="$(cat "$STATE/pid" 2>/dev/null || true)"
    port="$(cat "$STATE/port" 2>/dev/null || true)"
    if [ -n "$port" ]; then
      local code
      code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        -H "X-Redmine-API-Key: $api_key" "http://127.0.0.1:$port/users/current.json" || true)"
      [ "$code" = 200 ] && { echo "$port $pid"; return 0; }
    fi
    if ! jobs -r | grep -q . && [ -z "$pid" ]; then break; fi   # the launcher died before binding
    if [ -n "$pid" ] && ! is_our_server "$pid"; then break; fi
    sleep 0.2
  done
  echo "redmine_ctl: Redmine did not answer within ${READY_TIMEOUT_S} s; tail of $STATE/server.log:" >&2
  tail -n 40 "$STATE/server.log" >&2 || true
  stop_server
  return 1
}

write_state() {
  local port="$1" pid="$2" setup="$3"
  local tmp="$STATE/state.env.tmp"
  {
    echo "URL=http://127.0.0.1:$port"
    echo "PORT=$port"
    echo "PID=$pid"
    cat "$setup"
    echo "LOG=$STATE/server.log"
  } >"$tmp"
  mv "$tmp" "$STATE/state.env"
}

rss_mb() { awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

cmd_start() {
  local t0
  t0="$(now_ms)"
  stop_server   # a server left over from an aborted run of this build tree
  rm -f "$STATE/state.env"
  if [ ! -d "$REDMINE_HOME" ] || ! command -v ruby >/dev/null || ! command -v curl >/dev/null; then
    echo "######################################################################################" >&2
    echo "## redmine_ctl: Redmine is NOT installed ($REDMINE_HOME, ruby or curl missing)." >&2
    echo "## The Redmine tests will SKIP (and FAIL under CI). Run packaging/install-deps.sh." >&2
    echo "######################################################################################" >&2
    echo "MISSING=1" >"$STATE/state.env"
    exit 0
  fi
  build_root
  local key how dir
  key="$(template_key)"
  dir="$STATE/template/$key"
  if [ -f "$dir/redmine.sqlite3" ] && [ -f "$dir/setup.env" ]; then
    how="cached template"
    cp "$dir/redmine.sqlite3" "$DB"
  else
    how="migrated"
    rm -rf "$STATE/template"   # older Redmine versions or setup.rb revisions
    mkdir -p "$STATE/template"
    build_template "$dir"
    cp "$dir/redmine.sqlite3" "$DB"   # the live copy starts exactly as the template
  fi
  local ready port pid
  ready="$(launch 0 "$(env_value "$dir/setup.env" API_KEY)")" || exit 1
  read -r port pid <<<"$ready"
  write_state "$port" "$pid" "$dir/setup.env"
  echo "redmine_ctl: Redmine $(dpkg-query -W -f='${Version}' redmine) up at http://127.0.0.1:$port" \
    "(PID $pid, $how, $(($(now_ms) - t0)) ms, RSS $(rss_mb "$pid") MB)"
}

cmd_restart_same() {
  local t0
  t0="$(now_ms)"
  [ -f "$STATE/state.env" ] || die "no $STATE/state.env: run start first"
  [ "$(env_value "$STATE/state.env" MISSING)" != 1 ] || die "Redmine is not installed"
  local port api_key
  port="$(env_value "$STATE/state.env" PORT)"
  api_key="$(env_value "$STATE/state.env" API_KEY)"
  [ -n "$port" ] && [ -f "$DB" ] || die "state.env has no PORT or $DB is gone"
  stop_server
  local ready pid
  ready="$(launch "$port" "$api_key")" || exit 1
  read -r port pid <<<"$ready"
  local setup="$STATE/setup.env.tmp"
  grep -E '^(API_KEY|ADMIN_KEY|FIELD_ID|PROJECT)=' "$STATE/state.env" >"$setup"
  write_state "$port" "$pid" "$setup"
  rm -f "$setup"
  echo "redmine_ctl: Redmine restarted at http://127.0.0.1:$port (PID $pid, $(($(now_ms) - t0)) ms)"
}

case "$CMD" in
  start) cmd_start ;;
  restart-same) cmd_restart_same ;;
  stop)
    stop_server
    echo "redmine_ctl: stopped"
    ;;
  *) die "unknown command '$CMD' (start, stop, restart-same)" ;;
esac
