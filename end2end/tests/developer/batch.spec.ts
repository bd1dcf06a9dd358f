import { test, expect, open } from "../fixtures";
import { Page } from "@playwright/test";
import { codeFromOutbox } from "../steps";
import { readFileSync } from "node:fs";

// A developer's bulk filing at phone size, JavaScript on and off: the
// developer's administrator registers; the centre's administrator verifies
// the organisation; the developer adds a project with its unit list, uploads
// a 200-row dual-notice sheet with 8 bad rows (one a formula), downloads the error report,
// uploads only the 8 fixed rows, and submits the batch; a clerk passes the
// batch; one buyer tracks their unit's case at /track.

const ADMIN_PASSWORD = "e2e-admin-password";
const PASSWORD = "developer-secret-1";
const BANK = "91350100M000100Y43";
const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

function uscc(body: string): string {
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...body].reduce((s, c, i) => s + USCC_ALPHABET.indexOf(c) * w[i], 0);
  return body + USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

function residentId(seq: number): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const body = `33020319850101${String(seq % 1000).padStart(3, "0")}`;
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i], 0);
  return body + "10X98765432"[sum % 11];
}

// Units of building `b` of a parcel unique to this run.
function unit(parcel: string, n: number): string {
  return `320684413219GB${parcel}F0001${String(n).padStart(4, "0")}`;
}

const HEADERS = "不动产单元号,买受人姓名,买受人身份证号,买受人手机号,购房合同备案号,成交价（元）,贷款金额（元）,抵押权人统一社会信用代码,借款合同号";

function row(parcel: string, n: number): string[] {
  const mobile = `136${parcel}${String(n).padStart(3, "0")}`.slice(0, 11);
  return [unit(parcel, n), `买受人${n}`, residentId(n), mobile, `YS2026-${String(n).padStart(6, "0")}`, String(1_000_000 + n * 1000), "600000", BANK, `JK-${n}`];
}

const csv = (rows: string[][]) => Buffer.from("\ufeff" + [HEADERS, ...rows.map((r) => r.join(","))].join("\r\n") + "\r\n", "utf8");

async function uploadSheet(page: Page, name: string, body: Buffer) {
  await page.getByLabel("选择填好的表格").setInputFiles({ name, mimeType: "text/csv", buffer: body });
  await page.getByRole("button", { name: "上传并检查" }).click();
  await expect(page.getByTestId("upload-result").first()).toBeVisible({ timeout: 20_000 });
}

