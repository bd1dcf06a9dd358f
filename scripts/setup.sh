#!/usr/bin/env bash
# Install what the build needs, and only what is missing. Every step checks
# first, so a second run takes a second or two. Only package registries are
# used (crates.io, npm, PyPI, Debian). The site is built by scripts/build-site.sh
# with cargo, wasm-bindgen and binaryen's wasm-opt (from npm): cargo-leptos is
# not needed, which saves compiling it (about 15 minutes) on every new machine.
set -euo pipefail
cd "$(dirname "$0")/.."

LEPTOSFMT_VERSION=0.1.33
# wasm-bindgen's CLI must match the library in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

# The tools are build helpers, not the product: built without LTO, in parallel
# codegen units, at opt-level 1: a fraction of their own profiles' build time.
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_OPT_LEVEL=1
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_STRIP=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " ${WASM_BINDGEN_VERSION}$"; then
  say "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION} (about 3 minutes, once)"
  # Not --locked: one of its locked dependencies is not served by the registry mirror.
  cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}" --force
fi

if [ "${ONETRIP_SKIP_DEV_TOOLS:-0}" != 1 ] && ! leptosfmt --version 2>/dev/null | grep -q "${LEPTOSFMT_VERSION}"; then
  say "installing leptosfmt ${LEPTOSFMT_VERSION} (formatting check, once)"
  cargo install leptosfmt --locked --version "${LEPTOSFMT_VERSION}"
fi

# npm: Playwright (no browser download: Debian's Chromium is used) and
# binaryen's wasm-opt, which scripts/build-site.sh runs.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages in end2end/"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# PyPI: schemathesis, which tests the batch API against its OpenAPI document
# (a test of the integration suite runs it). In its own virtual environment.
SCHEMATHESIS_VERSION=4.32.5
if [ "${ONETRIP_SKIP_DEV_TOOLS:-0}" != 1 ] && ! .tools/venv/bin/st --version 2>/dev/null | grep -q " ${SCHEMATHESIS_VERSION}$"; then
  say "installing schemathesis ${SCHEMATHESIS_VERSION} (API conformance, once)"
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==${SCHEMATHESIS_VERSION}"
fi
