#!/usr/bin/env bash
# Throughput of the release server against this machine's ceiling (bare axum),
# with wrk from Debian. Figures drift between machines; compare the ratios.
#   make bench            # 10 s per endpoint, 2 threads, 32 connections
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
DURATION=${BENCH_DURATION:-10s}
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt_install wrk
  else echo "wrk is missing. Run: sudo apt-get install -y wrk" >&2; exit 1; fi
fi
[ -x target/release/onetrip ] || scripts/run.sh --build-only
cargo build --release -q -p server --example bare_axum

DATA=$(mktemp -d)
target/release/examples/bare_axum 127.0.0.1:3901 & BARE=$!
ONETRIP_DATA_DIR=$DATA LEPTOS_SITE_ADDR=127.0.0.1:3902 LEPTOS_SITE_ROOT=target/site RUST_LOG=warn \
  target/release/onetrip & APP=$!
trap 'kill $BARE $APP 2>/dev/null; rm -rf "$DATA"' EXIT
for url in http://127.0.0.1:3901/ http://127.0.0.1:3902/healthz; do
  for _ in $(seq 1 100); do curl -sf "$url" >/dev/null 2>&1 && break; sleep 0.1; done
done

rps() { wrk -t2 -c32 -d"$DURATION" "$1" | awk '/Requests\/sec/ {print $2}'; }
CEIL=$(rps http://127.0.0.1:3901/)
printf '%-34s %10s req/s  (ceiling)\n' "bare axum GET /" "$CEIL"
for path in /healthz /sites / /api/sites/list; do
  if [ "$path" = /api/sites/list ]; then
    R=$(wrk -t2 -c32 -d"$DURATION" -s <(printf 'wrk.method="POST"\nwrk.headers["Content-Type"]="application/x-www-form-urlencoded"\n') "http://127.0.0.1:3902$path" | awk '/Requests\/sec/ {print $2}')
  else
    R=$(rps "http://127.0.0.1:3902$path")
  fi
  printf '%-34s %10s req/s  %5.1f%% of ceiling\n' "onetrip $path" "$R" "$(echo "100*$R/$CEIL" | bc -l)"
done
printf 'idle RSS of onetrip after the run: %s\n' "$(grep VmRSS /proc/$APP/status | awk '{print $2 " " $3}')"
