import { test, expect, open, expectTapTargets, expectNoHorizontalScroll } from "../fixtures";

test("the home page says what citizens, developers and clerks can do, in Chinese", async ({ page, js }) => {
  await open(page, "/", js);
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("不动产登记，最多跑一次");
  for (const who of ["我是群众", "我是开发企业", "我是工作人员"]) {
    await expect(page.getByRole("heading", { name: who })).toBeVisible();
  }
  await expectTapTargets(page, ".button, .lang-switch, .site-nav a");
  await expectNoHorizontalScroll(page);
});

test("the sites page lists the service network read from the database", async ({ page, js }) => {
  await open(page, "/sites", js);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("服务网点");
  await expect(page.getByRole("heading", { name: "明州市不动产登记中心" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "分中心", exact: true })).toBeVisible();
  await expect(page.locator(".site-card")).toHaveCount(15);
  await expect(page.getByRole("link", { name: "0570-8810 0000" })).toHaveAttribute("href", "tel:057088100000");
  await expectNoHorizontalScroll(page);
});

test("a citizen switches to English and back, and the choice persists", async ({ page, js }) => {
  await open(page, "/sites", js);
  await page.getByRole("link", { name: "切换到英文" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Service sites");
  await expect(page.getByRole("heading", { name: "Mingzhou Real Estate Registration Centre" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page).toHaveTitle("Service sites · OneTrip");
  await expect(page).toHaveURL(/\/sites$/);

  // The preference survives a reload and a visit to another page.
  await open(page, "/", js);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Real-estate registration: come at most once");

  await page.getByRole("link", { name: "Switch to Chinese" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("不动产登记，最多跑一次");
  await open(page, "/sites", js);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("服务网点");
});

test("the navigation leads from home to the sites and back", async ({ page, js }) => {
  await open(page, "/", js);
  await page.getByRole("link", { name: "查看全部服务网点" }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("服务网点");
  await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "首页" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("不动产登记，最多跑一次");
});

test("developers find the way in to bulk filings from the home page", async ({ page, js }) => {
  await open(page, "/", js);
  await page.getByRole("link", { name: "了解详情" }).first().click();
  await expect(page).toHaveURL(/\/developer$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("开发企业批量申报");
  await expect(page.getByRole("link", { name: "注册单位" })).toBeVisible();
  await expect(page.getByTestId("templates").getByRole("link", { name: "XLSX" }).first()).toBeVisible();
});

test("the elderly mode enlarges every page, is remembered, and switches back", async ({ page, js }) => {
  await open(page, "/", js);
  const rootSize = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  const standard = await rootSize();
  await page.getByRole("link", { name: "大字模式" }).click();
  await expect(page.getByRole("link", { name: "标准模式" })).toBeVisible();
  expect(await rootSize()).toBeGreaterThanOrEqual(standard * 1.2);
  await expectNoHorizontalScroll(page);
  // Remembered on the next page, with every button at least 56 px tall.
  await open(page, "/track", js);
  await expect(page.getByRole("link", { name: "标准模式" })).toBeVisible();
  expect(await rootSize()).toBeGreaterThanOrEqual(standard * 1.2);
  await expectNoHorizontalScroll(page);
  await expectTapTargets(page, "main .button, main button", 56);
  await page.getByRole("link", { name: "标准模式" }).click();
  await expect(page.getByRole("link", { name: "大字模式" })).toBeVisible();
  expect(await rootSize()).toBe(standard);
  await expect(page).toHaveURL(/\/track/);
});
