import { test, expect, open, expectTapTargets, hydrated } from "../fixtures";
import { Page } from "@playwright/test";
import { anotherPhone, messageFromOutbox, signIn } from "../steps";

// The whole life of a case, at phone size, with JavaScript on and off: a
// citizen submits the sale of a flat owned by two sellers; each seller is
// texted at once; the administrator creates a clerk and a reviewer; the
// clerk takes the case and returns it with two items; the citizen fixes
// exactly those and resubmits; the clerk cannot pre-accept before both
// sellers have confirmed; each seller signs in on their own phone, reads
// the application and confirms; the clerk pre-accepts; the citizen books
// (and moves, and cancels) a visit, then asks for a home visit; the clerk
// cannot accept before the visit is recorded with all three present,
// records it, accepts; the case goes to the reviewers' queue by itself, the
// reviewer reviews and registers, it comes back to the clerks for the
// certificate; the clerk issues; the citizen's timeline shows every step
// and the issue text says where to collect.

const ADMIN_PASSWORD = "e2e-admin-password";

function pngBytes(seed: number): Buffer {
  // A tiny valid PNG header with unique filler (the server checks type by content).
  const head = Buffer.from("89504e470d0a1a0a0000000d49484452000000100000001008020000000000000000", "hex");
  const iend = Buffer.from("0000000049454e44ae426082", "hex");
  return Buffer.concat([head, Buffer.from([seed % 256, 1, 2, 3]), iend]);
}

function jpeg(seed: number): Buffer {
  const head = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", "binary")];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, 0x03, 0xe8, 0x05, 0x00, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sos = [0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00];
  return Buffer.concat([Buffer.from(head), Buffer.from(sof), Buffer.from(sos), Buffer.alloc(4000, seed % 255), Buffer.from([0xff, 0xd9])]);
}


async function staffSignIn(page: Page, username: string, password: string) {
  await page.goto("/staff/signin");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
}

async function act(page: Page, name: string, stage: string) {
  await page.getByRole("button", { name, exact: true }).click();
  await expect(page.getByTestId("stage")).toHaveText(stage);
}

