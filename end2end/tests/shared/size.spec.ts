import { test, expect, open } from "../fixtures";
import { Page } from "@playwright/test";
import { mkdirSync, writeFileSync } from "node:fs";
import { signIn } from "../steps";

// What a phone downloads for each main page, as served (compressed), by kind:
// the bytes the browser received for each response's body. Reported in
// target/size-report.md (and printed), and held to a budget per audience.
//
// Budgets, enforced: a page without islands loads no script and no wasm at
// all (0 KB); a page with islands loads only its own bundle of them, at most
// 100 KB of wasm+JS (brotli, as served) for a citizen's page and 250 KB for
// clerks and developers.
const TARGET_KB = { citizen: 100, staff: 250 } as const;
const ADMIN_PASSWORD = "e2e-admin-password";

type Audience = keyof typeof TARGET_KB;
type Row = { audience: Audience; page: string; islands: number; wasm: number; js: number; css: number; html: number; other: number };

async function measure(page: Page, path: string): Promise<Omit<Row, "audience" | "page" | "islands">> {
  // What the previous page was still fetching is not this page's.
  await page.waitForLoadState("networkidle");
  const seen: Promise<{ kind: string; bytes: number }>[] = [];
  const listener = (res: import("@playwright/test").Response) => {
    seen.push(
      res.request().sizes().then((s) => {
        const url = new URL(res.url()).pathname;
        const type = res.headers()["content-type"] ?? "";
        const kind = url.endsWith(".wasm")
          ? "wasm"
          : url.endsWith(".js") || type.includes("javascript")
            ? "js"
            : url.endsWith(".css")
              ? "css"
              : res.request().resourceType() === "document"
                ? "html"
                : "other";
        return { kind, bytes: s.responseBodySize };
      }),
    );
  };
  page.on("response", listener);
  await page.goto(path, { waitUntil: "load" });
  // Hydration (where there is any) fetches the wasm after load: wait for it.
  await page.waitForLoadState("networkidle");
  page.off("response", listener);
  const totals = { wasm: 0, js: 0, css: 0, html: 0, other: 0 };
  for (const { kind, bytes } of await Promise.all(seen)) {
    totals[kind as keyof typeof totals] += bytes;
  }
  return totals;
}

/** Every measurement is a first visit: nothing comes from the browser's cache. */
async function firstVisits(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
}

test("every main page stays within its download budget", async ({ page, js, browser, baseURL }) => {
  test.skip(!js, "sizes are measured with JavaScript on, where the scripts are fetched");
  test.setTimeout(120_000);
  const rows: Row[] = [];
  await firstVisits(page);
  const add = async (p: Page, audience: Audience, path: string) => {
    const sizes = await measure(p, path);
    const islands = await p.locator("leptos-island").count();
    rows.push({ audience, page: path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ":id"), islands, ...sizes });
  };

  // Citizens, signed out.
  for (const path of ["/", "/matters", "/matters/TRANSFER-WITH-MORTGAGE", "/track", "/sites", "/signin", "/consult"]) {
    await add(page, "citizen", path);
  }
  // Citizens, signed in: their page and the wizard's first step.
  await open(page, "/signin?next=/matters/TRANSFER-WITH-MORTGAGE", js);
  await signIn(page, `1370${String(Date.now() % 10_000_000).padStart(7, "0")}`);
  await add(page, "citizen", "/me");
  await open(page, "/matters/TRANSFER-WITH-MORTGAGE", js);
  await page.getByRole("button", { name: "开始填写" }).click();
  await expect(page).toHaveURL(/\/apply\/[^/]+\/[^/]+/);
  const first = new URL(page.url()).pathname;
  await add(page, "citizen", first);
  // The materials step: its check and the upload widget.
  await add(page, "citizen", first.replace(/\/[^/]+$/, "/materials"));
  // The code page after asking for a code.
  await add(page, "citizen", "/signin/verify?c=x&next=/me");

  // Clerks: sign-in, the workbench and the administrator's pages.
  const staff = await browser.newPage({ baseURL });
  await firstVisits(staff);
  await add(staff, "staff", "/staff/signin");
  await staff.getByLabel("用户名").fill("admin");
  await staff.getByLabel("密码").fill(ADMIN_PASSWORD);
  await staff.getByRole("button", { name: "登录" }).click();
  await expect(staff).not.toHaveURL(/signin/);
  for (const path of ["/staff", "/staff/admin", "/staff/dashboard", "/staff/batches"]) {
    await add(staff, "staff", path);
  }
  // Developers, signed out.
  for (const path of ["/developer/signin", "/developer/register"]) {
    await add(staff, "staff", path);
  }
  await staff.close();

  const kb = (n: number) => (n / 1024).toFixed(1);
  const lines = [
    "| audience | page | islands | wasm KB | JS KB | wasm+JS KB | budget KB | CSS KB | HTML KB |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.audience} | ${r.page} | ${r.islands} | ${kb(r.wasm)} | ${kb(r.js)} | ${kb(r.wasm + r.js)} | ${r.islands ? TARGET_KB[r.audience] : 0} | ${kb(r.css)} | ${kb(r.html)} |`,
    ),
  ];
  mkdirSync("../target", { recursive: true });
  writeFileSync("../target/size-report.md", lines.join("\n") + "\n");
  console.log(lines.join("\n"));

  for (const r of rows) {
    expect(r.html, `${r.page} was measured`).toBeGreaterThan(0);
    const budget = r.islands ? TARGET_KB[r.audience] : 0;
    expect((r.wasm + r.js) / 1024, `${r.page}: wasm+JS KB as served`).toBeLessThanOrEqual(budget);
  }
});
