#!/usr/bin/env bash
# Checks the mock-server binary with clients nobody here wrote:
#  - `openssl s_client -CAfile ca.pem -verify_ip 127.0.0.1` against every wss
#    listener, expecting the verify result each certificate case is made for;
#  - an echo through Python's standard library (socket + ssl, handshake by
#    hand) over ws and wss;
#  - an echo through Node's WebSocket client (`node --experimental-websocket`,
#    Node >= 20.10) over ws and wss (trusting the CA via NODE_EXTRA_CA_CERTS).
# A missing tool is a failure with a message, never a silent pass; set
# SKIP_NODE=1 to leave the Node check out on purpose.
#
# Usage: mock-server/scripts/third-party-check.sh   (MOCK_SERVER_BIN=path to skip the build)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
crate="$(dirname "$here")"
fail=0
need() { command -v "$1" >/dev/null || { echo "FAIL: $1 is not installed (needed for: $2)"; exit 2; }; }
need openssl "the s_client checks"
need python3 "reading the JSON line and the Python echo"
[ "${SKIP_NODE:-0}" = 1 ] || need node "the Node echo (set SKIP_NODE=1 to skip on purpose)"

if [ -z "${MOCK_SERVER_BIN:-}" ]; then
  (cd "$crate" && cargo build -q -p mock-server --bin mock-server)
  target="$(cd "$crate" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  MOCK_SERVER_BIN="$target/debug/mock-server"
fi

work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$MOCK_SERVER_BIN" --ca-out "$work/ca.pem" > "$work/out" &
pid=$!
for _ in $(seq 100); do [ -s "$work/out" ] && break; sleep 0.1; done
[ -s "$work/out" ] || { echo "FAIL: no JSON line from mock-server"; exit 1; }
json="$(head -n1 "$work/out")"
get() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["listeners"][sys.argv[2]])' "$json" "$1"; }
control="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["control"])' "$json")"

echo "== openssl s_client -CAfile ca.pem -verify_ip 127.0.0.1"
check_tls() { # listener expected-code
  local url port line
  url="$(get "$1")"; port="${url##*:}"
  line="$(timeout 5 openssl s_client -connect "127.0.0.1:$port" -CAfile "$work/ca.pem" -verify_ip 127.0.0.1 </dev/null 2>/dev/null \
          | grep -m1 'Verify return code' || true)"
  if [[ "$line" == *"Verify return code: $2 "* ]]; then echo "ok   $1 (port $port): ${line#*: }";
  else echo "FAIL $1 (port $port): expected code $2, got '${line:-nothing}'"; fail=1; fi
}
check_tls wss.valid 0
check_tls wss.expired 10
check_tls wss.not-yet-valid 9
check_tls wss.wrong-host 64
check_tls wss.self-signed 18
check_tls wss.unknown-ca 19
check_tls wss.intermediate 0
check_tls wss.missing-intermediate 21
check_tls wss.revoked 0
python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1] + "/crl.pem").read().decode())' "$control" > "$work/crl.pem"
url="$(get wss.revoked)"; port="${url##*:}"
line="$(timeout 5 openssl s_client -connect "127.0.0.1:$port" -CAfile "$work/ca.pem" -CRL "$work/crl.pem" -crl_check -verify_ip 127.0.0.1 </dev/null 2>/dev/null | grep -m1 'Verify return code' || true)"
if [[ "$line" == *"Verify return code: 23 "* ]]; then echo "ok   wss.revoked with -CRL crl.pem -crl_check (port $port): ${line#*: }";
else echo "FAIL wss.revoked with the CRL: expected code 23, got '${line:-nothing}'"; fail=1; fi
port="$(get wss.hang)"; port="${port##*:}"
if timeout 2 openssl s_client -connect "127.0.0.1:$port" -CAfile "$work/ca.pem" </dev/null >/dev/null 2>&1; then
  echo "FAIL wss.hang: the TLS handshake completed"; fail=1
else echo "ok   wss.hang (port $port): no ServerHello within 2 s"; fi

session="$(curl -fsS -X POST "$control/sessions" 2>/dev/null || python3 - "$control" <<'PY'
import sys, urllib.request
print(urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/sessions", method="POST")).read().decode())
PY
)"
ws_url="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["urls"]["ws"])' "$session")/echo"
wss_url="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["urls"]["wss.valid"])' "$session")/echo"

echo "== Python standard library (hand-written handshake)"
for url in "$ws_url" "$wss_url"; do
  if python3 "$here/py_echo.py" "$url" "$work/ca.pem"; then :; else fail=1; fi
done

if [ "${SKIP_NODE:-0}" != 1 ]; then
  echo "== Node $(node --version) WebSocket client"
  for url in "$ws_url" "$wss_url"; do
    if NODE_EXTRA_CA_CERTS="$work/ca.pem" node --experimental-websocket --no-warnings "$here/node_echo.mjs" "$url"; then :; else fail=1; fi
  done
fi

kill -TERM "$pid"; wait "$pid" && echo "ok   mock-server exited cleanly on SIGTERM" || { echo "FAIL: exit status $?"; fail=1; }
[ "$fail" = 0 ] && echo "ALL THIRD-PARTY CHECKS PASSED" || { echo "SOME CHECKS FAILED"; exit 1; }
