import { test, expect, open } from "../fixtures";

test.use({ allowNotFound: true });

test("an unknown address shows a clear not-found page with a way home", async ({ page, js }) => {
  const res = await open(page, "/no/such/page", js);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("页面不存在");
  await page.getByRole("link", { name: "返回首页" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("不动产登记，最多跑一次");
});
