#!/usr/bin/env bash
# The hot paths against this machine's ceiling, in one run (issue 18): wrk
# (2 threads, 32 connections) on bare axum (GET and POST), the home page, the
# service guide and every matter's notice, and a real progress lookup (each
# request from another address, the server trusting one proxy, as behind a
# balancer); then the project's own harnesses for first submits and the
# booking race (1,000 concurrent requests for 10 seats).
#   scripts/bench-hot.sh [ONETRIP_BIN]     (default target/release/onetrip)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
BIN=${1:-target/release/onetrip}
D=${BENCH_DURATION:-10s}
command -v wrk >/dev/null || apt_install wrk
cargo build --release -q -p server --example bare_axum --example load
DATA=$(mktemp -d)
LUA=$(mktemp --suffix .lua)
cat >"$LUA" <<'LUA'
wrk.method = os.getenv("WRK_METHOD") or "GET"
request = function()
  wrk.headers["X-Forwarded-For"] = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format(nil, nil)
end
LUA
target/release/examples/bare_axum 127.0.0.1:3901 & BARE=$!
ONETRIP_DATA_DIR=$DATA LEPTOS_SITE_ADDR=127.0.0.1:3902 LEPTOS_SITE_ROOT=${LEPTOS_SITE_ROOT:-target/site} \
  ONETRIP_TRUST_PROXY=1 ONETRIP_DEV_OUTBOX=1 RUST_LOG=warn "$BIN" & APP=$!
trap 'kill $BARE $APP 2>/dev/null; rm -rf "$DATA" "$LUA"' EXIT
for url in http://127.0.0.1:3901/ http://127.0.0.1:3902/healthz; do
  for _ in $(seq 1 100); do curl -sf "$url" >/dev/null 2>&1 && break; sleep 0.1; done
done
read -r _ RECEIPT LAST6 < <(DATABASE_URL="sqlite://$DATA/onetrip.db" target/release/examples/load --target http://127.0.0.1:3902 --seed | grep '^case ' | head -1)

run() { # name url [method]
  local out rps p99
  out=$(WRK_METHOD=${3:-GET} wrk -t2 -c32 -d"$D" --latency -s "$LUA" "$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-44s %10s req/s  p99 %8s' "$1" "$rps" "$p99"
  if grep -q "Non-2xx" <<<"$out"; then printf '  (%s)' "$(grep Non-2xx <<<"$out" | xargs)"; fi
  printf '\n'
  eval "RPS_$4=$rps"
}
run "bare axum GET /" http://127.0.0.1:3901/ GET BARE
run "home page /" http://127.0.0.1:3902/ GET HOME
run "progress lookup /track?no=…&id=…" "http://127.0.0.1:3902/track?no=$RECEIPT&id=$LAST6" GET TRACK
run "service guide /matters" http://127.0.0.1:3902/matters GET GUIDE
MIN_NOTICE=999999999
for code in $(curl -s -X POST http://127.0.0.1:3902/api/matters/list | grep -o '"code":"[A-Z-]*"' | cut -d'"' -f4 | sort -u); do
  run "notice /matters/$code" "http://127.0.0.1:3902/matters/$code" GET NOTICE
  MIN_NOTICE=$(echo "if ($RPS_NOTICE < $MIN_NOTICE) $RPS_NOTICE else $MIN_NOTICE" | bc -l)
done
ratio() { echo "scale=3; $1 / $2" | bc -l; }
echo
echo "home page = $(ratio "$RPS_HOME*100" "$RPS_BARE") % of bare axum (goal ≥ 15 %)"
echo "a lookup costs $(ratio "$RPS_HOME" "$RPS_TRACK") × a home page (goal ≤ 1.25)"
echo "the guide = $(ratio "$RPS_GUIDE" "$RPS_HOME") × the home page's rate; the slowest notice $(ratio "$MIN_NOTICE" "$RPS_HOME") × (goal ≥ 0.5)"
echo "idle RSS after the run: $(grep VmRSS /proc/$APP/status | awk '{print $2 " " $3}')"
