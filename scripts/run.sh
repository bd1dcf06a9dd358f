#!/usr/bin/env bash
# Build in release mode and serve on http://127.0.0.1:3000 with SQLite at
# data/onetrip.db (override with the variables listed in the README).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ONETRIP_SKIP_DEV_TOOLS=1 scripts/setup.sh
# Rebuild only when a source changed since the last successful build, so a
# second start takes seconds.
STAMP=target/.onetrip-release-stamp
if [ ! -x target/release/onetrip ] || [ ! -f "$STAMP" ] || \
   [ -n "$(find Cargo.toml Cargo.lock app server style public migrations -newer "$STAMP" -print -quit)" ]; then
  scripts/build-site.sh
  touch "$STAMP"
fi
[ "${1:-}" = --build-only ] && exit 0
# PDF first-page previews use Poppler's pdftoppm; printable letters a
# Chinese font (ONETRIP_PDF_FONT or Debian's fonts-wqy-microhei).
if ! command -v pdftoppm >/dev/null && [ "$(id -u)" = 0 ]; then
  apt_install poppler-utils || echo "note: no pdftoppm; PDFs get no preview image"
fi
if [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] && [ -z "${ONETRIP_PDF_FONT:-}" ] && [ "$(id -u)" = 0 ]; then
  apt_install fonts-wqy-microhei || echo "note: no Chinese font; letters (PDF) answer 500 until ONETRIP_PDF_FONT is set"
fi
mkdir -p "${ONETRIP_DATA_DIR:-data}"
export LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD
# A development run: sign-in codes go to the server log and to /dev/outbox
# (set ONETRIP_DEV_OUTBOX=0 and configure a sender for anything public).
export ONETRIP_DEV_OUTBOX="${ONETRIP_DEV_OUTBOX:-1}"
exec target/release/onetrip