// A letter link opens a real PDF (for whoever follows it: same cookies).
async function expectPdf(page: Page, testId: string) {
  const link = page.getByTestId(testId);
  await expect(link).toBeVisible();
  const res = await page.request.get((await link.getAttribute("href"))!);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toBe("application/pdf");
  expect((await res.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");
}

test("a case goes from submission through one correction to issue", async ({ page, js, browser, baseURL }) => {
  test.setTimeout(240_000);
  const tag = js ? "js" : "nojs";
  const mobile = `158${js ? "1" : "2"}${String(Date.now() % 10_000_000).padStart(7, "0")}`;
  const sellerMobile = `137${js ? "1" : "2"}${String((Date.now() + 17) % 10_000_000).padStart(7, "0")}`;
  const seller2Mobile = `136${js ? "1" : "2"}${String((Date.now() + 29) % 10_000_000).padStart(7, "0")}`;
  // Each variant its own flat: an issued certificate supersedes the unit's earlier one.
  const unit = `320684413219GB00029F0001${js ? "0002" : "0012"}`;

  // The citizen files and submits with one document.
  await open(page, "/matters/RESALE-TRANSFER", js);
  await page.getByTestId("start").click();
  await signIn(page, mobile);
  await hydrated(page, js);
  await page.getByRole("button", { name: "开始填写" }).click();
  await page.getByLabel("不动产单元号（28 位）").fill(unit);
  await page.getByLabel("坐落（地址）").fill("明州市鄞州区天童南路 1 号");
  await page.getByRole("button", { name: "保存并继续" }).click();
  await page.locator("#party0_name").fill("张三");
  await page.locator("#party0_id_number").fill("330203198501011238");
  await page.locator("#party0_mobile").fill(mobile);
  await page.locator("#party1_name").fill("王五");
  await page.locator("#party1_id_number").fill("330203196003033451");
  await page.locator("#party1_mobile").fill(sellerMobile);
  // The flat has two owners: both sell.
  await page.getByRole("button", { name: "＋ 添加义务人（卖方、转让人）" }).click();
  await expect(page.locator("#party1_mobile")).toHaveValue(sellerMobile);
  await page.locator("#party2_name").fill("李四");
  await page.locator("#party2_id_number").fill("330203196205051236");
  await page.locator("#party2_mobile").fill(seller2Mobile);
  await page.getByRole("button", { name: "保存并继续" }).click();
  await page.getByRole("button", { name: "保存并继续" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("材料清单");
  const first = page.locator(".checklist__items--form > li").first();
  await hydrated(page, js);
  await first.locator('input[type="file"]').setInputFiles({ name: "身份证.jpg", mimeType: "image/jpeg", buffer: jpeg(1) });
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

  // Each seller is told at once who filed what, for which flat, and where to confirm.
  const links: string[] = [];
  for (const m of [sellerMobile, seller2Mobile]) {
    const told = await messageFromOutbox(page, m, "party_named");
    expect(told).toContain("张三");
    expect(told).toContain(receipt);
    expect(told).toContain(unit);
    expect(told).toContain("异议");
    links.push(new URL(/(https?:\/\/\S+\/applications\/[0-9a-f-]+)/.exec(told)![1]).pathname);
  }

  // The administrator creates a clerk and a reviewer for the main centre.
  await staffSignIn(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("账户管理");
  for (const [username, role] of [
    [`clerk-${tag}`, "clerk"],
    [`reviewer-${tag}`, "reviewer"],
    [`sup-${tag}`, "supervisor"],
  ]) {
    await page.getByLabel("用户名").fill(username);
    await page.getByLabel("姓名").fill(username);
    await page.getByLabel("角色").selectOption(role);
    await page.getByLabel("初始密码（至少 10 位）").fill("staff password 1");
    await page.getByLabel("明州市不动产登记中心").check();
    await page.getByRole("button", { name: "创建账户" }).click();
    await expect(page.getByText("账户已创建。")).toBeVisible();
  }

  // The clerk finds the case in the pre-review queue, takes it and returns
  // it with two items.
  await staffSignIn(page, `clerk-${tag}`, "staff password 1");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("预审与办件");
  await page.getByRole("link", { name: receipt }).click();
  await expect(page.getByTestId("stage")).toHaveText("已提交，待预审");
  await expect(page.getByTestId("check-id_checksums")).toContainText("通过");
  await page.getByRole("button", { name: "领取案件" }).click();
  await expect(page.getByTestId("assignee")).toHaveText(`clerk-${tag}`);
  const items = page.locator(".return-item");
  const firstName = (await items.nth(0).locator("legend").textContent())!.trim();
  const secondName = (await items.nth(1).locator("legend").textContent())!.trim();
  await items.nth(0).getByRole("checkbox").check();
  await items.nth(0).getByLabel("原因").selectOption("unclear");
  await items.nth(1).getByRole("checkbox").check();
  await items.nth(1).getByLabel("原因").selectOption("other");
  await items.nth(1).getByLabel("说明（可选）").fill("请上传盖章页");
  await page.getByRole("button", { name: "发送补正通知" }).click();
  await expect(page.getByTestId("stage")).toHaveText("退回补正");
  await expectPdf(page, "letter-correction");

  // The citizen sees the two items, fixes exactly those, resubmits.
  await page.goto("/me");
  await page.getByRole("link", { name: new RegExp(receipt) }).first().click();
  await expect(page.getByTestId("status")).toHaveText("退回补正");
  const correction = page.locator(".correction");
  await expect(correction.locator(".notice-item")).toHaveCount(2);
  await expect(correction).toContainText("照片不清晰");
  await expect(correction).toContainText("请上传盖章页");
  await expectPdf(page, "letter-correction");
  for (let i = 0; i < 2; i++) {
    const item = correction.locator(".notice-item").nth(i);
    await item.locator('input[type="file"]').setInputFiles({ name: `补正${i + 1}.png`, mimeType: "image/png", buffer: pngBytes(i + 10) });
    await item.getByRole("button", { name: "上传" }).click();
    await expect(page.locator(".correction .notice-item").nth(i)).toContainText("已上传新文件");
  }
  await page.getByRole("button", { name: "补正完毕，重新提交" }).click();
  await expect(page.getByTestId("status")).toHaveText("已提交，待预审");

  // The clerk sees what changed; the seller has not confirmed, so the case
  // cannot be pre-accepted yet.
  await staffSignIn(page, `clerk-${tag}`, "staff password 1");
  await page.getByRole("link", { name: receipt }).click();
  const notice = page.getByTestId("notice");
  await expect(notice).toContainText(firstName);
  await expect(notice).toContainText("新增：补正1.png");
  await expect(notice).toContainText(secondName);
  await expect(notice).toContainText("新增：补正2.png");
  const caseUrl = page.url();
  await expect(page.getByTestId("party-1")).toContainText("待确认");
  await expect(page.getByTestId("party-2")).toContainText("待确认");
  await page.getByRole("button", { name: "预审通过", exact: true }).click();
  await expect(page.getByRole("alert").first()).toContainText("还有当事人未确认");
  await expect(page.getByTestId("stage")).toHaveText("已提交，待预审");

  // Each seller, on their own phone, follows the link, signs in with their
  // number, reads the application and confirms it.
  for (const [i, m] of [sellerMobile, seller2Mobile].entries()) {
    const seller = await anotherPhone(browser, js, baseURL!);
    await seller.goto(links[i]);
    await seller.locator("main").getByRole("link", { name: "登录" }).click();
    await signIn(seller, m);
    const panel = seller.getByTestId("confirm-panel");
    await expect(panel).toContainText("请您确认这份申请");
    await expect(panel).toContainText(unit);
    await expect(seller.getByTestId("my-standing")).toContainText("待确认");
    await seller.getByTestId("confirm").click();
    await expect(seller.getByTestId("my-standing")).toContainText("已确认");
    await expect(panel.getByRole("status")).toContainText("您已确认");
    await seller.context().close();
    if (i === 0) {
      // One of two is not enough.
      await page.goto(caseUrl);
      await expect(page.getByTestId("party-1")).toContainText("已确认");
      await page.getByRole("button", { name: "预审通过", exact: true }).click();
      await expect(page.getByRole("alert").first()).toContainText("还有当事人未确认");
    }
  }

  // Now the clerk pre-accepts.
  await page.goto(caseUrl);
  await expect(page.getByTestId("party-1")).toContainText("已确认");
  await expect(page.getByTestId("party-2")).toContainText("已确认");
  await act(page, "预审通过", "预审通过");
  // The applicant is told what to do next, and who must come.
  const next = await messageFromOutbox(page, mobile, "case_event");
  expect(next).toContain("预约到场");
  expect(next).toContain("全体当事人");

  // Pre-accepted: the citizen books a visit, adds it to the phone's
  // calendar, moves it and cancels it; the clerk's day view follows.
  await page.goto("/me");
  await page.getByRole("link", { name: new RegExp(receipt) }).first().click();
  await page.getByTestId("book-link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("预约到场办理");
  await expectTapTargets(page, ".slot");
  await page.locator(".slot").first().click();
  await page.getByTestId("book").click();
  const when = page.getByTestId("booking-when");
  await expect(when).toBeVisible();
  const booked = (await when.textContent())!.trim();
  const code = (await page.getByTestId("booking-code").textContent())!.trim();
  // The QR code beside the booking code is a real SVG image.
  const qr = await page.request.get((await page.getByTestId("booking-qr").getAttribute("src"))!);
  expect(qr.status()).toBe(200);
  expect(qr.headers()["content-type"]).toBe("image/svg+xml");
  expect(await qr.text()).toContain("<svg");
  const ics = await page.request.get((await page.getByTestId("booking-ics").getAttribute("href"))!);
  expect(ics.status()).toBe(200);
  expect(ics.headers()["content-type"]).toContain("text/calendar");
  expect(await ics.text()).toContain("BEGIN:VEVENT");
  await page.getByRole("link", { name: "改约" }).click();
  await expect(page.getByTestId("current-booking")).toContainText(booked);
  // Working days on offer, for the home visit below: one after today.
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  // One screen: a strip of days, the chosen day's times, the button below.
  const offered = await page.getByTestId("day-strip").locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("data-day")!));
  expect(offered.length).toBeGreaterThan(1);
  const visitDay = offered.find((d) => d > today)!;
  await page.getByTestId("day-strip").locator(`a[data-day="${offered[1]}"]`).click();
  await expect(page.getByTestId("day-strip").locator("[aria-current=date]")).toHaveAttribute("data-day", offered[1]);
  await page.locator(".slot").first().click();
  await expect(page.getByTestId("book")).toBeInViewport();
  await page.getByTestId("book").click();
  await expect(when).toBeVisible();
  await expect(when).not.toHaveText(booked);
  const moved = (await when.textContent())!.trim();
  const movedCode = (await page.getByTestId("booking-code").textContent())!.trim();
  const visitsUrl = `/staff/bookings?site=MAIN&day=${moved.slice(0, 10)}`;
  await page.goto(visitsUrl);
  await expect(page.getByTestId("visits")).toContainText(movedCode);
  await expect(page.getByTestId("visits")).toContainText(moved.slice(11, 16));
  await page.goto("/me");
  await page.getByRole("link", { name: new RegExp(receipt) }).first().click();
  await page.getByRole("button", { name: "取消预约" }).click();
  await expect(page.getByTestId("book-link")).toBeVisible();
  await page.goto(visitsUrl);
  await expect(page.locator("main")).not.toContainText(movedCode);

  // Cannot come after all: the applicant asks for a home visit, the clerk
  // schedules it for herself, it is in her day plan, the applicant sees it.
  await page.goto("/me");
  await page.getByRole("link", { name: new RegExp(receipt) }).first().click();
  await page.getByTestId("home-visit-link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("申请上门服务");
  await page.getByLabel("年满 80 周岁").check();
  await page.getByLabel("情况说明").fill("今年 86 岁，腿脚不便");
  await page.getByLabel("上门地址").fill("东湖区湖滨路 12 号 3 幢 201 室");
  await page.getByLabel("首选日期").fill(visitDay);
  await page.getByTestId("home-visit-submit").click();
  await expect(page.getByTestId("home-visit-when")).toContainText(visitDay);
  await page.goto(`/staff/bookings?site=MAIN&day=${visitDay}`);
  const request = page.getByTestId("home-waiting").locator("li", { hasText: receipt });
  await expect(request).toContainText("年满 80 周岁");
  await request.getByLabel("时间").fill(js ? "09:30" : "10:30");
  await request.getByRole("button", { name: "安排上门" }).click();
  await expect(page.getByTestId("day-ok")).toContainText("已安排上门服务");
  const planned = page.getByTestId("home-day").locator("li", { hasText: receipt });
  await expect(planned).toContainText(`${visitDay} ${js ? "09:30" : "10:30"}`);
  await expect(planned.getByTestId("mine")).toBeVisible();
  await page.goto("/me");
  await page.getByRole("link", { name: new RegExp(receipt) }).first().click();
  await expect(page.getByTestId("home-visit-when")).toContainText(`已安排上门：${visitDay}`);

  // Nobody has been seen at the window yet: no acceptance.
  await page.goto(caseUrl);
  await page.getByRole("button", { name: "正式受理", exact: true }).click();
  await expect(page.getByRole("alert").first()).toContainText("尚未登记全部当事人到场");
  await expect(page.getByTestId("stage")).toHaveText("预审通过");
  // The clerk records the visit with all three parties present, ID checked.
  const visit = page.getByTestId("visit");
  const present = visit.getByRole("checkbox");
  await expect(present).toHaveCount(3);
  for (let i = 0; i < 3; i++) await present.nth(i).check();
  await visit.getByRole("button", { name: "登记到场" }).click();
  await expect(page.getByRole("status").first()).toContainText("已登记到场");
  await expect(page.getByTestId("visits")).toContainText("张三、王五、李四");
  await act(page, "正式受理", "已受理");
  await expect(page.getByTestId("case-no")).toContainText("-MAIN-");
  // A 60-minute matter is due to the minute. Waiting on the applicant, the
  // clerk stops the clock (nothing else can move it), then restarts it.
  await expect(page.getByTestId("due")).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  await page.locator("#reason-pause").fill("请携带抵押权人同意注销的证明原件");
  await page.getByRole("button", { name: "暂停计时", exact: true }).click();
  await expect(page.getByTestId("paused")).toContainText("等待申请人");
  await expect(page.getByRole("button", { name: "提交审核" })).toHaveCount(0);
  await page.getByRole("button", { name: "恢复计时（申请人已补充）" }).click();
  await expect(page.getByTestId("paused")).toHaveCount(0);
  await expect(page.getByTestId("due")).toContainText(/\d{2}:\d{2}/);
  // Sending it to review hands it to the reviewers' queue.
  await act(page, "提交审核", "审核中");
  await expect(page.getByTestId("assignee")).toHaveText("—");
  await expect(page.getByRole("button", { name: "领取案件" })).toBeVisible();

  // The reviewer lands on the review queue, reviews and registers.
  await staffSignIn(page, `reviewer-${tag}`, "staff password 1");
  await expect(page.locator(".queue-tabs [aria-current=page]")).toHaveText("审核中");
  await page.getByRole("link", { name: receipt }).click();
  await page.getByRole("button", { name: "领取案件" }).click();
  await act(page, "审核通过", "待登簿");
  await act(page, "登簿完成", "待缮证");
  // Back to the clerks for the certificate.
  await expect(page.getByRole("button", { name: "领取案件" })).toBeVisible();

  // The clerk takes the fee and issues.
  await staffSignIn(page, `clerk-${tag}`, "staff password 1");
  await page.getByRole("link", { name: "待缮证", exact: true }).click();
  await page.getByRole("link", { name: receipt }).click();
  await page.getByRole("button", { name: "领取案件" }).click();
  // Fees paid: the table from the catalogue, the amount received recorded.
  const feeForm = page.getByTestId("fee-form");
  const due = (await feeForm.getByTestId("fee-residential").textContent())!.replace(/[^\d.]/g, "");
  await feeForm.getByLabel("房屋用途").selectOption("residential");
  await feeForm.getByLabel("缴费方式").selectOption("wechat");
  await feeForm.getByLabel("实收金额（元）").fill("1");
  await feeForm.getByRole("button", { name: "已缴费" }).click();
  await expect(page.getByRole("alert").first()).toContainText("实收金额与按收费标准计算的应收金额不符");
  // The applicant would rather pay on the phone: the clerk issues a
  // payment order instead; the window's form goes away.
  const order = page.getByTestId("order-form");
  await order.getByLabel("房屋用途").selectOption("residential");
  await order.getByRole("button", { name: "开具缴费单并通知申请人" }).click();
  await expect(page.getByRole("status").first()).toContainText("已开具缴费单");
  await expect(page.getByTestId("payment-status")).toHaveText("待缴费");
  await expect(page.getByTestId("fee-form")).toHaveCount(0);
  // Nobody can mark it paid on the applicant's word while it is unpaid.
  await expect(page.getByRole("button", { name: "已缴费", exact: true })).toHaveCount(0);
  const payText = await messageFromOutbox(page, mobile, "payment_due");
  expect(payText).toContain(`¥${Number(due).toFixed(2)}`);
  expect(payText).toContain("无需到窗口");

  // The applicant opens the case on the phone, sees what is due with a
  // button and a QR code, pays at the (development) cashier and comes back.
  await page.goto(new URL(/(https?:\/\/\S+\/applications\/[0-9a-f-]+)/.exec(payText)![1]).pathname + "#payment");
  const payment = page.getByTestId("payment");
  await expect(payment.getByTestId("payment-status")).toHaveText("待缴费");
  await expect(payment.getByTestId("payment-total")).toHaveText(`¥${Number(due).toFixed(2)}`);
  await expect(payment.locator(".pay-qr svg")).toBeVisible();
  await expectTapTargets(page, '[data-testid="pay-link"]');
  await payment.getByTestId("pay-link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("开发用收银台");
  await expect(page.locator("main")).toContainText(`¥${Number(due).toFixed(2)}`);
  await expect(page.locator("main")).toContainText(receipt);
  await page.getByRole("button", { name: "微信支付 WeChat Pay" }).click();
  await expect(page.getByTestId("payment-status")).toHaveText("已缴费");
  const receiptBox = page.getByTestId("payment-receipt");
  await expect(receiptBox).toContainText("微信支付");
  await expect(receiptBox).toContainText(/DEV[0-9a-f]{32}/);
  await expect(page.getByTestId("pay-link")).toHaveCount(0);
  const received = await messageFromOutbox(page, mobile, "payment_received");
  expect(received).toContain(`¥${Number(due).toFixed(2)}`);
  const paid = await messageFromOutbox(page, mobile, "case_event");
  expect(paid).toContain(`合计 ${due} 元`);
  expect(paid).toContain("微信支付");

  // Rather than come for the paper certificate, the applicant has it
  // posted: a wrong address is refused next to the form, then saved.
  const delivery = page.getByTestId("delivery");
  await delivery.getByLabel(/邮寄到家/).check();
  await delivery.getByLabel("收件人", { exact: true }).fill("张三");
  await delivery.getByLabel("收件人手机号").fill(mobile);
  await delivery.getByLabel(/邮寄地址/).fill("天童路");
  await delivery.getByTestId("delivery-save").click();
  await expect(page.getByTestId("delivery").getByRole("alert")).toContainText("邮寄地址");
  await page.getByTestId("delivery").getByLabel(/邮寄到家/).check();
  await page.getByTestId("delivery").getByLabel("收件人", { exact: true }).fill("张三");
  await page.getByTestId("delivery").getByLabel("收件人手机号").fill(mobile);
  await page.getByTestId("delivery").getByLabel(/邮寄地址/).fill("明州市鄞州区天童南路 1 号 3 幢 201 室");
  await page.getByTestId("delivery-save").click();
  await expect(page.getByTestId("delivery-status")).toHaveText("邮寄（EMS），发证后寄出");

  // The payment moved the case on by itself; the clerk issues.
  await page.goto(caseUrl);
  await expect(page.getByTestId("stage")).toHaveText("已缴费，待发证");
  await expect(page.getByTestId("payment-status")).toHaveText("已缴费");
  await act(page, "发证", "已发证");
  // Issued: the text says the certificate comes by post. The clerk posts it
  // (a mistyped number is refused), then marks it delivered.
  const issuedPost = await messageFromOutbox(page, mobile, "case_event");
  expect(issuedPost).toContain("EMS");
  const staffDelivery = page.getByTestId("staff-delivery");
  await expect(staffDelivery).toContainText("天童南路 1 号 3 幢 201 室");
  await staffDelivery.getByLabel("EMS 运单号").fill("EA1234");
  await staffDelivery.getByRole("button", { name: "已寄出，通知申请人" }).click();
  await expect(page.getByRole("alert").first()).toContainText("运单号");
  await page.getByTestId("staff-delivery").getByLabel("EMS 运单号").fill(js ? "ea 123456789 cn" : "EA987654321CN");
  await page.getByTestId("staff-delivery").getByRole("button", { name: "已寄出，通知申请人" }).click();
  await expect(page.getByTestId("staff-delivery").getByTestId("delivery-status")).toHaveText("已寄出");
  const postedText = await messageFromOutbox(page, mobile, "certificate_posted");
  expect(postedText).toContain(js ? "EA123456789CN" : "EA987654321CN");
  await page.getByTestId("staff-delivery").getByRole("button", { name: "已妥投" }).click();
  await expect(page.getByTestId("staff-delivery").getByTestId("delivery-status")).toHaveText("已妥投");

  // The citizen's timeline shows every step.
  await page.goto("/me");
  await page.getByRole("link", { name: new RegExp(receipt) }).first().click();
  const timeline = page.locator(".timeline");
  for (const step of [
    "提交预申请",
    "当事人已确认申请内容",
    "已到窗口办理",
    "预审退回补正",
    "补正后重新提交",
    "预审通过",
    "正式受理",
    "暂停计时：等待您补充",
    "恢复计时",
    "进入审核",
    "待登簿",
    "缮制证书",
    "已开具缴费单",
    "已在线缴费",
    "已缴费",
    "已发证",
  ]) {
    await expect(timeline).toContainText(step);
  }
  // The issue text says the paper certificate comes by post, no trip needed.
  const issued = await messageFromOutbox(page, mobile, "case_event");
  expect(issued).toContain("EMS");
  expect(issued).toContain("无需到窗口");
  expect(issued).toContain("电子证照已签发");
  // The applicant sees the posting and its tracking number.
  await expect(page.getByTestId("delivery-status")).toHaveText("已妥投");
  await expect(page.getByTestId("tracking-no")).toHaveText(js ? "EA123456789CN" : "EA987654321CN");
  // 登记+X: the new owner moves water and electricity in one step; each
  // utility's answer shows as it comes.
  const utilities = page.getByTestId("utilities");
  await utilities.getByTestId("utilities-send").click();
  await expect(page.getByTestId("utilities").getByRole("alert")).toContainText("至少选择一项");
  await page.getByTestId("utilities").getByLabel("自来水", { exact: true }).check();
  await page.getByTestId("utilities").getByLabel("自来水 户号（可不填）").fill("3302-556677");
  await page.getByTestId("utilities").getByLabel("电力", { exact: true }).check();
  await page.getByTestId("utilities-send").click();
  await expect(page.getByTestId("utilities").getByRole("status")).toContainText("已提交过户申请");
  for (let i = 0; i < 30; i++) {
    const text = (await page.getByTestId("utilities").textContent()) ?? "";
    if ((text.match(/已过户/g) ?? []).length >= 2) break;
    await page.waitForTimeout(1000);
    await page.reload();
  }
  await expect(page.getByTestId("utility-water")).toContainText("已过户");
  await expect(page.getByTestId("utility-power")).toContainText("已过户");
  await expect(page.getByTestId("utility-water")).toContainText("DEV-WATER");
  const utilityText = await messageFromOutbox(page, mobile, "utility_answered");
  expect(utilityText).toContain("已办好");
  await expect(timeline).toContainText("已申请水电气网同步过户");

  // The acceptance receipt and the correction notice open as PDFs.
  await expectPdf(page, "letter-receipt");
  await expectPdf(page, "letter-correction");

  // The electronic certificate: its number and code on the case page, the
  // sealed PDF to download.
  const ecert = page.getByTestId("ecert-certificate");
  await expect(ecert).toContainText("不动产权证书（电子证照）");
  await expect(ecert).toContainText(/浙\(\d{4}\)明州市不动产权第\d{7}号/);
  await expect(ecert).toContainText("有效");
  const ecertCode = (await ecert.getByTestId("ecert-code").textContent())!.trim();
  expect(ecertCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const pdfRes = await page.request.get((await ecert.getByRole("link", { name: "下载电子证照（PDF）" }).getAttribute("href"))!);
  expect(pdfRes.status()).toBe(200);
  expect(pdfRes.headers()["content-type"]).toBe("application/pdf");
  const pdfBytes = await pdfRes.body();

  // A bank checks it, signed in as nobody: by the code typed in (lower case,
  // without dashes), then by the file; a changed file is not recognised.
  const bank = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, javaScriptEnabled: js });
  const bankPage = await bank.newPage();
  await bankPage.goto("/verify");
  await expect(bankPage).toHaveTitle(/电子证照查验/);
  await bankPage.getByLabel("验证码").fill(ecertCode.replaceAll("-", "").toLowerCase());
  await bankPage.getByRole("button", { name: "查验", exact: true }).click();
  const result = bankPage.getByTestId("verify-result");
  await expect(bankPage.getByTestId("verify-status")).toHaveText("有效");
  await expect(result).toContainText(unit);
  await expect(result).toContainText("张*");
  await expect(result).not.toContainText("张三");
  await bankPage.getByLabel("PDF 文件").setInputFiles({ name: "cert.pdf", mimeType: "application/pdf", buffer: pdfBytes });
  await bankPage.getByRole("button", { name: "核对文件" }).click();
  await expect(bankPage.getByTestId("file-result")).toContainText("完全一致");
  await expect(bankPage.getByTestId("verify-status")).toHaveText("有效");
  const changed = Buffer.from(pdfBytes);
  changed[changed.length >> 1] ^= 1;
  await bankPage.getByLabel("PDF 文件").setInputFiles({ name: "cert.pdf", mimeType: "application/pdf", buffer: changed });
  await bankPage.getByRole("button", { name: "核对文件" }).click();
  await expect(bankPage.getByTestId("file-result")).toContainText("不是登记机构签发的电子证照，或已被改动");
  await bank.close();

  // The applicant rates the service: nothing chosen, then 不满意 without a
  // reason, are refused with a message; then 不满意 with a reason and a comment.
  await page.goto("/me");
  await page.getByRole("link", { name: new RegExp(receipt) }).first().click();
  await page.getByTestId("rating").getByRole("button", { name: "提交评价" }).click();
  await expect(page.getByTestId("rating").getByRole("alert")).toContainText("请选择一项满意度");
  await page.getByTestId("rating").getByLabel("不满意", { exact: true }).check();
  await page.getByTestId("rating").getByRole("button", { name: "提交评价" }).click();
  await expect(page.getByTestId("rating").getByRole("alert")).toContainText("至少勾选一项原因");
  const rating = page.getByTestId("rating");
  await expectTapTargets(page, '[data-testid="rating"] .choice');
  await rating.getByLabel("不满意", { exact: true }).check();
  await rating.getByLabel("多次跑腿").check();
  await rating.getByLabel(/意见和建议/).fill("缴费页面打不开，又跑了一趟窗口");
  await rating.getByRole("button", { name: "提交评价" }).click();
  await expect(page.getByTestId("my-rating-level")).toHaveText("不满意");
  await expect(page.getByTestId("follow-up")).toContainText("登记中心负责人将核实处理");
  await expect(page.getByTestId("rate")).toHaveCount(0);

  // The site's supervisor finds it among the low ratings, answers it; the
  // applicant is texted the answer and sees it on the case.
  await staffSignIn(page, `sup-${tag}`, "staff password 1");
  await page.getByRole("link", { name: "好差评", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("好差评");
  const low = page.getByTestId("rating-row").filter({ hasText: receipt });
  await expect(low).toContainText("不满意");
  await expect(low).toContainText("多次跑腿");
  await expect(low).toContainText("缴费页面打不开");
  await low.getByLabel(/核实与整改情况/).fill("已核实：当日支付页面故障已修复，已电话致歉");
  await low.getByRole("button", { name: "办结并答复" }).click();
  await expect(page.getByRole("status").first()).toContainText("已记录处理情况");
  await expect(page.getByTestId("by-site")).toContainText("明州市不动产登记中心");
  const answered = await messageFromOutbox(page, mobile, "rating_followed_up");
  expect(answered).toContain("支付页面故障已修复");
  await page.goto("/me");
  await page.getByRole("link", { name: new RegExp(receipt) }).first().click();
  await expect(page.getByTestId("follow-up")).toContainText("支付页面故障已修复");

  // The supervisor's statistics count the issued case; the CSV downloads.
  await staffSignIn(page, `sup-${tag}`, "staff password 1");
  await page.getByRole("link", { name: "统计分析" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("统计分析");
  await expect(page.getByTestId("daily-chart")).toBeVisible();
  await expect(page.getByTestId("daily-chart").locator("rect").first()).toBeAttached();
  const csv = await page.request.get((await page.getByTestId("csv").getAttribute("href"))!);
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain("发证 Issued");

  // The supervisor closes the main centre for an afternoon.
  await page.goto(`/staff/bookings?site=MAIN&day=${js ? "2030-01-04" : "2030-01-07"}`);
  await page.getByText("临时闭厅（取消并通知受影响的预约）").click();
  await page.getByLabel("开始时间").fill("13:30");
  await page.getByLabel("结束时间").fill("17:00");
  await page.getByLabel("原因（申请人可见）").fill("系统升级");
  await page.getByRole("button", { name: "闭厅", exact: true }).click();
  await expect(page.getByTestId("closed-ok")).toContainText("0");
  await expect(page.getByTestId("closures")).toContainText("13:30–17:00 系统升级");

  // The administrator gives a town office a map link; /sites shows it.
  await staffSignIn(page, "admin", ADMIN_PASSWORD);
  const town = js ? "TOWN-LW" : "TOWN-MY";
  await page.getByText("办理点设置（地址、办公时段、预约窗口）").click();
  await page.locator(`a[href="/staff/sites/${town}"]`).click();
  await page.getByLabel("地图链接（可不填）").fill("ftp://nowhere");
  await page.getByTestId("site-save").click();
  await expect(page.getByTestId("site-errors")).toBeVisible();
  await page.getByLabel("地图链接（可不填）").fill(`https://uri.amap.com/search?keyword=${town}`);
  await page.getByTestId("site-save").click();
  await expect(page.getByTestId("site-saved")).toBeVisible();
  await page.goto("/sites");
  await expect(page.locator(`a[href="https://uri.amap.com/search?keyword=${town}"]`)).toBeVisible();

  // The administrator declares a day off in the calendar.
  await page.goto("/staff/admin");
  await page.getByRole("link", { name: "工作日历（节假日与调休）" }).click();
  await page.getByLabel("日期").fill(js ? "2030-01-02" : "2030-01-03");
  await page.getByLabel("类型").selectOption("holiday");
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.getByText("已保存。")).toBeVisible();
  await expect(page.getByTestId("calendar-days")).toContainText(js ? "2030-01-02" : "2030-01-03");
});

/** A filer (signed in on `page`) files a resale transfer naming a seller; the receipt and the seller's link. */
async function fileSale(page: Page, js: boolean, mobile: string, sellerMobile: string): Promise<{ receipt: string; link: string }> {
  await open(page, "/matters/RESALE-TRANSFER", js);
  await page.getByRole("button", { name: "开始填写" }).click();
  await page.getByLabel("不动产单元号（28 位）").fill("320684413219GB00029F00010003");
  await page.getByLabel("坐落（地址）").fill("明州市鄞州区天童南路 3 号");
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
  await page.getByRole("button", { name: "保存并继续" }).click();
  await page.getByRole("button", { name: "提交预申请" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("预申请已提交");
  const receipt = (await page.getByTestId("receipt").first().textContent())!.trim();
  let told = "";
  for (let i = 0; i < 20 && !told.includes(receipt); i++) told = await messageFromOutbox(page, sellerMobile, "party_named");
  expect(told).toContain(receipt);
  const link = new URL(/(https?:\/\/\S+\/applications\/[0-9a-f-]+)/.exec(told)![1]).pathname;
  return { receipt, link };
}

test("a seller's objection stops the case and alerts the supervisor; a withdrawn case's booking is cancelled with a text", async ({ page, js, browser, baseURL }) => {
  test.setTimeout(240_000);
  const tag = js ? "js2" : "nojs2";
  const stamp = String(Date.now() % 10_000_000).padStart(7, "0");
  const mobile = `159${js ? "1" : "2"}${stamp}`;
  const sellerMobile = `135${js ? "1" : "2"}${stamp}`;

  // The administrator creates a clerk and a supervisor.
  await staffSignIn(page, "admin", ADMIN_PASSWORD);
  for (const [username, role] of [
    [`clerk-${tag}`, "clerk"],
    [`sup-${tag}`, "supervisor"],
  ]) {
    await page.getByLabel("用户名").fill(username);
    await page.getByLabel("姓名").fill(username);
    await page.getByLabel("角色").selectOption(role);
    await page.getByLabel("初始密码（至少 10 位）").fill("staff password 1");
    await page.getByLabel("明州市不动产登记中心").check();
    await page.getByRole("button", { name: "创建账户" }).click();
    await expect(page.getByText("账户已创建。")).toBeVisible();
  }

  // The buyer files the sale; the seller is texted.
  await page.goto("/signin");
  await signIn(page, mobile);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("我的办件");
  const first = await fileSale(page, js, mobile, sellerMobile);

  // The seller did not agree to sell: on their phone they object.
  const seller = await anotherPhone(browser, js, baseURL!);
  await seller.goto(first.link);
  await seller.locator("main").getByRole("link", { name: "登录" }).click();
  await signIn(seller, sellerMobile);
  await expect(seller.getByTestId("confirm-panel")).toContainText("请您确认这份申请");
  await seller.getByRole("button", { name: "提出异议（案件将停止办理）" }).click();
  await expect(seller.getByRole("alert")).toContainText("异议原因");
  await seller.getByLabel("不同意？请写明原因").fill("我从未同意出售这套房子");
  await seller.getByRole("button", { name: "提出异议（案件将停止办理）" }).click();
  await expect(seller.getByTestId("confirm-panel").getByRole("status")).toContainText("您的异议已送达登记中心");
  await expect(seller.getByTestId("my-standing")).toContainText("已提出异议");

  // The buyer is told the case stopped.
  const stopped = await messageFromOutbox(page, mobile, "objection_filer");
  expect(stopped).toContain(first.receipt);

  // The supervisor sees the alert and the reason; nobody can pre-accept it.
  await staffSignIn(page, `sup-${tag}`, "staff password 1");
  const alert = page.getByTestId("alerts").locator("li", { hasText: first.receipt });
  await expect(alert).toContainText("当事人异议");
  await alert.getByRole("link", { name: first.receipt }).click();
  await expect(page.getByTestId("party-1")).toContainText("已提出异议");
  await expect(page.getByTestId("party-1")).toContainText("我从未同意出售这套房子");
  await page.getByRole("button", { name: "领取案件" }).click();
  await expect(page.getByTestId("objected")).toContainText("已停止");
  await expect(page.getByRole("button", { name: "预审通过", exact: true })).toHaveCount(0);
  await expect(page.getByTestId("stage")).toHaveText("已提交，待预审");
  // The buyer's page says it stopped too.
  await page.goto("/me");
  await page.getByRole("link", { name: new RegExp(first.receipt) }).first().click();
  await expect(page.getByTestId("objected")).toContainText("已停止");

  // A second sale the seller does confirm; it is pre-accepted and booked,
  // then the buyer withdraws it: the booking goes with it, and they are told.
  const second = await fileSale(page, js, mobile, sellerMobile);
  await seller.goto(second.link);
  await seller.getByTestId("confirm").click();
  await expect(seller.getByTestId("my-standing")).toContainText("已确认");
  await seller.context().close();
  await staffSignIn(page, `clerk-${tag}`, "staff password 1");
  await page.getByRole("link", { name: second.receipt }).click();
  await page.getByRole("button", { name: "领取案件" }).click();
  await act(page, "预审通过", "预审通过");
  await page.goto("/me");
  await page.getByRole("link", { name: new RegExp(second.receipt) }).first().click();
  await page.getByTestId("book-link").click();
  await page.locator(".slot").first().click();
  await page.getByTestId("book").click();
  await expect(page.getByTestId("booking-when")).toBeVisible();
  const when = (await page.getByTestId("booking-when").textContent())!.trim();
  await page.getByRole("button", { name: "撤回这份申请" }).click();
  await expect(page.getByTestId("status")).toHaveText("已撤回");
  await expect(page.getByTestId("booking-when")).toHaveCount(0);
  await expect(page.locator(".timeline")).toContainText("已取消到场预约");
  const cancelled = await messageFromOutbox(page, mobile, "booking_closed");
  expect(cancelled).toContain("撤回");
  expect(cancelled).toContain(when.slice(0, 16));
});
