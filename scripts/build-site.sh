#!/usr/bin/env bash
# Build the site without cargo-leptos: the browser side (wasm) with cargo,
# wasm-bindgen and binaryen's wasm-opt, the stylesheet and the public assets,
# names hashed and precompressed (brotli, gzip) as the server serves them; and
# the server binary with cargo.
#
#   scripts/build-site.sh                 site + release server (make run)
#   scripts/build-site.sh --server PATH   site only; hash.txt is written next
#                                         to the server binary PATH (the tests
#                                         use the debug binary `cargo test`
#                                         already built)
#
# Output: target/site/ (favicon…, pkg/onetrip.<hash>.{js,wasm,css}[.br|.gz])
# and hash.txt beside the server binary, which Leptos reads to name the files
# in every page. What cargo-leptos did, in the same layout, with the same
# Cargo.toml metadata ([[workspace.metadata.leptos]]).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

SERVER_BIN=""
if [ "${1:-}" = --server ]; then
  SERVER_BIN="$2"
fi
OUT_NAME=onetrip
SITE=target/site
PKG="$SITE/pkg"
STAGE=target/site-stage
export LEPTOS_OUTPUT_NAME="$OUT_NAME"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# One wasm per island bundle (app::components::islands::Bundle): a page
# loads only the bundle that holds its islands. Each is the app crate built
# with `hydrate` and the bundle's features; the dependencies are shared.
BUNDLES=(
  "signin:islands-signin"
  "wizard:islands-wizard"
  "upload:islands-wizard,islands-upload"
  "org:islands-org"
)
rm -rf "$STAGE"
mkdir -p "$STAGE/pkg"
: >"$STAGE/hash.txt"
hash() { sha256sum "$1" | cut -c1-16; }
for entry in "${BUNDLES[@]}"; do
  bundle="${entry%%:*}"
  features="${entry#*:}"
  name="$OUT_NAME-$bundle"
  say "browser side: bundle $bundle (hydrate,$features) for wasm32, profile wasm-release"
  cargo build -p app --lib --target wasm32-unknown-unknown \
    --no-default-features --features "hydrate,$features" --profile wasm-release
  WASM="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/app.wasm"
  wasm-bindgen --target web --no-typescript --out-dir "$STAGE/pkg" --out-name "$name" "$WASM"
  wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$STAGE/pkg/$name.opt.wasm" "$STAGE/pkg/${name}_bg.wasm"
  rm "$STAGE/pkg/${name}_bg.wasm"
  # Content hashes in the names, so a browser may cache them for a year.
  JS_HASH=$(hash "$STAGE/pkg/$name.js")
  WASM_HASH=$(hash "$STAGE/pkg/$name.opt.wasm")
  mv "$STAGE/pkg/$name.js" "$STAGE/pkg/$name.$JS_HASH.js"
  mv "$STAGE/pkg/$name.opt.wasm" "$STAGE/pkg/$name.$WASM_HASH.wasm"
  printf '%s.js: %s\n%s.wasm: %s\n' "$bundle" "$JS_HASH" "$bundle" "$WASM_HASH" >>"$STAGE/hash.txt"
done

CSS_HASH=$(hash style/main.css)
cp style/main.css "$STAGE/pkg/$OUT_NAME.$CSS_HASH.css"
cp -R public/. "$STAGE/"
printf 'css: %s\n' "$CSS_HASH" >>"$STAGE/hash.txt"

say "precompress (brotli, gzip)"
node scripts/precompress.mjs "$STAGE"

# Swap in the new site in one move, so a running server never sees half of it.
rm -rf "$SITE.old"
[ -d "$SITE" ] && mv "$SITE" "$SITE.old"
mv "$STAGE" "$SITE"
rm -rf "$SITE.old"
HASHES="$SITE/hash.txt"

if [ -z "$SERVER_BIN" ]; then
  say "server (release)"
  cargo build --release -p server --bin onetrip
  SERVER_BIN=target/release/onetrip
fi
mkdir -p "$(dirname "$SERVER_BIN")"
cp "$HASHES" "$(dirname "$SERVER_BIN")/hash.txt"
rm -f "$HASHES"
say "site in $SITE; $(dirname "$SERVER_BIN")/hash.txt names its files"
