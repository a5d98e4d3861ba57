#!/bin/sh
# Ridge developer entry point. On a fresh Debian 12 machine:
#   ./dev.sh demo   install what is missing, build, start ridge-terminal (simulated sensor)
#                   and open the Ridge app on it (without a display: ridgectl's live table)
#   ./dev.sh test   install what is missing, build, run every test; prints "N passed, N failed"
# Other verbs: deps (install packages only), build, bench.
set -eu
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
builddir=${RIDGE_BUILDDIR:-build}

# Every Debian package the project needs, for building, testing and benchmarking.
PACKAGES="build-essential meson ninja-build pkg-config gettext python3
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libjson-glib-dev libpng-dev
  libusb-1.0-0-dev libfprint-2-dev libsoup-3.0-dev libsqlite3-dev libsecret-1-dev
  libumockdev-dev umockdev uncrustify xvfb xauth desktop-file-utils appstream gnome-keyring openssl python3-yaml
  gcc-arm-none-eabi libnewlib-arm-none-eabi"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

deps() {
  missing=""
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "dev.sh: installing:$missing"
    as_root apt-get update -q
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
  fi
}

build() {
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" -Dwerror=true
  fi
  # no targets: everything (tests, fuzzers, benchmarks); else just those
  meson compile -C "$builddir" "$@"
}

run_tests() {
  set +e
  meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
  status=$?
  set -e
  # meson writes every result to testlog.json; count them for the closing line.
  python3 - "$builddir/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"): passed += 1
    elif r == "SKIP": skipped += 1
    else: failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
  return $status
}

demo() {
  port=${RIDGE_PORT:-7420}
  state="${XDG_STATE_HOME:-$HOME/.local/state}/ridge-terminal-demo"
  "$builddir/src/terminal/ridge-terminal" --port "$port" --state-dir "$state" &
  term=$!
  trap 'kill $term 2>/dev/null' EXIT INT TERM
  sleep 1
  "$builddir/src/cli/ridgectl" --terminal "localhost:$port" info
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    # the app, from the build tree (meson devenv points GSettings at the built schema)
    meson devenv -C "$builddir" ridge --terminal "localhost:$port"
  else
    echo "dev.sh: no display, so the live link table instead of the app (Ctrl-C stops)"
    "$builddir/src/cli/ridgectl" --terminal "localhost:$port" health
  fi
}

case "${1:-}" in
  deps) deps ;;
  build) deps; build ;;
  test) shift; deps; build; run_tests "$@" ;;
  # the demo needs only the three programs and the schema: a test that does not compile
  # cannot stop it, and a fresh machine shows the app sooner
  demo) deps; build src/app/ridge src/terminal/ridge-terminal src/cli/ridgectl \
          data/gschemas.compiled; demo ;;
  bench) deps; build; meson compile -C "$builddir" bench; "$top/bench/run.sh" "$builddir" ;;
  *) sed -n '2,7p' "$0"; exit 2 ;;
esac
