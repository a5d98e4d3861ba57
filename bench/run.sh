#!/bin/sh
# Runs every built benchmark. Usage: bench/run.sh [BUILDDIR]   (default: build)
# Each program prints its own figures and the ratio against the reference it measures
# in the same run (zlib for the image codec, libfprint's NBIS for extraction, raw frames
# for the stream). Results also go to BUILDDIR/bench-results.txt.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$top/$build" ;; esac
export RIDGE_SHARED_DATA="${RIDGE_SHARED_DATA:-$top/../shared/data}"
out="$build/bench-results.txt"
: > "$out"
ran=0
for prog in bench-wire bench-extract match-bench bench-stream bench-synth bench-app bench-export; do
  exe=$(find "$build/bench" -type f -name "$prog" -perm -u+x 2>/dev/null | head -n 1)
  [ -n "$exe" ] || { echo "bench: $prog not built, skipped" | tee -a "$out"; continue; }
  echo "== $prog" | tee -a "$out"
  # the app benchmark needs a display: a virtual one when there is none
  if [ "$prog" = bench-app ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    if command -v xvfb-run >/dev/null 2>&1; then
      GDK_BACKEND=x11 GTK_A11Y=none NO_AT_BRIDGE=1 \
        xvfb-run -a -s "-screen 0 1280x800x24" "$exe" 2>&1 | tee -a "$out"
      ran=$((ran + 1))
    else
      echo "bench: bench-app needs a display or xvfb-run, skipped" | tee -a "$out"
    fi
    continue
  fi
  "$exe" 2>&1 | tee -a "$out"
  ran=$((ran + 1))
done
echo "bench: $ran programs ran; results in $out"
