#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of shopwatch on Debian 12.
# Idempotent: packages already present are not touched; apt-get runs only when something is missing.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config ccache help2man
  # libraries (DESIGN.md / STYLE.md stack)
  libcurl4-openssl-dev libboost-dev libssl-dev prometheus-cpp-dev libsqlite3-dev libspdlog-dev
  catch2 libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libre2-dev libgumbo-dev
  libhowardhinnant-date-dev tzdata libsystemd-dev libcrypt-dev zlib1g-dev
  # tests and tools
  sqlite3 curl python3 python3-yaml systemd man-db adduser prometheus prometheus-alertmanager nginx-light wrk hyperfine clang-14 libclang-rt-14-dev
  # a real Redmine for the Redmine sink tests (tests/redmine/redmine_ctl.sh runs a throwaway instance;
  # the system instance dbconfig-common sets up on install is never used)
  redmine redmine-sqlite ruby-webrick
  # headless Chromium: PDF reports (`report --format pdf`) and the rendering tests of the HTML report
  # and the status page ([E])
  chromium fonts-dejavu-core
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: missing packages (${missing[*]}) and not root; run as root or install sudo" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
# Packages such as nginx and prometheus start their system services on install; the tests start their
# own instances on loopback, so keep the distribution's from starting (and from taking port 80/9090).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
