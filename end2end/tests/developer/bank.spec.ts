import { test, expect, open, hydrated } from "../fixtures";
import { anotherPhone, codeFromOutbox, messageFromOutbox, signIn, uscc, USCC_ALPHABET } from "../steps";

// The mortgagee bank of a transfer with mortgage (带押过户), at phone size,
// JavaScript on and off: the bank registers as an organisation of kind
// "bank"; the centre's administrator verifies it; a buyer files the
// transfer naming the seller and the bank (by its credit code); the
// seller and the bank's administrator are each texted; the bank's
// administrator follows the text, signs in to the organisation's account,
// reads the whole application and confirms it; the clerk sees the bank
// confirmed "through the organisation's account" and the seller still
// waiting, and cannot pre-accept until the seller has confirmed too.

const ADMIN_PASSWORD = "e2e-admin-password";
const PASSWORD = "bank-secret-password-1";

function jpeg(seed: number): Buffer {
  const head = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", "binary")];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, 0x03, 0xe8, 0x05, 0x00, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sos = [0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00];
  return Buffer.concat([Buffer.from(head), Buffer.from(sof), Buffer.from(sos), Buffer.alloc(4000, seed % 255), Buffer.from([0xff, 0xd9])]);
}

test("the mortgagee bank confirms a transfer with mortgage in its own account", async ({ page, js, browser, baseURL }) => {
  test.setTimeout(180_000);
  const stamp = String(Date.now() % 10_000_000).padStart(7, "0");
  const bankAdmin = `139${js ? "5" : "6"}${stamp}`;
  const officer = `138${js ? "5" : "6"}${stamp}`;
  const buyer = `159${js ? "5" : "6"}${stamp}`;
  const seller = `137${js ? "5" : "6"}${stamp}`;
  const code = uscc(`91330200MA2${js ? "K" : "P"}${[...stamp.slice(-5)].map((d) => USCC_ALPHABET[Number(d) + 10]).join("")}`);
  const bankName = `明州银行${js ? "甲" : "乙"}${stamp}支行`;

  // The bank registers its organisation: kind "bank".
  await open(page, "/developer", js);
  await page.getByRole("link", { name: "注册单位" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("单位注册（开发企业、银行）");
  await page.getByLabel("银行（抵押权人）").check();
  await page.getByLabel("统一社会信用代码").fill(code);
  await page.getByLabel("单位名称").fill(bankName);
  await page.getByLabel("联系人（管理员）姓名").fill("钱经理");
  await page.getByLabel("联系人手机号（登录用）").fill(bankAdmin);
  await page.getByLabel("密码（至少 10 位）").fill(PASSWORD);
  await page.getByLabel("再次输入密码").fill(PASSWORD);
  await page.getByRole("button", { name: "提交注册" }).click();
  await expect(page.getByTestId("ok")).toContainText("注册已提交");

  // The centre's administrator verifies it, seeing it is a bank.
  const staff = await anotherPhone(browser, js, baseURL!);
  await staff.goto("/staff/signin");
  await staff.getByLabel("用户名").fill("admin");
  await staff.getByLabel("密码").fill(ADMIN_PASSWORD);
  await staff.getByRole("button", { name: "登录" }).click();
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText("账户管理");
  const clerkName = `bank-clerk-${js ? "js" : "nojs"}`;
  await staff.getByLabel("用户名").fill(clerkName);
  await staff.getByLabel("姓名").fill(clerkName);
  await staff.getByLabel("角色").selectOption("clerk");
  await staff.getByLabel("初始密码（至少 10 位）").fill("staff password 1");
  await staff.getByLabel("明州市不动产登记中心").check();
  await staff.getByRole("button", { name: "创建账户" }).click();
  await expect(staff.getByText("账户已创建。")).toBeVisible();
  await staff.goto("/staff/orgs");
  const card = staff.getByTestId("org").filter({ hasText: bankName });
  await expect(card).toContainText("银行");
  await card.getByTestId("verify").click();
  await expect(staff.getByTestId("org").filter({ hasText: bankName })).toContainText("已通过");

  // The buyer files the transfer with mortgage, naming the seller and the bank.
  await open(page, "/matters/TRANSFER-WITH-MORTGAGE", js);
  await page.getByTestId("start").click();
  await signIn(page, buyer);
  await hydrated(page, js);
  await page.getByRole("button", { name: "开始填写" }).click();
  await page.getByLabel("不动产单元号（28 位）").fill("320684413219GB00029F00010002");
  await page.getByLabel("坐落（地址）").fill("明州市海曙区望京路 8 号 3 幢 1201 室");
  await page.getByLabel("被担保主债权数额（元）").fill("900000");
  await page.getByRole("button", { name: "保存并继续" }).click();
  await page.locator("#party0_name").fill("赵六");
  await page.locator("#party0_id_number").fill("330203198501011238");
  await page.locator("#party0_mobile").fill(buyer);
  await page.locator("#party1_name").fill("王五");
  await page.locator("#party1_id_number").fill("330203196003033451");
  await page.locator("#party1_mobile").fill(seller);
  await page.locator("#party2_name").fill(bankName);
  await page.locator("#party2_id_type").selectOption("organisation");
  await page.locator("#party2_id_number").fill(code);
  await page.locator("#party2_mobile").fill(officer);
  await page.getByRole("button", { name: "保存并继续" }).click();
  await page.getByRole("button", { name: "保存并继续" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("材料清单");
  const first = page.locator(".checklist__items--form > li").first();
  await hydrated(page, js);
  await first.locator('input[type="file"]').setInputFiles({ name: "身份证.jpg", mimeType: "image/jpeg", buffer: jpeg(7) });
  if (!js) await first.getByRole("button", { name: "上传" }).click();
  await expect(page.getByText("文件已上传。")).toBeVisible();
  const boxes = page.locator(".checklist__items--form input[type=checkbox]");
  for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).check();
  await page.getByRole("button", { name: "保存并继续" }).click();
  await page.getByLabel(/本人承诺/).check();
  await page.getByRole("button", { name: "保存并继续" }).click();
  await page.getByRole("button", { name: "提交预申请" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("预申请已提交");
  const receipt = (await page.getByTestId("receipt").first().textContent())!.trim();

  // The seller is told as a named party; the bank's
  // administrator is told to confirm in the organisation's account.
  expect(await messageFromOutbox(page, seller, "party_named")).toContain(receipt);
  const told = await messageFromOutbox(page, bankAdmin, "party_named_org");
  expect(told).toContain(bankName);
  expect(told).toContain(receipt);
  expect(told).toContain("赵六");
  const link = new URL(/(https?:\/\/\S+\/developer\/cases\/[0-9a-f-]+)/.exec(told)![1]).pathname;

  // The bank's administrator follows the link on their phone: sign in first.
  const bank = await anotherPhone(browser, js, baseURL!);
  await bank.goto(link);
  await expect(bank.locator("main")).toContainText("请先登录单位账户");
  await bank.locator("main").getByRole("link", { name: "登录" }).click();
  await bank.getByLabel("手机号").fill(bankAdmin);
  await bank.getByLabel("密码").fill(PASSWORD);
  await bank.getByRole("button", { name: "下一步：短信验证码" }).click();
  await bank.getByLabel("6 位验证码").fill(await codeFromOutbox(bank, bankAdmin));
  await bank.getByRole("button", { name: "登录" }).click();
  // Signed in, the bank is back on the application the text pointed to.
  await expect(bank.getByRole("heading", { level: 1 })).toContainText("带押过户");
  await expect(bank.getByTestId("org-case-parties")).toContainText(bankName);
  await expect(bank.getByTestId("org-case-parties")).toContainText("王五");
  // The bank reads the secured amount it is confirming.
  await expect(bank.locator("main")).toContainText("被担保主债权数额");
  await expect(bank.locator("main")).toContainText("900000 元");
  await expect(bank.getByTestId("org-standing")).toContainText("待确认");
  await bank.getByTestId("org-confirm-button").click();
  await expect(bank.getByTestId("org-standing")).toContainText("已确认");
  await expect(bank.getByTestId("org-confirm").getByRole("status")).toContainText("本单位已确认");
  await expect(bank.getByTestId("org-confirm-button")).toHaveCount(0);
  // A bank's home lists the applications naming it (no projects or batches).
  await bank.goto("/developer");
  await expect(bank.getByRole("heading", { level: 1 })).toHaveText(bankName);
  const list = bank.getByTestId("org-cases");
  await expect(list).toContainText(receipt);
  await expect(list).toContainText("已确认");
  await expect(bank.locator("main")).not.toContainText("新建项目");
  await list.getByRole("link", { name: "带押过户" }).first().click();
  await expect(bank.getByTestId("org-standing")).toContainText("已确认");
  const width = await bank.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "no sideways scrolling").toBeLessThanOrEqual(390);
  await bank.context().close();

  // The clerk sees the bank confirmed through its account and the seller
  // still waiting: no pre-acceptance yet.
  await staff.goto("/staff/signin");
  await staff.getByLabel("用户名").fill(clerkName);
  await staff.getByLabel("密码").fill("staff password 1");
  await staff.getByRole("button", { name: "登录" }).click();
  await staff.getByRole("link", { name: receipt }).click();
  await expect(staff.getByTestId("party-2")).toContainText("已确认");
  await expect(staff.getByTestId("party-2")).toContainText("单位账户");
  await expect(staff.getByTestId("party-1")).toContainText("待确认");
  await staff.getByRole("button", { name: "领取案件" }).click();
  await staff.getByRole("button", { name: "预审通过", exact: true }).click();
  await expect(staff.getByRole("alert").first()).toContainText("还有当事人未确认");
  await staff.context().close();
});