test("a developer files 200 units, fixes the 8 bad rows from the error report, and submits", async ({ page, js }) => {
  test.setTimeout(120_000);
  const stamp = String(Date.now() % 10_000_000).padStart(7, "0");
  const mobile = `139${js ? "1" : "2"}${stamp}`;
  const parcel = `${js ? "1" : "2"}${stamp.slice(-4)}`;
  const code = uscc(`91330200MA2${js ? "J" : "N"}${[...stamp.slice(-5)].map((d) => USCC_ALPHABET[Number(d) + 10]).join("")}`);
  const orgName = `甬江置业${js ? "甲" : "乙"}${stamp}`;

  // Register: a wrong check character is named next to its field first.
  await open(page, "/developer", js);
  await page.getByRole("link", { name: "注册单位" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("单位注册（开发企业、银行）");
  const wrong = code.slice(0, 17) + (code.endsWith("0") ? "1" : "0");
  await page.getByLabel("统一社会信用代码").fill(wrong);
  await page.getByLabel("单位名称").fill(orgName);
  await page.getByLabel("联系人（管理员）姓名").fill("赵经理");
  await page.getByLabel("联系人手机号（登录用）").fill(mobile);
  await page.getByLabel("密码（至少 10 位）").fill(PASSWORD);
  await page.getByLabel("再次输入密码").fill(PASSWORD);
  await page.getByRole("button", { name: "提交注册" }).click();
  await expect(page.locator("#credit_code-error")).toContainText("校验");
  await expect(page.getByLabel("单位名称")).toHaveValue(orgName);
  await page.getByLabel("统一社会信用代码").fill(code);
  await page.getByLabel("联系人（管理员）姓名").fill("赵经理");
  await page.getByLabel("联系人手机号（登录用）").fill(mobile);
  await page.getByLabel("密码（至少 10 位）").fill(PASSWORD);
  await page.getByLabel("再次输入密码").fill(PASSWORD);
  await page.getByRole("button", { name: "提交注册" }).click();
  await expect(page.getByTestId("ok")).toContainText("注册已提交");

  // Sign in: password, then the texted code.
  await page.getByLabel("手机号").fill(mobile);
  await page.getByLabel("密码").fill(PASSWORD);
  await page.getByRole("button", { name: "下一步：短信验证码" }).click();
  await page.getByLabel("6 位验证码").fill(await codeFromOutbox(page, mobile));
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(orgName);
  await expect(page.getByTestId("org-status")).toContainText("正在审核");

  // The centre's administrator verifies it (another browser context: staff).
  const staff = await page.context().browser()!.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: js });
  const admin = await staff.newPage();
  await admin.goto(new URL("/staff/signin", page.url()).href);
  await admin.getByLabel("用户名").fill("admin");
  await admin.getByLabel("密码").fill(ADMIN_PASSWORD);
  await admin.getByRole("button", { name: "登录" }).click();
  await admin.goto(new URL("/staff/orgs", page.url()).href);
  const card = admin.getByTestId("org").filter({ hasText: orgName });
  await card.getByTestId("verify").click();
  await expect(admin.getByTestId("org").filter({ hasText: orgName })).toContainText("已通过");
  await staff.close();

  // A project and its unit list (201 units: one more than the batch uses).
  await open(page, "/developer", js);
  await expect(page.getByTestId("org-status")).toContainText("已通过审核");
  await page.getByText("新建项目").click();
  // Sent empty, the form comes back saying what is missing (the error rides
  // in the query, before the page's #projects fragment, so the page sees it).
  await page.getByRole("button", { name: "建立项目" }).click();
  await expect(page.locator(".error-summary")).toContainText("请填写项目名称（100 字以内）。");
  await expect(page.locator(".error-summary")).toContainText("请填写项目坐落（200 字以内）。");
  await expect(page.getByLabel("项目名称")).toBeVisible();
  await page.getByLabel("项目名称").fill("江景苑一期");
  await page.getByLabel("项目坐落").fill("宁波市江北区江景路 1 号");
  await page.getByRole("button", { name: "建立项目" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("江景苑一期");
  const units = ["楼栋,不动产单元号,所在层,建筑面积（平方米）,房屋用途"];
  for (let n = 1; n <= 201; n++) units.push(`1号楼,${unit(parcel, n)},${Math.ceil(n / 4)},89.50,住宅`);
  await uploadSheet(page, "楼盘表.csv", Buffer.from(units.join("\n"), "utf8"));
  await expect(page.getByTestId("accepted").first()).toHaveText(/201/);
  await expect(page.getByTestId("unit-count")).toHaveText("共 201 户");

  // A dual-notice batch: 200 rows, 8 of them bad.
  await page.getByLabel("申报事项").selectOption("dual_notice");
  await page.getByRole("button", { name: "新建批次" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("批次");
  const rows = Array.from({ length: 200 }, (_, i) => row(parcel, i + 1));
  const bad = [5, 30, 61, 90, 120, 150, 170, 199];
  rows[5][2] = "4.40103E+17"; // Excel's damage
  rows[30][2] = residentId(31).slice(0, 17); // the lost X / last digit
  rows[61][5] = "0"; // no price
  rows[90][6] = ""; // loan amount missing
  rows[120][0] = unit(parcel, 9999); // not in the project
  rows[150][4] = "合同"; // contract number format
  rows[170][1] = "=1+2"; // a formula where a name belongs
  rows[199][7] = "91350100M000100Y44"; // bank's code checksum
  await uploadSheet(page, "双预告.csv", csv(rows));
  await expect(page.getByTestId("accepted").first()).toHaveText(/192/);
  await expect(page.getByTestId("failed").first()).toHaveText(/8/);
  await expect(page.getByTestId("row-errors").first().locator("tr")).toHaveCount(8);
  await expect(page.getByTestId("row-errors").first()).toContainText("Excel");
  await expect(page.getByTestId("row-errors").first()).toContainText("第 172 行");
  await expect(page.getByTestId("row-errors").first()).toContainText("买受人姓名");
  await expect(page.getByTestId("line-count")).toHaveText("共 192 户");
  // On a phone the lines are cards: nothing pushes the page sideways, and
  // each line's "remove" is on screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const removeBox = await page.getByTestId("line").first().getByRole("button", { name: "移出" }).boundingBox();
  expect(removeBox!.x + removeBox!.width).toBeLessThanOrEqual(390);
  expect(removeBox!.height).toBeGreaterThanOrEqual(44);

  // The error report is a real workbook.
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: /下载错误报告/ }).first().click();
  const report = await downloading;
  expect(report.suggestedFilename()).toMatch(/\.xlsx$/);
  const bytes = readFileSync((await report.path())!);
  expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");

  // Fix only the 8 rows and upload them: nothing doubles.
  const fixed = bad.map((i) => row(parcel, i + 1));
  fixed[4] = row(parcel, 201);
  await uploadSheet(page, "改正.csv", csv(fixed));
  await expect(page.getByTestId("accepted").first()).toHaveText(/8/);
  await expect(page.getByTestId("failed").first()).toHaveText(/0/);
  await expect(page.getByTestId("line-count")).toHaveText("共 200 户");

  await page.getByTestId("submit-batch").click();
  await expect(page.getByTestId("ok")).toContainText("已提交预审");
  await expect(page.getByTestId("batch-status")).toContainText("已提交");
  await expect(page.getByRole("button", { name: "上传并检查" })).toHaveCount(0);
  const firstLine = page.getByTestId("line").filter({ hasText: unit(parcel, 1) });
  const receipt = ((await firstLine.getByTestId("receipt").textContent()) ?? "").trim();
  expect(receipt).toMatch(/^\d{6}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);

  // A clerk of the main centre passes every clean unit in one step.
  const clerkCtx = await page.context().browser()!.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: js });
  const clerk = await clerkCtx.newPage();
  const at = (path: string) => new URL(path, page.url()).href;
  await clerk.goto(at("/staff/signin"));
  await clerk.getByLabel("用户名").fill("admin");
  await clerk.getByLabel("密码").fill(ADMIN_PASSWORD);
  await clerk.getByRole("button", { name: "登录" }).click();
  const clerkName = `batch${js ? "j" : "n"}${stamp}`;
  await expect(clerk.getByRole("heading", { level: 1 })).toHaveText("账户管理");
  await clerk.getByLabel("用户名").fill(clerkName);
  await clerk.getByLabel("姓名").fill("批量窗口");
  await clerk.getByLabel("角色").selectOption("clerk");
  await clerk.getByLabel("初始密码（至少 10 位）").fill("clerk-password-1");
  await clerk.getByLabel("明州市不动产登记中心").check();
  await clerk.getByRole("button", { name: "创建账户" }).click();
  await expect(clerk.getByText("账户已创建。")).toBeVisible();
  await clerk.goto(at("/staff/signin"));
  await clerk.getByLabel("用户名").fill(clerkName);
  await clerk.getByLabel("密码").fill("clerk-password-1");
  await clerk.getByRole("button", { name: "登录" }).click();
  await clerk.goto(at("/staff/batches"));
  await clerk.getByTestId("staff-batch").filter({ hasText: orgName }).getByRole("link").first().click();
  await expect(clerk.getByTestId("review-summary")).toContainText("待预审 200 户");
  await clerk.getByTestId("pass-clean").click();
  await expect(clerk.getByTestId("review-ok")).toContainText("已通过 200 户");
  await clerkCtx.close();

  // The developer sees every unit passed.
  await page.reload();
  await expect(page.getByTestId("batch-status")).toContainText("已预审");
  await expect(firstLine).toContainText("预审通过");

  // The buyer follows their unit's case with the receipt and the last 6 of their ID.
  const buyer = await page.context().browser()!.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: js });
  const b = await buyer.newPage();
  await b.goto(at("/track"));
  await b.getByLabel("回执号").fill(receipt);
  await b.getByLabel("身份证后 6 位或手机号").fill(residentId(1).slice(-6));
  await b.getByRole("button", { name: "查询" }).click();
  await expect(b.getByTestId("track-result").getByTestId("status")).toHaveText("已受理");
  await buyer.close();
});
