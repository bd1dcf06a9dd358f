import { expect, Page } from "@playwright/test";

/** Read the latest sign-in code for a number from the development outbox. */
export async function codeFromOutbox(page: Page, mobile: string): Promise<string> {
  const outbox = await page.context().newPage();
  let code = "";
  for (let i = 0; i < 30 && !code; i++) {
    await outbox.goto("/dev/outbox");
    const text = await outbox
      .locator(`li[data-recipient="${mobile}"][data-template="signin_code"] .text`)
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => "");
    code = /(\d{6})/.exec(text ?? "")?.[1] ?? "";
    if (!code) await outbox.waitForTimeout(200);
  }
  await outbox.close();
  expect(code, "a code reached the outbox").toMatch(/^\d{6}$/);
  return code;
}

/** On the sign-in page: ask for a code, read it from the outbox, sign in. */
export async function signIn(page: Page, mobile: string) {
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("登录");
  await page.getByLabel("手机号码").fill(mobile);
  await page.getByRole("button", { name: "获取验证码" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("输入验证码");
  const code = await codeFromOutbox(page, mobile);
  await page.getByLabel("6 位验证码").fill(code);
  await page.getByRole("button", { name: "登录" }).click();
}
