#!/usr/bin/env bash
# Build in release mode and serve on http://127.0.0.1:3000 with SQLite at
# data/onetrip.db (override with the variables listed in the README).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ONETRIP_SKIP_DEV_TOOLS=1 scripts/setup.sh
cargo leptos build --release --precompress
mkdir -p "${ONETRIP_DATA_DIR:-data}"
export LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD
exec target/release/onetrip
