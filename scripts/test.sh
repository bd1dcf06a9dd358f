#!/usr/bin/env bash
# The whole test suite: formatting, clippy (warnings denied), unit and
# integration tests on SQLite AND PostgreSQL, then the Playwright journeys in
# Chromium against the server with the release site.
#
# ONETRIP_REQUIRE_POSTGRES=1 turns a skipped PostgreSQL test into a failure
# (CI sets it). ONETRIP_TEST_PG_URL names the server tests create databases on.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
START=$(date +%s)
step() { printf '\n\033[1m==> [%ss] %s\033[0m\n' "$(( $(date +%s) - START ))" "$*"; }

step "tools"
scripts/setup.sh

step "formatting (rustfmt, leptosfmt)"
cargo fmt --all -- --check
leptosfmt --check app/src

step "clippy, server side and browser side, warnings denied"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p app --lib --target wasm32-unknown-unknown --features hydrate,islands-signin,islands-wizard,islands-upload,islands-org -- -D warnings

step "PostgreSQL"
if scripts/ensure-postgres.sh; then
  PG_OK=1
else
  PG_OK=0
  if [ "${ONETRIP_REQUIRE_POSTGRES:-0}" = 1 ]; then
    echo "PostgreSQL is required (ONETRIP_REQUIRE_POSTGRES=1) but not available" >&2
    exit 1
  fi
  echo "PostgreSQL unavailable: its tests will be reported as SKIPPED"
fi

step "PDF tools: Poppler (previews, reading letters back) and a Chinese font (letters)"
need=()
command -v pdftoppm >/dev/null || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || [ -n "${ONETRIP_PDF_FONT:-}" ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt_install "${need[@]}" || echo "note: ${need[*]} could not be installed; PDF previews/letters are tested as unavailable"
  else
    echo "note: missing ${need[*]} (sudo apt-get install -y ${need[*]}); PDF previews/letters are tested as unavailable"
  fi
fi

step "unit and integration tests (SQLite and PostgreSQL; the batch API through schemathesis)"
export ONETRIP_SCHEMATHESIS="$PWD/.tools/venv/bin/st"
LOG=$(mktemp)
cargo test --workspace 2>&1 | tee "$LOG"
if grep -q "SKIPPED (PostgreSQL" "$LOG"; then
  echo "note: PostgreSQL tests were skipped" >&2
  [ "${ONETRIP_REQUIRE_POSTGRES:-0}" = 1 ] && exit 1
fi
rm -f "$LOG"

step "the site (release wasm, hashed and precompressed) for the server cargo test built"
# The browser journeys run against the debug server binary the tests above
# have already built (a second, release build of the server would add about
# 18 minutes to a cold run) and the release site, whose sizes are what phones
# download. `make run` and the benchmarks use the release server.
cargo build -p server --bin onetrip
scripts/build-site.sh --server target/debug/onetrip
export ONETRIP_E2E_BIN=target/debug/onetrip

step "load, spike, SIGKILL cycles and faults, short (SQLite and PostgreSQL; the full runs: make load, make crash, make faults)"
# Against the debug server: these check behaviour (no 5xx, no timeout, no
# acknowledged write lost, no orphan, integrity), not speed.
cargo build -q -p server --example load --example crash --example faults --example s3_dev --example cluster
URLS=("")
[ "$PG_OK" = 1 ] && URLS+=("${ONETRIP_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}")
for url in "${URLS[@]}"; do
  DATABASE_URL="$url" ONETRIP_BIN=target/debug/onetrip target/debug/examples/load --short
  DATABASE_URL="$url" ONETRIP_BIN=target/debug/onetrip target/debug/examples/crash 6
done
# The object store away for 8 s, and (as root: a tmpfs) the disk full. The
# PostgreSQL restart is in `make faults` only: it stops the machine's server.
FAULTS=(store)
[ "$(id -u)" = 0 ] && FAULTS+=(disk)
ONETRIP_BIN=target/debug/onetrip ONETRIP_S3_DEV_BIN=target/debug/examples/s3_dev \
  target/debug/examples/faults "${FAULTS[@]}"

step "a cluster, short: 2 replicas behind HAProxy on PostgreSQL and the object store (the full run: make cluster)"
if [ "$PG_OK" = 1 ]; then
  scripts/cluster-tools.sh
  DATABASE_URL="${ONETRIP_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}" \
    ONETRIP_BIN=target/debug/onetrip ONETRIP_S3_DEV_BIN=target/debug/examples/s3_dev \
    ONETRIP_LOAD_BIN=target/debug/examples/load target/debug/examples/cluster --short
fi

step "Chromium"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt_install chromium
  else
    echo "Chromium is missing. Run: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

step "end-to-end journeys (Playwright, phone size, with and without JavaScript)"
(cd end2end && npx playwright test)

step "all tests passed"
