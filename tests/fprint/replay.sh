#!/bin/sh
# Replays one libfprint recording under umockdev-run and captures through test-fprint-replay.
# usage: replay.sh TEST-PROGRAM FOLDER DRIVER -i|-p NODE
# Skips (77) without RIDGE_SHARED_DATA or umockdev-run.
set -eu
prog=$1 folder=$2 driver=$3 flag=$4 node=$5
dir=${RIDGE_SHARED_DATA:-}/libfprint-recordings
if [ -z "${RIDGE_SHARED_DATA:-}" ] || [ ! -d "$dir/$folder" ]; then
  echo "skip: RIDGE_SHARED_DATA/libfprint-recordings/$folder is absent"; exit 77
fi
if ! command -v umockdev-run >/dev/null 2>&1; then
  echo "skip: umockdev-run is not installed (apt-get install umockdev)"; exit 77
fi
case "$flag" in
  -i) rec="$dir/$folder/capture.ioctl" ;;
  -p) rec="$dir/$folder/capture.pcapng" ;;
  *) echo "bad flag $flag" >&2; exit 2 ;;
esac
FP_DEVICE_EMULATION=1
export FP_DEVICE_EMULATION
exec umockdev-run -d "$dir/$folder/device" "$flag" "$node=$rec" -- \
  "$prog" "$driver" "$dir/$folder/capture.replayed.pgm"
