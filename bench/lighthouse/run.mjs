// Lighthouse's mobile preset (a mid-range phone, 4× slower CPU, simulated
// slow 4G) on the main citizen pages, with Debian's Chromium, each page run
// RUNS times (default 3); the medians are printed and written to
// target/lighthouse-report.md next to the goals of issue 17.
//
// Started by `make bench-lighthouse`, which builds the release server and
// site first. The server runs on its own port and data directory; a citizen
// signs in through the development outbox (Playwright) so the wizard step
// can be measured with that session's cookie.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(path.join(root, "end2end/package.json"));
const { chromium } = require("@playwright/test");

const BIN = path.resolve(root, process.env.ONETRIP_BIN ?? "target/release/onetrip");
const PORT = Number(process.env.ONETRIP_LH_PORT ?? 3140);
const BASE = `http://127.0.0.1:${PORT}`;
const RUNS = Number(process.env.RUNS ?? 3);
const CHROME = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const GOALS = { lcp: 1500, tbt: 150, cls: 0.02, tti: 3000 };

const data = path.join(root, "target/lighthouse-data");
rmSync(data, { recursive: true, force: true });
mkdirSync(data, { recursive: true });
const env = {
  ...process.env,
  ONETRIP_DATA_DIR: data,
  LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
  LEPTOS_SITE_ROOT: path.join(root, "target/site"),
  LEPTOS_ENV: "PROD",
  ONETRIP_DEV_OUTBOX: "1",
  RUST_LOG: "warn",
};
const server = spawn(BIN, [], { env, stdio: ["ignore", "ignore", "inherit"] });
process.on("exit", () => server.kill());

async function up() {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${BASE}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer on ${BASE}`);
}

/**
 * A citizen signs in and starts a draft in Lighthouse's own Chrome (over
 * CDP), so the session cookie is in the profile Lighthouse then loads the
 * wizard step with. Returns the step's path and the connection.
 */
async function citizenDraft(port) {
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  const page = await browser.contexts()[0].newPage();
  const goto = page.goto.bind(page);
  page.goto = (url) => goto(new URL(url, BASE).href);
  const mobile = `139${String(Date.now() % 100_000_000).padStart(8, "0")}`;
  await page.goto("/signin?next=%2Fmatters%2FTRANSFER-WITH-MORTGAGE");
  await page.waitForSelector("body[data-hydrated=true]");
  await page.fill("#mobile", mobile);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/signin\/verify/);
  let code = "";
  for (let i = 0; i < 50 && !code; i++) {
    const html = await (await fetch(`${BASE}/dev/outbox?to=${mobile}`)).text();
    const text = new RegExp(`data-recipient="${mobile}" data-template="signin_code"[^>]*>.*?<p class="text">([^<]*)`).exec(html)?.[1] ?? "";
    code = /(\d{6})/.exec(text)?.[1] ?? "";
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  await page.waitForSelector("body[data-hydrated=true]");
  await page.fill("#code", code);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/matters\//);
  await page.click("form[action='/api/applications/start'] button");
  await page.waitForURL(/\/apply\/[^/]+\/property/);
  const wizard = new URL(page.url()).pathname;
  if ((await page.locator("leptos-island").count()) === 0) throw new Error("the wizard step has no island");
  await page.close();
  return { wizard, browser };
}

/** Empty Chrome's HTTP cache (cookies stay): every run is a first visit. */
async function clearCache(browser) {
  const page = await browser.contexts()[0].newPage();
  const cdp = await browser.contexts()[0].newCDPSession(page);
  await cdp.send("Network.clearBrowserCache");
  await page.close();
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

await up();
const pages = [
  { name: "/", url: "/" },
  { name: "/matters", url: "/matters" },
  { name: "/matters/TRANSFER-WITH-MORTGAGE (notice)", url: "/matters/TRANSFER-WITH-MORTGAGE" },
  { name: "/track", url: "/track" },
  { name: "/signin", url: "/signin" },
  // Signed in (below): Lighthouse keeps the profile's cookies for it.
  { name: "/apply/:id/property (wizard step)", signedIn: true },
];

const chrome = await chromeLauncher.launch({
  chromePath: CHROME,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
const rows = [];
try {
  for (const p of pages) {
    let signedIn = null;
    if (p.signedIn) {
      signedIn = await citizenDraft(chrome.port);
      p.url = signedIn.wizard;
    }
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      if (signedIn) await clearCache(signedIn.browser);
      const result = await lighthouse(`${BASE}${p.url}`, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: ["performance"],
        disableStorageReset: p.signedIn === true,
      });
      const a = result.lhr.audits;
      if (new URL(result.lhr.finalDisplayedUrl).pathname !== new URL(`${BASE}${p.url}`).pathname) {
        throw new Error(`${p.url} ended at ${result.lhr.finalDisplayedUrl}`);
      }
      runs.push({
        lcp: a["largest-contentful-paint"].numericValue,
        tbt: a["total-blocking-time"].numericValue,
        cls: a["cumulative-layout-shift"].numericValue,
        tti: a["interactive"].numericValue,
        score: result.lhr.categories.performance.score * 100,
        wasm: a["network-requests"].details.items.some((r) => r.url.endsWith(".wasm")),
      });
    }
    const m = (k) => median(runs.map((r) => r[k]));
    rows.push({ name: p.name, lcp: m("lcp"), tbt: m("tbt"), cls: m("cls"), tti: m("tti"), score: m("score"), wasm: runs[0].wasm });
    console.log(`${p.name}: done (${RUNS} runs)`);
  }
} finally {
  await chrome.kill();
  server.kill();
}

const ok = (v, goal) => (v <= goal ? "✓" : "✗");
const lines = [
  `Lighthouse ${require(path.join(root, "bench/lighthouse/node_modules/lighthouse/package.json")).version} mobile preset (simulated slow 4G, 4× CPU), Chromium ${/(\d+(\.\d+)+)/.exec(execFileSync(CHROME, ["--version"], { stdio: ["ignore", "pipe", "ignore"] }).toString())?.[1]}, median of ${RUNS} runs; server ${path.relative(root, BIN)}.`,
  "",
  `| page | wasm | LCP ms (≤${GOALS.lcp}) | TBT ms (≤${GOALS.tbt}) | CLS (≤${GOALS.cls}) | TTI ms (≤${GOALS.tti}) | score |`,
  "|---|---|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.wasm ? "yes" : "none"} | ${Math.round(r.lcp)} ${ok(r.lcp, GOALS.lcp)} | ${Math.round(r.tbt)} ${ok(r.tbt, GOALS.tbt)} | ${r.cls.toFixed(3)} ${ok(r.cls, GOALS.cls)} | ${Math.round(r.tti)} ${ok(r.tti, GOALS.tti)} | ${Math.round(r.score)} |`,
  ),
];
const report = lines.join("\n") + "\n";
writeFileSync(path.join(root, "target/lighthouse-report.md"), report);
console.log("\n" + report);
process.exit(0);
