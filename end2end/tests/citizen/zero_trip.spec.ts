import { test, expect, open, hydrated } from "../fixtures";
import { Page } from "@playwright/test";
import { anotherPhone, messageFromOutbox, signIn } from "../steps";

// 一次不用跑, at phone size with JavaScript on and off: the administrator
// sees that an advance notice is done without a visit and asks for a face
// check; a buyer files one naming the seller; the seller, on their own
// phone, cannot confirm before the identity service has checked them — a
// failed check changes nothing, a passed one lets them sign; the signed
// application form lists the signature and how it was verified; the clerk
// pre-accepts and accepts without anyone coming.

const ADMIN_PASSWORD = "e2e-admin-password";

async function staffSignIn(page: Page, username: string, password: string) {
  await page.goto("/staff/signin");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
}

test("a seller signs a zero-trip notice online after a face check; accepted without a visit", async ({ page, js, browser, baseURL }) => {
  test.setTimeout(180_000);
  const tag = js ? "js" : "nojs";
  const mobile = `159${js ? "1" : "2"}${String(Date.now() % 10_000_000).padStart(7, "0")}`;
  const sellerMobile = `135${js ? "1" : "2"}${String((Date.now() + 13) % 10_000_000).padStart(7, "0")}`;
  const unit = `320684413219GB00029F0002${js ? "0021" : "0022"}`;

  // The administrator: the notice is done without a visit, with a face check.
  await staffSignIn(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("账户管理");
  await page.goto("/staff/fees");
  const mode = page.getByTestId("mode-PRESALE-NOTICE");
  await expect(mode.getByLabel("办理方式")).toHaveValue("none");
  await expect(mode.getByLabel("网上确认的身份核验")).toHaveValue("2");
  await mode.getByRole("button", { name: "保存办理方式" }).click();
  // Saved (the page comes back with ok=mode) and unchanged.
  await page.waitForURL(/ok=mode/);
  await expect(page.getByTestId("mode-PRESALE-NOTICE").getByLabel("办理方式")).toHaveValue("none");
  await page.goto("/staff/admin");
  await page.getByLabel("用户名").fill(`zt-clerk-${tag}`);
  await page.getByLabel("姓名").fill(`zt-clerk-${tag}`);
  await page.getByLabel("角色").selectOption("clerk");
  await page.getByLabel("初始密码（至少 10 位）").fill("staff password 1");
  await page.getByLabel("明州市不动产登记中心").check();
  await page.getByRole("button", { name: "创建账户" }).click();
  await expect(page.getByText("账户已创建。")).toBeVisible();

  // The buyer files the notice naming the seller.
  await open(page, "/matters/PRESALE-NOTICE", js);
  await page.getByTestId("start").click();
  await signIn(page, mobile);
  await hydrated(page, js);
  await page.getByRole("button", { name: "开始填写" }).click();
  await page.getByLabel("不动产单元号（28 位）").fill(unit);
  await page.getByLabel("坐落（地址）").fill("明州市鄞州区天童南路 21 号");
  await page.getByRole("button", { name: "保存并继续" }).click();
  await page.locator("#party0_name").fill("张三");
  await page.locator("#party0_id_number").fill("330203198501011238");
  await page.locator("#party0_mobile").fill(mobile);
  await page.locator("#party1_name").fill("王五");
  await page.locator("#party1_id_number").fill("330203196003033451");
  await page.locator("#party1_mobile").fill(sellerMobile);
  await page.getByRole("button", { name: "保存并继续" }).click();
  await page.getByRole("button", { name: "保存并继续" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("材料清单");
  const boxes = page.locator(".checklist__items--form input[type=checkbox]");
  for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).check();
  await page.getByRole("button", { name: "保存并继续" }).click();
  await page.getByLabel(/本人承诺/).check();
  // An advance notice: the buyer reads and acknowledges the risk notice.
  await page.getByLabel("我已阅读并理解上述风险提示。").check();
  await page.getByRole("button", { name: "保存并继续" }).click();
  await page.getByRole("button", { name: "提交预申请" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("预申请已提交");
  const receipt = (await page.getByTestId("receipt").first().textContent())!.trim();
  // No visit: nobody sees the buyer sign at a window, so they sign too —
  // a face check, then their confirmation.
  await expect(page.locator("main")).toContainText("本事项无需到场");
  await expect(page.locator("main")).not.toContainText("只跑一次");
  await page.getByTestId("sign-yourself").getByRole("link", { name: "去核验并签名确认" }).click();
  await expect(page.getByTestId("identity-needed")).toContainText("人脸识别");
  await page.getByTestId("verify-identity").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("开发用实名核验");
  await page.getByRole("button", { name: "模拟核验通过 Pass" }).click();
  await page.getByTestId("confirm").click();
  await expect(page.getByTestId("my-standing")).toContainText("已确认");
  const told = await messageFromOutbox(page, sellerMobile, "party_named");
  const link = new URL(/(https?:\/\/\S+\/applications\/[0-9a-f-]+)/.exec(told)![1]).pathname;

  // The seller, on their own phone: no confirm button before the check.
  const seller = await anotherPhone(browser, js, baseURL!);
  await seller.goto(link);
  await seller.locator("main").getByRole("link", { name: "登录" }).click();
  await signIn(seller, sellerMobile);
  const panel = seller.getByTestId("confirm-panel");
  await expect(panel.getByTestId("identity-needed")).toContainText("人脸识别");
  await expect(seller.getByTestId("confirm")).toHaveCount(0);
  // A failed check changes nothing.
  await seller.getByTestId("verify-identity").click();
  await expect(seller.getByRole("heading", { level: 1 })).toHaveText("开发用实名核验");
  await expect(seller.locator("main")).toContainText("王*");
  await expect(seller.locator("main")).not.toContainText("330203196003033451");
  await seller.getByRole("button", { name: "模拟核验不通过 Fail" }).click();
  await expect(seller.getByTestId("identity-needed")).toBeVisible();
  await expect(seller.getByTestId("confirm")).toHaveCount(0);
  // A passed one lets them sign.
  await seller.getByTestId("verify-identity").click();
  await seller.getByRole("button", { name: "模拟核验通过 Pass" }).click();
  await expect(seller.getByTestId("identity-needed")).toHaveCount(0);
  await seller.getByTestId("confirm").click();
  await expect(seller.getByTestId("my-standing")).toContainText("已确认");
  // The signed form lists the signature and how it was verified.
  const form = await seller.request.get((await seller.getByTestId("signed-form").getAttribute("href"))! + ".json");
  expect(form.status()).toBe(200);
  const statement = JSON.parse((await form.json()).statement);
  const signer = statement.signers.find((s: { name: string }) => s.name === "王五");
  expect(signer.identity_level).toBe(2);
  expect(signer.identity_method).toBe("face");
  expect(signer.counts).toBe(true);
  const buyerSig = statement.signers.find((s: { name: string }) => s.name === "张三");
  expect(buyerSig.identity_method).toBe("face");
  const pdf = await seller.request.get((await seller.getByTestId("signed-form").getAttribute("href"))!);
  expect(pdf.status()).toBe(200);
  expect((await pdf.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");
  await seller.context().close();

  // The clerk pre-accepts and accepts: nobody comes to a window.
  await staffSignIn(page, `zt-clerk-${tag}`, "staff password 1");
  await page.getByRole("link", { name: receipt }).click();
  await page.getByRole("button", { name: "领取案件" }).click();
  await page.getByRole("button", { name: "预审通过", exact: true }).click();
  await expect(page.getByTestId("stage")).toHaveText("预审通过");
  await expect(page.getByTestId("visit")).toHaveCount(0);
  await page.getByRole("button", { name: "正式受理", exact: true }).click();
  await expect(page.getByTestId("stage")).toHaveText("已受理");
  const accepted = await messageFromOutbox(page, mobile, "case_event");
  expect(accepted).toContain("正式受理");
});
