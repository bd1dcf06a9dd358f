import { defineConfig, devices } from "@playwright/test";

// Journeys run at phone size (390×844) twice: hydrated, and with JavaScript
// off, because government forms must work before (or without) the wasm.
// The server is started fresh on its own data directory: the release build,
// or the binary ONETRIP_E2E_BIN names (the test command uses the debug binary
// `cargo test` has just built, with the release site scripts/build-site.sh made).
const BIN = process.env.ONETRIP_E2E_BIN ?? "target/release/onetrip";
const PORT = Number(process.env.ONETRIP_E2E_PORT ?? 3100);
// ONETRIP_E2E_BASE_URL: run against servers already started (the cluster
// command's balancer in front of its replicas) instead of starting one.
const EXTERNAL = process.env.ONETRIP_E2E_BASE_URL;
const BASE = EXTERNAL ?? `http://127.0.0.1:${PORT}`;
// The development payment gateway beside it, and the secret both sign with.
const PAY_PORT = PORT + 1;
const PAY_SECRET = "e2e-development-payment-secret";

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

const phone = {
  ...devices["Pixel 5"],
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  // An English browser: the service must still answer in Chinese by default.
  locale: "en-US",
  launchOptions: chromium,
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  // Two workers and the release server share two cores: a page may take a
  // few seconds when the other worker is uploading or importing.
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  use: { baseURL: BASE, trace: "retain-on-failure" },
  projects: [
    { name: "phone-js", use: { ...phone, javaScriptEnabled: true } },
    { name: "phone-nojs", use: { ...phone, javaScriptEnabled: false } },
  ],
  webServer: EXTERNAL ? undefined : [{
    command:
      `rm -rf target/e2e-data && export ONETRIP_DATA_DIR=target/e2e-data LEPTOS_SITE_ADDR=127.0.0.1:${PORT} ` +
      // Testers read sign-in codes from the development outbox; every test
      // signs in from 127.0.0.1, so the per-address limits are raised.
      `ONETRIP_DEV_OUTBOX=1 ONETRIP_CODES_PER_IP_HOUR=10000 ONETRIP_LOOKUPS_PER_IP_10MIN=10000 ` +
      `LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD RUST_LOG=warn ` +
      // Fees are paid online through the development gateway (below), and
      // the tax authority's confirmations are accepted.
      `ONETRIP_PAY_GATEWAY_URL=http://127.0.0.1:${PAY_PORT} ONETRIP_PAY_SECRET=${PAY_SECRET} ` +
      `ONETRIP_TAX_SECRET=e2e-tax-authority-secret ` +
      // Identity checks (zero-trip confirmations) through the same process.
      `ONETRIP_IDENTITY_URL=http://127.0.0.1:${PAY_PORT} ONETRIP_IDENTITY_SECRET=${PAY_SECRET} ` +
      // 登记+X: the development process plays the four utilities too.
      `ONETRIP_UTILITY_SECRET=${PAY_SECRET} ONETRIP_UTILITY_URLS=` +
      ["water", "power", "gas", "broadband"].map((u) => `${u}=http://127.0.0.1:${PAY_PORT}/utilities/${u}`).join(",") +
      ` && ` +
      // The first administrator, as the README tells a new centre to create it.
      `ONETRIP_ADMIN_PASSWORD=e2e-admin-password ${BIN} create-admin admin && ` +
      `exec ${BIN}`,
    cwd: "..",
    url: `${BASE}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
  }, {
    // The development payment gateway, its own process (no money moves).
    command: `ONETRIP_DEVPAY_ADDR=127.0.0.1:${PAY_PORT} ONETRIP_PAY_SECRET=${PAY_SECRET} exec ${BIN} dev-payment-gateway`,
    cwd: "..",
    url: `http://127.0.0.1:${PAY_PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
  }],
});
