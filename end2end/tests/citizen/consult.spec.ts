import { test, expect, open, expectTapTargets } from "../fixtures";
import { signIn } from "../steps";

// A person with no case yet books a consultation at a town office's window,
// at phone size, with JavaScript on and off: what it is about, a free time,
// the code; then cancels it.
test("a consultation is booked without a case, then cancelled", async ({ page, js }) => {
  const mobile = `157${js ? "1" : "2"}${String(Date.now() % 10_000_000).padStart(7, "0")}`;
  await open(page, "/", js);
  await page.getByTestId("consult-link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("预约咨询");
  await page.locator("main").getByRole("link", { name: "登录", exact: true }).click();
  await signIn(page, mobile);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("预约咨询");
  const site = js ? "TOWN-QS" : "TOWN-BS";
  await page.getByLabel("办理点").selectOption(site);
  await page.getByRole("button", { name: "查看该办理点的时段" }).click();
  await expectTapTargets(page, ".slot");
  await page.locator(".slot").first().click();
  await page.getByLabel("想咨询什么").fill("继承父母的房子要带哪些材料");
  await page.getByTestId("consult-book").click();
  await expect(page.getByTestId("consult-ok")).toContainText("预约成功");
  const mine = page.getByTestId("consultations");
  await expect(mine).toContainText(/[3-9A-Y]{8}/);
  await mine.getByRole("button", { name: "取消" }).click();
  await expect(page.getByTestId("consult-ok")).toContainText("已取消");
  await expect(page.getByTestId("consultations")).toHaveCount(0);
});
