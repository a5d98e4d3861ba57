#!/bin/sh
# secret-keyring.sh — the export token in a real Secret Service: a private D-Bus session
# with gnome-keyring-daemon (unlocked with an empty password), `ridgectl export token set`
# must say "keyring" and leave no token file; `ridgectl export test` against
# ridge-test-server must read the token back from the keyring and be accepted; `token
# clear` must remove it (the next test then has no token). TAP; skips (77) when
# gnome-keyring-daemon or dbus-run-session is missing.
# Env: RIDGECTL_EXE, RIDGE_TEST_SERVER_EXE, RIDGE_TEST_CERT_SH, RIDGE_BUILD_ROOT.
set -eu
if [ "${1:-}" != "--inside" ]; then
  for p in gnome-keyring-daemon dbus-run-session; do
    command -v "$p" >/dev/null 2>&1 || { echo "1..0 # SKIP $p is not installed"; exit 77; }
  done
  exec dbus-run-session -- "$0" --inside
fi

work=$(mktemp -d)
server_pid=
keyring_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$keyring_pid" ] && kill "$keyring_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_RUNTIME_DIR="$work/run"
export GSETTINGS_BACKEND=keyfile GSETTINGS_SCHEMA_DIR="$RIDGE_BUILD_ROOT/data"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset RIDGE_EXPORT_TOKEN RIDGE_SECRET_BACKEND
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; echo "Bail out! $1"; exit 1; }
echo "1..5"

# --unlock reads the login keyring's password on stdin and creates that keyring unlocked
# (no prompt, which would need a display); --foreground keeps the daemon ours to stop.
printf 'ridge-test' | gnome-keyring-daemon --foreground --unlock --components=secrets \
  >"$work/gkd.env" 2>"$work/gkd.err" &
keyring_pid=$!
i=0
# NameHasOwner asks the bus itself: it does not activate a second daemon
until gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null |
        grep -q true; do
  i=$((i + 1)); [ $i -lt 100 ] || not_ok "gnome-keyring-daemon answers on the session bus"
  sleep 0.1
done
ok "gnome-keyring-daemon answers on the session bus"

"$RIDGE_TEST_CERT_SH" "$work/tls"
token=kr-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
"$RIDGE_TEST_SERVER_EXE" --port 0 --cert "$work/tls/cert.pem" --key "$work/tls/key.pem" \
  --token "$token" --db "$work/server.db" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
i=0
until grep -q "listening on" "$work/server.out" 2>/dev/null; do
  i=$((i + 1)); [ $i -lt 100 ] || not_ok "ridge-test-server starts"; sleep 0.1
done
url=$(sed -n 's/.*listening on \(https:[^ ]*\).*/\1/p' "$work/server.out" | head -n1)
"$RIDGECTL_EXE" export profile add kr "$url" --pin-cert "$work/tls/cert.pem" >/dev/null

out=$(printf '%s\n' "$token" | "$RIDGECTL_EXE" export token set kr)
case "$out" in
  *keyring*) [ ! -e "$XDG_CONFIG_HOME/ridge/tokens" ] &&
               ok "token set goes to the keyring, no token file" ||
               not_ok "token set goes to the keyring, no token file ($out)" ;;
  *) not_ok "token set goes to the keyring, no token file ($out)" ;;
esac

out=$("$RIDGECTL_EXE" export test --profile kr 2>&1) || not_ok "export test with the keyring's token ($out)"
case "$out" in
  *"token from the keyring"*) ok "export test reads the token back from the keyring" ;;
  *) not_ok "export test reads the token back from the keyring ($out)" ;;
esac
case "$out" in
  *"$token"*) not_ok "the token is never printed" ;;
  *) ok "the token is never printed" ;;
esac

"$RIDGECTL_EXE" export token clear kr >/dev/null
if "$RIDGECTL_EXE" export test --profile kr >"$work/after.out" 2>&1; then
  not_ok "after token clear the keyring holds no token ($(cat "$work/after.out"))"
else
  ok "after token clear the keyring holds no token"
fi
