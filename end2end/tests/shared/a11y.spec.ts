import { test, expect, open } from "../fixtures";
import { Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { signIn } from "../steps";

// axe-core over the main pages of every audience, at phone size, with and
// JavaScript on (axe is itself a script; the pages are the same server-rendered
// HTML either way): no WCAG 2.1 A or AA violation, in the default language
// (Chinese) and in the elderly mode.
const ADMIN_PASSWORD = "e2e-admin-password";

async function audit(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations.map(
    (v) => `${where}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`,
  );
}

test("the main pages of every audience have no WCAG 2.1 A/AA violations", async ({ page, js, browser, baseURL }) => {
  test.skip(!js, "axe runs as a script in the page; the markup is the same server-rendered HTML");
  test.setTimeout(120_000);
  // The check can fail: an image without a text alternative is reported.
  await open(page, "/", js);
  await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", '<img src="/favicon.svg">'));
  expect((await audit(page, "probe")).some((v) => v.includes("image-alt"))).toBe(true);
  const found: string[] = [];
  const pages = ["/", "/matters", "/matters/TRANSFER-WITH-MORTGAGE", "/track", "/verify", "/verify?code=ZZZZ-ZZZZ-ZZZZ-ZZZZ", "/sites", "/signin", "/consult", "/me"];
  for (const path of pages) {
    await open(page, path, js);
    // Every page has its own title, in the user's language (WCAG 2.4.2).
    if (path !== "/") await expect(page).toHaveTitle(/^[^·]+ · 一趟办$/);
    found.push(...(await audit(page, path)));
  }
  // A wizard step, signed in.
  await open(page, "/signin?next=/matters/TRANSFER-WITH-MORTGAGE", js);
  await signIn(page, `1350${String(Date.now() % 10_000_000).padStart(7, "0")}`);
  // Signing in lands back on the matter (a second navigation would cut that one off).
  await expect(page).toHaveURL(/\/matters\/TRANSFER-WITH-MORTGAGE/);
  await page.getByRole("button", { name: "开始填写" }).click();
  await expect(page).toHaveURL(/\/apply\//);
  found.push(...(await audit(page, "wizard")));
  // The elderly mode.
  await page.getByRole("link", { name: "大字模式" }).click();
  await expect(page.getByRole("link", { name: "标准模式" })).toBeVisible();
  found.push(...(await audit(page, "wizard, elderly mode")));
  await open(page, "/", js);
  found.push(...(await audit(page, "/, elderly mode")));

  // Clerks and developers.
  const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 } });
  const staff = await context.newPage();
  for (const path of ["/staff/signin", "/developer/signin", "/developer/register"]) {
    await open(staff, path, js);
    found.push(...(await audit(staff, path)));
  }
  await staff.goto("/staff/signin");
  await staff.getByLabel("用户名").fill("admin");
  await staff.getByLabel("密码").fill(ADMIN_PASSWORD);
  await staff.getByRole("button", { name: "登录" }).click();
  await expect(staff).not.toHaveURL(/signin/);
  for (const path of ["/staff", "/staff/admin", "/staff/dashboard", "/staff/batches", "/staff/orgs", "/staff/calendar", "/staff/audit"]) {
    await open(staff, path, js);
    found.push(...(await audit(staff, path)));
  }
  await context.close();
  expect(found, "WCAG 2.1 A/AA violations").toEqual([]);
});
