import { test, expect, open, expectNoHorizontalScroll, expectTapTargets } from "../fixtures";

test("a citizen finds a matter by search and reads every material at once", async ({ page, js }) => {
  await open(page, "/matters", js);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("办事指南");
  await page.getByLabel("搜索事项").fill("二手房");
  await page.getByRole("button", { name: "搜索" }).click();
  await expect(page).toHaveURL(/q=/);
  await expect(page.getByText("共 2 项")).toBeVisible();
  await page.locator(".matter-link", { hasText: "二手房转移登记" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("二手房转移登记");
  await expect(page.getByRole("heading", { name: "一次性告知：需要准备的材料" })).toBeVisible();
  const items = page.locator(".checklist__item");
  await expect(items).toHaveCount(8);
  await expect(items.filter({ hasText: "已网签备案的存量房买卖合同" })).toContainText("必须提供");
  await expect(items.filter({ hasText: "交易税费完税凭证" })).toContainText("可容缺");
  await expectNoHorizontalScroll(page);
  await expectTapTargets(page, ".breadcrumb a, .notice .button");
});

test("the guided list leads to a combined matter with the union of its parts", async ({ page, js }) => {
  await open(page, "/matters", js);
  await page.getByRole("link", { name: "卖的房子还有贷款（带押过户）" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("带押过户（转移 + 抵押注销 + 新抵押）");
  await expect(page.getByRole("heading", { name: "本事项一并办理" })).toBeVisible();
  await expect(page.getByRole("link", { name: "抵押权注销登记" })).toBeVisible();
  // Each material once, though all three parts need the application form.
  await expect(page.locator('.checklist__item[data-material="application_form"]')).toHaveCount(1);
  await expect(page.locator(".checklist__item", { hasText: "抵押权人同意注销的证明" })).toBeVisible();
  await expect(page.locator(".checklist__item", { hasText: "借款合同" })).toBeVisible();
});

test("buyers see the risk notice on advance-notice matters", async ({ page, js }) => {
  await open(page, "/matters?family=700", js);
  await expect(page.getByText("共 3 项")).toBeVisible();
  // Only the chosen family's chip is marked current.
  await expect(page.locator('.chip[aria-current]')).toHaveCount(1);
  await expect(page.locator('.chip[aria-current="true"]')).toHaveAttribute("href", "/matters?family=700");
  await page.locator(".matter-link", { hasText: "双预告" }).click();
  const risk = page.getByRole("note");
  await expect(risk.getByRole("heading", { name: "风险提示（请买受人仔细阅读）" })).toBeVisible();
  await expect(risk).toContainText("九十日");
});

test("the service guide speaks English after the switch", async ({ page, js }) => {
  await open(page, "/matters/MORTGAGE-CANCEL", js);
  await page.getByRole("link", { name: "切换到英文" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cancellation of a mortgage");
  await expect(page.locator(".checklist__item", { hasText: "Mortgagee's release" })).toContainText("Required");
});
